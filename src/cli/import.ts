// `kinesim import`: reads saved AWS CLI output, CloudWatch exports and infrastructure code, writes
// a commented scenario (and its traffic CSV beside it), validates it, and with --check runs it
// against the exported metrics of the same window.

import { mkdirSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { importFiles } from "../import/import.js";
import { replay, replayLines } from "../import/replay.js";
import { WindowError } from "../import/window.js";
import { parseDuration } from "../scenario/units.js";
import { UserInputError } from "./errors.js";
import { readScenarioFile } from "./files.js";
import { loadScenarioFile } from "./load.js";
import { overridesOf, parseGrowth } from "./overrides.js";

/** Options of the import command. */
export interface ImportCommandOptions {
  files: string[];
  out: string;
  name?: string;
  growth?: string;
  from?: string;
  to?: string;
  busiest?: string;
  arrivals?: string;
  set?: string[];
  parameter?: string[];
  stream?: string;
  skipUnsupported?: boolean;
  check?: boolean;
  quiet?: boolean;
}

function time(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms))
    throw new UserInputError(`--${flag} ${text}: expected a date and time such as 2026-11-30T12:00:00Z`);
  return ms;
}

/** Runs the import; returns the exit code. */
export function importCommand(options: ImportCommandOptions): number {
  const growth = parseGrowth(options.growth ?? "1x");
  if (!(growth > 0))
    throw new UserInputError(`--growth ${options.growth}: expected a multiplier such as 2x, 1.5 or +50%`);
  let busiestSeconds: number | undefined;
  if (options.busiest !== undefined) {
    const us = parseDuration(options.busiest);
    if (us === undefined || !(us > 0))
      throw new UserInputError(`--busiest ${options.busiest}: expected a duration such as 1h or 1d`);
    busiestSeconds = us / 1e6;
  }
  const arrivals = options.arrivals ?? "poisson";
  if (arrivals !== "poisson" && arrivals !== "even")
    throw new UserInputError(`--arrivals ${arrivals}: expected poisson or even`);
  const parameters: Record<string, string> = {};
  for (const p of options.parameter ?? []) {
    const eq = p.indexOf("=");
    if (eq <= 0) throw new UserInputError(`--parameter ${p}: expected NAME=VALUE`);
    parameters[p.slice(0, eq)] = p.slice(eq + 1);
  }
  const fromMs = time("from", options.from);
  const toMs = time("to", options.to);
  const base = basename(options.out).replace(/\.ya?ml$/i, "");
  let written: ReturnType<typeof importFiles>;
  try {
    written = importFiles(
      options.files.map((file) => ({ file, text: readScenarioFile(file) })),
      {
        ...(options.name !== undefined ? { name: options.name } : {}),
        growth,
        window: {
          ...(fromMs !== undefined ? { fromMs } : {}),
          ...(toMs !== undefined ? { toMs } : {}),
          ...(busiestSeconds !== undefined ? { busiestSeconds } : {}),
        },
        arrivals,
        base,
        set: overridesOf({ set: options.set ?? [] }),
        command: ["kinesim import", ...commandWords(options)].join(" "),
        parameters,
        skipUnsupported: options.skipUnsupported ?? false,
        ...(options.stream !== undefined ? { stream: options.stream } : {}),
      },
    );
  } catch (error) {
    if (error instanceof WindowError) throw new UserInputError(error.message);
    throw error;
  }
  const dir = dirname(options.out);
  mkdirSync(dir, { recursive: true });
  writeFileSync(options.out, written.yaml);
  for (const f of written.files) writeFileSync(join(dir, f.name), f.text);
  // Every imported scenario must load like any other: a value outside AWS's limits fails here.
  const { scenario, warnings } = loadScenarioFile(options.out);
  const say = (line: string) => {
    if (!options.quiet) process.stdout.write(`${line}\n`);
  };
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  say(
    `wrote ${options.out}${written.files.length > 0 ? ` and ${written.files.map((f) => f.name).join(", ")}` : ""}`,
  );
  for (const line of written.report) say(`  ${line}`);
  for (const note of written.system.notes) say(`  note: ${note}`);
  if (options.check) {
    if (!written.observed)
      throw new UserInputError(
        "--check compares a run with exported metrics: import IncomingRecords metrics too",
      );
    say(`check: ran ${scenario.name} over the metrics window`);
    for (const line of replayLines(replay(scenario, written.observed), written.observed.periodSeconds))
      say(`  ${line}`);
  }
  return 0;
}

/** The flags as typed, for the scenario's head comment (files by name only). */
function commandWords(o: ImportCommandOptions): string[] {
  const words = o.files.map((f) => basename(f));
  const flag = (name: string, value: string | undefined) => (value === undefined ? [] : [`--${name}`, value]);
  return [
    ...words,
    ...flag("growth", o.growth),
    ...flag("busiest", o.busiest),
    ...flag("from", o.from),
    ...flag("to", o.to),
    ...flag("arrivals", o.arrivals),
    ...(o.set ?? []).flatMap((s) => ["--set", s]),
    "--out",
    basename(o.out),
  ];
}
