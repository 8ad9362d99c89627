// `kinesim run`: load a scenario, run it, write the report folder, print a short summary.

import { relative, resolve } from "node:path";
import cliProgress from "cli-progress";
import { stringify as toYaml } from "yaml";
import { estimatedEvents, resolveTick } from "../model/build.js";
import { summaryLines } from "../report/text.js";
import type { Override } from "../scenario/load.js";
import { renderScenario } from "../scenario/render.js";
import type { Scenario } from "../scenario/schema.js";
import { formatDuration } from "../scenario/units.js";
import { simulateInterruptible } from "../simulate.js";
import { UserInputError } from "./errors.js";
import { CsvDirectorySink, PARTIAL_MARK, ReportFolder, summaryCsv } from "./files.js";
import { loadScenarioFile } from "./load.js";
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
  /** Run even when the resource guard estimates the run is too large. */
  force?: boolean;
}

/** Events above which a run is refused without --force: about an hour at ~2 million events/s. */
export const EVENT_GUARD = 7_000_000_000;

/** Refuses a run the guard estimates would take hours, naming the settings that shrink it. */
export function guardResources(scenario: Scenario, force: boolean | undefined): void {
  const events = estimatedEvents(scenario);
  if (force || events <= EVENT_GUARD) return;
  const hint =
    resolveTick(scenario) === undefined
      ? "a cohort resolution (--resolution 10ms, or resolution: auto), a shorter --duration, or fewer records"
      : "a coarser tick (--resolution 100ms), a shorter --duration, or fewer producer instances";
  throw new UserInputError(
    `this run needs about ${(events / 1e9).toFixed(1)} billion events (over an hour at ~2 million events/s): use ${hint}; --force runs it anyway`,
  );
}

/** Turns `--set a.b=c` flags (and the shorthand flags) into overrides. */
export function overridesOf(options: RunOptions): Override[] {
  const overrides: Override[] = [];
  if (options.seed !== undefined) overrides.push({ path: "seed", value: JSON.stringify(options.seed) });
  if (options.duration !== undefined) overrides.push({ path: "duration", value: options.duration });
  if (options.resolution !== undefined) overrides.push({ path: "resolution", value: options.resolution });
  for (const item of options.set ?? []) {
    const eq = item.indexOf("=");
    overrides.push(
      eq < 0 ? { path: item, value: "" } : { path: item.slice(0, eq), value: item.slice(eq + 1) },
    );
  }
  return overrides;
}

/** Runs one scenario and writes its report; returns the exit code (0, or 1 when an SLO is not met). */
export async function runCommand(options: RunOptions): Promise<number> {
  const { scenario, warnings } = loadScenarioFile(options.scenario, overridesOf(options));
  for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
  guardResources(scenario, options.force);
  const target = resolve(options.out ?? `reports/${scenario.name}`);
  const folder = new ReportFolder(target);
  const sink = new CsvDirectorySink(folder.staging);
  const started = Date.now();
  const bar = progressBar(scenario.duration);
  // SIGINT / SIGTERM stop the run at the next slice; what it has is written and marked partial.
  let signal: string | undefined;
  const onSignal = (name: string) => () => {
    signal = name;
  };
  const handlers = { SIGINT: onSignal("SIGINT"), SIGTERM: onSignal("SIGTERM") };
  process.once("SIGINT", handlers.SIGINT);
  process.once("SIGTERM", handlers.SIGTERM);
  let result: Awaited<ReturnType<typeof simulateInterruptible>>;
  try {
    result = await simulateInterruptible(
      scenario,
      {
        sink,
        ...(bar
          ? {
              onProgress: (t: number, end: number) =>
                bar.update(Math.round((1000 * t) / end), { simulated: formatDuration(Math.round(t)) }),
            }
          : {}),
      },
      () => new Promise((done) => setImmediate(done)),
      () => signal,
    );
  } finally {
    process.removeListener("SIGINT", handlers.SIGINT);
    process.removeListener("SIGTERM", handlers.SIGTERM);
    bar?.stop();
    sink.close();
  }
  const { summary } = result;
  folder.write("summary.json", `${JSON.stringify(summary, null, 2)}\n`);
  folder.write("summary.csv", summaryCsv(summary));
  folder.write("scenario.yaml", toYaml(renderScenario(scenario, summary.resolution), { lineWidth: 0 }));
  if (summary.interrupted)
    folder.write(
      PARTIAL_MARK,
      `This run was stopped by ${summary.interrupted.reason} at ${summary.interrupted.atSeconds} s of ${summary.durationSeconds} s simulated: every file covers only that part.\n`,
    );
  const report = await writeReport(folder.staging, { charts: options.charts !== false });
  folder.publish();
  if (summary.interrupted) {
    process.stderr.write(
      `interrupted by ${summary.interrupted.reason} at ${summary.interrupted.atSeconds} s of ${summary.durationSeconds} s: wrote the partial run to ${shownPath(target)}/ (marked PARTIAL)\n`,
    );
    return 130;
  }
  const wall = (Date.now() - started) / 1000;
  if (!options.quiet) {
    for (const line of summaryLines(summary)) process.stdout.write(`${line}\n`);
    if (summary.stream.declared) process.stdout.write(`  ${report.statement}\n`);
    process.stdout.write(
      `wrote ${shownPath(target)}/index.html (and the CSVs${report.charts.length > 0 ? ", charts" : ""}, summary.json, scenario.yaml) in ${wall.toFixed(1)} s\n`,
    );
  }
  return summary.sloMet ? 0 : 1;
}

/** A path relative to the working directory when it lies inside it. */
function shownPath(path: string): string {
  const shown = relative(process.cwd(), path);
  return shown === "" ? "." : shown.startsWith("..") ? path : shown;
}

/** A progress bar on stderr when it is a terminal; nothing otherwise (CI logs stay clean). */
function progressBar(durationUs: number): cliProgress.SingleBar | undefined {
  if (!process.stderr.isTTY || durationUs <= 0) return undefined;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `simulating [{bar}] {simulated} of ${formatDuration(durationUs)} | wall {duration_formatted} | eta {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(1000, 0, { simulated: "0s" });
  return bar;
}
