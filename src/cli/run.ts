// `kinesim run`: load a scenario, run it, write the report folder, print a short summary.

import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { stringify as toYaml } from "yaml";
import type { ClientReport } from "../clients/run-clients.js";
import type { RunSummary } from "../metrics/summary.js";
import { summaryLines } from "../report/text.js";
import { renderScenario } from "../scenario/render.js";
import type { Scenario } from "../scenario/schema.js";
import { formatNumber } from "../scenario/units.js";
import { simulateInterruptible } from "../simulate.js";
import { DrawThreads } from "./draw-threads.js";
import { UserInputError } from "./errors.js";
import { judgeEstimate, PilotWindow, REFUSE_SECONDS } from "./estimate.js";
import { CsvDirectorySink, PARTIAL_MARK, ReportFolder, shownPath, summaryCsv } from "./files.js";
import { formatWall } from "./human.js";
import { loadScenarioFile } from "./load.js";
import { overridesOf } from "./overrides.js";
import { Progress } from "./progress.js";
import { writeReport } from "./report-files.js";

/** Options of the run command. */
export interface RunOptions {
  scenario: string;
  out?: string;
  seed?: string;
  duration?: string;
  resolution?: string;
  set?: string[];
  quiet?: boolean;
  /** Draw charts (default true); index.html is written either way, with tables only without them. */
  charts?: boolean;
  /** Run even when the run is estimated to take over an hour. */
  force?: boolean;
  /** Client modules in the loop (`producer=./module.js`, …): the run drives them in virtual time. */
  client?: string[];
  /** A command's progress this run reports into (compare), instead of a bar of its own. */
  progress?: { progress: Progress; run: number };
}

/** Wall time of the pilot after its warm-up: then the whole run's time is estimated from it. */
const PILOT_MS = 400;
/** Wall time between turns of the event loop during a run, ms. */
const YIELD_MS = 20;

/** Table cells a run keeps for its report instead of parsing its files again (~20 MB at most);
 *  a table beyond them (a long run's shards) is read back from its file. */
export const REPORT_KEEPS_CELLS = 1_000_000;

/** Runs one scenario and writes its report; returns the exit code (0, or 1 when an SLO is not met). */
export async function runCommand(options: RunOptions): Promise<number> {
  const { scenario, warnings } = loadScenarioFile(options.scenario, overridesOf(options));
  for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
  const target = resolve(options.out ?? `reports/${scenario.name}`);
  const folder = new ReportFolder(target);
  const sink = new CsvDirectorySink(folder.staging, REPORT_KEEPS_CELLS);
  const started = Date.now();
  const progress = options.progress ?? {
    progress: new Progress(scenario.name, 1, scenario.duration, { quiet: options.quiet === true }),
    run: 0,
  };
  // SIGINT / SIGTERM stop the run at the next slice; what it has is written and marked partial.
  let signal: string | undefined;
  const onSignal = (name: string) => () => {
    signal = name;
  };
  const handlers = { SIGINT: onSignal("SIGINT"), SIGTERM: onSignal("SIGTERM") };
  process.once("SIGINT", handlers.SIGINT);
  process.once("SIGTERM", handlers.SIGTERM);
  // The first moments are the pilot: after a warm-up, the whole run is judged from how fast it
  // goes (see estimate.ts: it measures longer while its pace has not settled or it would refuse).
  let judged = false;
  const pilot = new PilotWindow(
    scenario,
    started,
    PILOT_MS,
    options.force ? Number.POSITIVE_INFINITY : REFUSE_SECONDS,
  );
  const judge = (t: number) => {
    if (judged) return;
    const estimate = pilot.judge(t, Date.now());
    if (!estimate) return;
    judged = true;
    const warning = judgeEstimate(`this run (${scenario.name})`, scenario, estimate, {
      ...(options.force !== undefined ? { force: options.force } : {}),
      flags: { duration: "--duration", resolution: "--resolution" },
    });
    if (warning && !options.quiet && !options.progress) process.stderr.write(`\n${warning}\n`);
  };
  let result: Awaited<ReturnType<typeof simulateInterruptible>>;
  let clients: ClientReport[] | undefined;
  // Producers' record draws on the cores the run leaves free (record resolution; the same run).
  const draws = new DrawThreads(availableParallelism() - 1);
  const sliceOptions = {
    sink,
    drawSource: draws.source,
    // Short slices: a signal, the pilot and the progress bar are noticed within a moment.
    progressSliceUs: Math.max(1, Math.min(1_000_000, Math.floor(scenario.duration / 200))),
    onProgress: (t: number) => {
      judge(t);
      progress.progress.update(progress.run, t);
    },
  };
  try {
    if (options.client && options.client.length > 0) {
      // Loaded only for client runs: the AWS SDK is a large import.
      const [{ loadClientModules }, { simulateWithClients, ClientSetupError }] = await Promise.all([
        import("./client-modules.js"),
        import("../clients/run-clients.js"),
      ]);
      const specs = await loadClientModules(options.client);
      const r = await simulateWithClients(scenario, {
        ...sliceOptions,
        clients: specs,
        stopped: () => signal,
      }).catch((error: unknown) => {
        throw error instanceof ClientSetupError ? new UserInputError(`--client: ${error.message}`) : error;
      });
      result = r;
      clients = r.clients;
    } else {
      // The event loop gets a turn (a signal, the progress bar's redraw) every YIELD_MS of wall
      // time, not after every slice: a day has 86,400 slices of a second, and each turn of the loop
      // costs several microseconds of waiting.
      let yieldedMs = Date.now();
      result = await simulateInterruptible(
        scenario,
        sliceOptions,
        () => {
          const now = Date.now();
          if (now - yieldedMs < YIELD_MS) return undefined;
          yieldedMs = now;
          return new Promise((done) => setImmediate(done));
        },
        () => signal,
      );
    }
  } catch (error) {
    folder.discard();
    throw error;
  } finally {
    draws.close();
    process.removeListener("SIGINT", handlers.SIGINT);
    process.removeListener("SIGTERM", handlers.SIGTERM);
    if (!options.progress) progress.progress.stop();
    sink.close();
  }
  const { summary } = result;
  const report = await publishRun(folder, scenario, summary, clients, options.charts !== false, sink);
  if (summary.interrupted) {
    process.stderr.write(
      `interrupted by ${summary.interrupted.reason} at ${summary.interrupted.atSeconds} s of ${summary.durationSeconds} s: wrote the partial run to ${shownPath(target)}/ (marked PARTIAL)\n`,
    );
    return 130;
  }
  const wall = (Date.now() - started) / 1000;
  if (!options.quiet) {
    for (const line of summaryLines(summary)) process.stdout.write(`${line}\n`);
    for (const line of clientLines(clients ?? [])) process.stdout.write(`${line}\n`);
    if (summary.stream.declared) process.stdout.write(`  ${report.statement}\n`);
    process.stdout.write(
      `wrote ${shownPath(target)}/index.html (and the CSVs${report.charts.length > 0 ? ", charts" : ""}, summary.json, scenario.yaml) in ${formatWall(1000 * wall)}\n`,
    );
  }
  const crashed = (clients ?? []).filter((c) => c.error !== undefined);
  for (const c of crashed) process.stderr.write(`client ${c.label} threw:\n${c.error}\n`);
  return summary.sloMet && crashed.length === 0 ? 0 : 1;
}

