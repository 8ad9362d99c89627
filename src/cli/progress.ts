// Progress of a command that runs simulations: a bar on a terminal (runs done of runs planned,
// simulated time, time left), and on anything else a one-line heartbeat every half minute so that a
// log shows the command is alive. Wall-clock time is read here, in the CLI, and never reaches a run.

import cliProgress from "cli-progress";
import { formatNumber } from "../scenario/units.js";
import { formatWall } from "./human.js";

/** Wall time between heartbeat lines when stderr is not a terminal (KINESIM_HEARTBEAT_MS sets it). */
const HEARTBEAT_MS = Number(process.env["KINESIM_HEARTBEAT_MS"] ?? 30_000);

/** Options of a Progress. */
export interface ProgressOptions {
  /** Print nothing at all. */
  quiet?: boolean;
  /** Where to draw (default process.stderr). */
  stream?: NodeJS.WriteStream;
  /** Heartbeat interval in ms when the stream is not a terminal (default 30 s). */
  heartbeatMs?: number;
  /** The most runs the command may make, where it may add runs as it goes (a plan's searches):
   *  time left is then a bracket, from the runs planned so far to the most. */
  mostRuns?: number;
  /** Wall-clock milliseconds (default Date.now; a test's own clock). */
  clock?: () => number;
}

/** Progress over a number of runs of (about) the same simulated duration each. */
export class Progress {
  private readonly clock: () => number;
  private readonly started: number;
  private readonly simulatedUs = new Map<number, number>();
  private readonly finished = new Set<number>();
  private readonly bar: cliProgress.SingleBar | undefined;
  private readonly stream: NodeJS.WriteStream;
  private readonly heartbeatMs: number;
  private lastBeat: number;
  /** The most runs the command may make (at least `runs`). */
  private most: number;

  constructor(
    private readonly label: string,
    private runs: number,
    private readonly usPerRun: number,
    private readonly options: ProgressOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
    this.started = this.clock();
    this.lastBeat = this.started;
    this.most = Math.max(runs, options.mostRuns ?? runs);
    this.stream = options.stream ?? process.stderr;
    this.heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
    if (options.quiet || !this.stream.isTTY) return;
    this.bar = new cliProgress.SingleBar(
      {
        stream: this.stream,
        format: `${label} [{bar}] {runsText} | {simulatedText} simulated | {leftText}`,
        hideCursor: true,
        clearOnComplete: true,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(1000, 0, this.payload());
  }

  /** The number of runs the command now expects (a plan learns it as it goes). */
  setRuns(runs: number): void {
    this.runs = Math.max(runs, this.finished.size);
    this.most = Math.max(this.most, this.runs);
    this.refresh();
  }

  /** Run `run` has simulated `us` of its duration. */
  update(run: number, us: number): void {
    this.simulatedUs.set(run, Math.max(us, this.simulatedUs.get(run) ?? 0));
    if (us >= this.usPerRun) this.finished.add(run);
    this.refresh();
  }

  /** Run `run` is done. */
  done(run: number): void {
    this.finished.add(run);
    this.simulatedUs.set(run, Math.max(this.usPerRun, this.simulatedUs.get(run) ?? 0));
    this.refresh();
  }

  /** Removes the bar. */
  stop(): void {
    this.bar?.stop();
  }

  /** One run, and no more to come. */
  private get single(): boolean {
    return this.most === 1;
  }

  /** The share of the planned work done, 0–1. */
  get fraction(): number {
    return this.shareOf(this.runs);
  }

  /** The share done of `runs` runs' work, 0–1. */
  private shareOf(runs: number): number {
    const total = runs * this.usPerRun;
    if (total <= 0) return 0;
    let sum = 0;
    for (const us of this.simulatedUs.values()) sum += Math.min(us, this.usPerRun);
    return Math.min(1, sum / total);
  }

  /** What the line says of the time left: at the pace so far, for the runs planned and, where the
   *  command may add runs, for the most it may make. */
  private leftText(): string {
    const elapsed = this.clock() - this.started;
    const f = this.fraction;
    if (!(f > 0.01 && elapsed > 2000)) return "estimating";
    const low = formatWall((elapsed * (1 - f)) / f);
    const fm = this.shareOf(this.most);
    const high = formatWall((elapsed * (1 - fm)) / fm);
    if (high === low) return `about ${low} left`;
    // The runs planned are done, and more may come.
    return f >= 1 ? `up to ${high} left` : `about ${low} to ${high} left`;
  }

  private payload() {
    let sum = 0;
    for (const us of this.simulatedUs.values()) sum += us;
    const planned =
      this.most > this.runs
        ? `${formatNumber(this.runs)} to ${formatNumber(this.most)}`
        : formatNumber(this.runs);
    return {
      runsText: this.single ? "1 run" : `${formatNumber(this.finished.size)} of ${planned} runs`,
      simulatedText: formatWall(sum / 1000),
      leftText: this.leftText(),
    };
  }

  private refresh(): void {
    if (this.options.quiet) return;
    const payload = this.payload();
    if (this.bar) {
      this.bar.update(Math.round(1000 * this.fraction), payload);
      return;
    }
    const now = this.clock();
    if (now - this.lastBeat < this.heartbeatMs) return;
    this.lastBeat = now;
    this.stream.write(
      `${this.label}: ${payload.runsText}${this.single ? ` ${Math.round(100 * this.fraction)}% done` : " done"}, ${payload.simulatedText} simulated, ${payload.leftText}\n`,
    );
  }
}
