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
}

/** Progress over a number of runs of (about) the same simulated duration each. */
export class Progress {
  private readonly started = Date.now();
  private readonly simulatedUs = new Map<number, number>();
  private readonly finished = new Set<number>();
  private readonly bar: cliProgress.SingleBar | undefined;
  private readonly stream: NodeJS.WriteStream;
  private readonly heartbeatMs: number;
  private lastBeat = Date.now();

  constructor(
    private readonly label: string,
    private runs: number,
    private readonly usPerRun: number,
    private readonly options: ProgressOptions = {},
  ) {
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

  /** The share of the planned work done, 0–1. */
  get fraction(): number {
    const total = this.runs * this.usPerRun;
    if (total <= 0) return 0;
    let sum = 0;
    for (const us of this.simulatedUs.values()) sum += Math.min(us, this.usPerRun);
    return Math.min(1, sum / total);
  }

  private payload() {
    const f = this.fraction;
    const elapsed = Date.now() - this.started;
    let sum = 0;
    for (const us of this.simulatedUs.values()) sum += us;
    return {
      runsText:
        this.runs === 1 ? "1 run" : `${formatNumber(this.finished.size)} of ${formatNumber(this.runs)} runs`,
      simulatedText: formatWall(sum / 1000),
      leftText:
        f > 0.01 && elapsed > 2000 ? `about ${formatWall((elapsed * (1 - f)) / f)} left` : "estimating",
    };
  }

  private refresh(): void {
    if (this.options.quiet) return;
    const payload = this.payload();
    if (this.bar) {
      this.bar.update(Math.round(1000 * this.fraction), payload);
      return;
    }
    const now = Date.now();
    if (now - this.lastBeat < this.heartbeatMs) return;
    this.lastBeat = now;
    this.stream.write(
      `${this.label}: ${payload.runsText}${this.runs === 1 ? ` ${Math.round(100 * this.fraction)}% done` : " done"}, ${payload.simulatedText} simulated, ${payload.leftText}\n`,
    );
  }
}