/**
 * Writes a finished run's files into its report folder (summary, scenario, client reports, the
 * report and charts) and publishes it: what `run` and `serve` leave behind.
 */
export async function publishRun(
  folder: ReportFolder,
  scenario: Scenario,
  summary: RunSummary,
  clients: readonly ClientReport[] | undefined,
  charts: boolean,
  sink?: CsvDirectorySink,
) {
  folder.write("summary.json", `${JSON.stringify(summary, null, 2)}\n`);
  folder.write("summary.csv", summaryCsv(summary));
  folder.write("scenario.yaml", toYaml(renderScenario(scenario, summary.resolution), { lineWidth: 0 }));
  if (clients) folder.write("clients.json", `${JSON.stringify(clients, null, 2)}\n`);
  if (summary.interrupted)
    folder.write(
      PARTIAL_MARK,
      `This run was stopped by ${summary.interrupted.reason} at ${summary.interrupted.atSeconds} s of ${summary.durationSeconds} s simulated: every file covers only that part.\n`,
    );
  const report = await writeReport(folder.staging, { charts }, (name) => sink?.kept(name), scenario);
  folder.publish();
  return report;
}

/** One line per client module: what it stood in for, its calls and how it ended. */
function clientLines(clients: readonly ClientReport[]): string[] {
  return clients.map((c) => {
    const calls = Object.entries(c.calls.calls)
      .map(([op, n]) => `${op} ${formatNumber(n)}`)
      .join(", ");
    const errors = Object.entries(c.calls.errors)
      .map(([code, n]) => `${code} ${formatNumber(n)}`)
      .join(", ");
    const parts = [
      c.producer ? `sent producer ${c.producer}'s traffic` : undefined,
      c.invocations !== undefined
        ? `${formatNumber(c.invocations)} invocations, ${formatNumber(c.failedInvocations!)} failed`
        : undefined,
      calls ? `calls: ${calls}` : undefined,
      errors ? `errors: ${errors}` : undefined,
      c.duplicates > 0 ? `${c.duplicates} records sent again after acceptance` : undefined,
      c.role === "lambda"
        ? undefined
        : c.error
          ? "threw"
          : c.returned
            ? "returned"
            : "still running at the end",
    ].filter((x) => x !== undefined);
    return `  client ${c.label}: ${parts.join("; ")}`;
  });
}
