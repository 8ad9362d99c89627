#!/usr/bin/env node
// The kinesim command line. Thin: parse flags, call the library, print, set the exit code.
// Exit codes: 0 ok, 1 an SLO not met, 2 bad input, 3 internal error (a broken invariant).

// Start-up time matters (a records command is a quick question): this file imports only yargs and
// small modules; each command imports what it needs when it runs.

import { existsSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import yargs, { type Argv } from "yargs";
import { hideBin } from "yargs/helpers";
import { ITERATOR_TYPES, type IteratorType } from "../protocol/iterator-types.js";
import { formatIssue, problemsFound, ScenarioError } from "../scenario/issues.js";
import { checkNumberFlag, citedSourceLines, fileSystemInputError, UserInputError } from "./errors.js";
import { kinesimVersion } from "./version.js";

/** The quickstart scenario: ./scenarios/quickstart.yaml if present, else the packaged copy. */
function defaultScenario(): string {
  const local = "scenarios/quickstart.yaml";
  if (existsSync(local)) return local;
  return fileURLToPath(new URL("../../scenarios/quickstart.yaml", import.meta.url));
}

/** Set by --verbose: error messages then list the cited AWS documents with their URLs. */
let verbose = false;

/** Prints a user error without a stack trace and returns exit code 2. */
function userError(error: unknown): number {
  const sources = (text: string) => {
    for (const line of citedSourceLines(text, verbose)) process.stderr.write(`${line}\n`);
  };
  if (error instanceof UserInputError) {
    process.stderr.write(`${error.message}\n`);
    sources(error.message);
    return 2;
  }
  if (error instanceof ScenarioError) {
    const text = error.issues.map(formatIssue).join("\n");
    process.stderr.write(`${text}\n`);
    process.stderr.write(`${problemsFound(error)}; nothing was run.\n`);
    sources(text);
    return 2;
  }
  throw error;
}

const setOption = {
  type: "string",
  array: true,
  describe: "override any field: --set stream.shards=8 (repeatable)",
} as const;

/** Every records command's --at: a virtual time, by default the end of the run. */
const AT_OPTION = {
  type: "string",
  describe: "virtual time of the call, e.g. 10m (default: the end of the run)",
} as const;

/** The options of describe-stream and list-shards. */
function streamAtOptions(y: Argv) {
  return y.positional("scenario", { type: "string", demandOption: true }).options({
    at: AT_OPTION,
    set: setOption,
  });
}

/** Prints the stream at a virtual time as describe-stream or list-shards shows it. */
async function printStreamAt(
  args: { scenario: string; at?: string | undefined; set?: (string | number)[] | undefined },
  shape: "describe" | "list",
): Promise<void> {
  const { streamAt } = await import("./describe.js");
  process.stdout.write(
    `${JSON.stringify(streamAt(args.scenario, args.at, args.set?.map(String), shape), null, 2)}\n`,
  );
}

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** The --client flag's help text. */
const CLIENT_FLAG_HELP =
  "your code in the loop, virtual time: producer[:name]=./module.js (sends a scenario producer's traffic with the real AWS SDK), consumer=./module.js (reads with the SDK), lambda[:name]=./handler.js (the handler a lambda consumer's mapping invokes); repeatable";

async function main(argv: string[]): Promise<number> {
  let code = 0;
  const runOptions = {
    out: { type: "string", describe: "report folder (default reports/<scenario name>)" },
    seed: { type: "string", describe: "override the scenario's seed" },
    duration: { type: "string", describe: "override the simulated duration (e.g. 30m)" },
    resolution: { type: "string", describe: "record, auto, or a cohort tick such as 10ms" },
    growth: {
      type: "string",
      describe: "multiply every producer's traffic, e.g. 2x or +50% (sets the scenario's growth)",
    },
    set: setOption,
    quiet: { type: "boolean", default: false, describe: "print nothing on success" },
    charts: {
      type: "boolean",
      default: true,
      describe: "draw charts (--no-charts: index.html with the tables only, and no chart files)",
    },
    force: {
      type: "boolean",
      default: false,
      describe: "go on even when the command is estimated to take over an hour",
    },
    client: { type: "string", array: true, describe: CLIENT_FLAG_HELP },
  } as const;
  await yargs(argv)
    .scriptName("kinesim")
    .version(kinesimVersion())
    .usage("$0 <command> [options]\n\nDeterministic discrete-event simulator of Amazon Kinesis.")
    .option("verbose", {
      type: "boolean",
      default: false,
      describe: "with bad input, list each cited AWS document's title and URL",
    })
    .middleware((args) => {
      verbose = args.verbose === true;
    })
    .command(
      ["run [scenario]", "$0 [scenario]"],
      "run a scenario and write its report (default: scenarios/quickstart.yaml)",
      (y) => y.positional("scenario", { type: "string", describe: "scenario YAML file" }).options(runOptions),
      async (args) => {
        const { runCommand } = await import("./run.js");
        code = await runCommand({
          ...args,
          scenario: args.scenario ?? defaultScenario(),
          set: args.set?.map(String),
          client: args.client?.map(String),
        });
      },
    )
    .command(
      "validate <scenario>",
      "check a scenario file without running it",
      (y) =>
        y.positional("scenario", { type: "string", demandOption: true }).options({ set: runOptions.set }),
      async (args) => {
        const [{ loadScenarioFile }, { overridesOf }] = await Promise.all([
          import("./load.js"),
          import("./overrides.js"),
        ]);
        const { scenario, warnings } = loadScenarioFile(
          args.scenario,
          overridesOf({ set: args.set?.map(String) ?? [] }),
        );
        for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
        const { validReport } = await import("./inventory.js");
        process.stdout.write(`${validReport(args.scenario, scenario)}\n`);
      },
    )
    .command(
      "import <files..>",
      "build a scenario from saved AWS CLI output, CloudWatch metric exports and CloudFormation/SAM/Terraform plan JSON",
      (y) =>
        y
          .positional("files", { type: "string", array: true, demandOption: true, describe: "input files" })
          .options({
            out: {
              type: "string",
              demandOption: true,
              describe: "scenario file to write (CSV traffic goes beside it)",
            },
            name: { type: "string", describe: "scenario name (default: the stream's)" },
            growth: {
              type: "string",
              describe: "multiply the observed traffic, e.g. 2x or +50% (default 1x)",
            },
            busiest: {
              type: "string",
              describe: "keep the busiest stretch of the metrics of this length, e.g. 1h or 1d",
            },
            from: { type: "string", describe: "keep the metrics from this time on (ISO 8601)" },
            to: { type: "string", describe: "keep the metrics before this time (ISO 8601)" },
            arrivals: {
              type: "string",
              choices: ["poisson", "even"],
              describe: "arrivals inside each metric period (default poisson)",
            },
            parameter: {
              type: "string",
              array: true,
              describe: "a CloudFormation parameter: --parameter Name=Value (repeatable)",
            },
            stream: {
              type: "string",
              describe: "the stream list-shards output and unlabelled metrics belong to",
            },
            "skip-unsupported": {
              type: "boolean",
              default: false,
              describe: "import the rest when a template holds Kinesis resources kinesim does not model",
            },
            check: {
              type: "boolean",
              default: false,
              describe: "run the scenario and compare it with the exported metrics of its window",
            },
            set: setOption,
            quiet: { type: "boolean", default: false, describe: "print nothing on success" },
          }),
      async (args) => {
        const { importCommand } = await import("./import.js");
        code = importCommand({
          files: args.files.map(String),
          out: args.out,
          ...(args.name !== undefined ? { name: args.name } : {}),
          ...(args.growth !== undefined ? { growth: args.growth } : {}),
          ...(args.busiest !== undefined ? { busiest: args.busiest } : {}),
          ...(args.from !== undefined ? { from: args.from } : {}),
          ...(args.to !== undefined ? { to: args.to } : {}),
          ...(args.arrivals !== undefined ? { arrivals: args.arrivals } : {}),
          ...(args.parameter ? { parameter: args.parameter.map(String) } : {}),
          ...(args.stream !== undefined ? { stream: args.stream } : {}),
          ...(args.set ? { set: args.set.map(String) } : {}),
          skipUnsupported: args["skip-unsupported"],
          check: args.check,
          quiet: args.quiet,
        });
      },
    )
    .command(
      "serve <scenario>",
      "serve the scenario's stream as a Kinesis endpoint over HTTP, in wall-clock time (for clients in any language)",
      (y) =>
        y.positional("scenario", { type: "string", demandOption: true }).options({
          port: { type: "number", default: 4567, describe: "TCP port to listen on (0: any free port)" },
          host: {
            type: "string",
            default: "127.0.0.1",
            describe: "address to listen on (0.0.0.0 in a container)",
          },
          "time-scale": {
            type: "number",
            default: 1,
            describe: "virtual seconds per wall second (10: a 1-hour scenario in 6 minutes)",
          },
          out: {
            type: "string",
            describe: "report folder written at shutdown (default reports/<name>-serve)",
          },
          seed: runOptions.seed,
          duration: {
            type: "string",
            describe: "how long to serve, in virtual time (default: the scenario's duration)",
          },
          set: runOptions.set,
          charts: runOptions.charts,
          quiet: { type: "boolean", default: false, describe: "no status lines on stderr" },
        }),
      async (args) => {
        checkNumberFlag("port", args.port, { min: 0, max: 65535 });
        checkNumberFlag("time-scale", args["time-scale"], { min: 0, above: true, fraction: true });
        const { serveCommand } = await import("./serve.js");
        code = await serveCommand({
          scenario: args.scenario,
          port: args.port,
          host: args.host,
          timeScale: args["time-scale"],
          ...(args.out !== undefined ? { out: args.out } : {}),
          ...(args.seed !== undefined ? { seed: args.seed } : {}),
          ...(args.duration !== undefined ? { duration: args.duration } : {}),
          set: args.set?.map(String) ?? [],
          charts: args.charts,
          quiet: args.quiet,
        });
      },
    )
    .command(
      "describe-stream <scenario>",
      "the simulated stream at a moment, as `aws kinesis describe-stream` shows it",
      (y) => streamAtOptions(y),
      (args) => printStreamAt(args, "describe"),
    )
    .command(
      "list-shards <scenario>",
      "the simulated stream's shards at a moment, as `aws kinesis list-shards` shows them",
      (y) => streamAtOptions(y),
      (args) => printStreamAt(args, "list"),
    )
    .command(
      "get-shard-iterator <scenario>",
      "a shard iterator at a virtual time, as `aws kinesis get-shard-iterator` returns it",
      (y) =>
        y.positional("scenario", { type: "string", demandOption: true }).options({
          "shard-id": { type: "string", demandOption: true, describe: "e.g. shardId-000000000000" },
          "shard-iterator-type": {
            type: "string",
            choices: ITERATOR_TYPES,
            default: "TRIM_HORIZON",
            describe: "where the iterator starts",
          },
          "starting-sequence-number": { type: "string", describe: "for AT_/AFTER_SEQUENCE_NUMBER" },
          timestamp: { type: "string", describe: "for AT_TIMESTAMP: a virtual time such as 5m" },
          at: AT_OPTION,
          set: setOption,
        }),
      async (args) => {
        const { getShardIterator } = await import("./records.js");
        printJson(
          getShardIterator({
            scenario: args.scenario,
            shardId: args["shard-id"],
            type: args["shard-iterator-type"] as IteratorType,
            ...(args["starting-sequence-number"] !== undefined
              ? { startingSequenceNumber: args["starting-sequence-number"] }
              : {}),
            ...(args.timestamp !== undefined ? { timestamp: args.timestamp } : {}),
            ...(args.at !== undefined ? { at: args.at } : {}),
            ...(args.set ? { set: args.set.map(String) } : {}),
          }),
        );
      },
    )
    .command(
      "get-records <scenario>",
      "records from a shard iterator, as `aws kinesis get-records` returns them",
      (y) =>
        y.positional("scenario", { type: "string", demandOption: true }).options({
          "shard-iterator": { type: "string", demandOption: true },
          limit: { type: "number", describe: "at most this many records (1–10,000)" },
          at: {
            type: "string",
            describe: "virtual time of the call (default: when the iterator was issued)",
          },
          set: setOption,
        }),
      async (args) => {
        const { getRecords } = await import("./records.js");
        printJson(
          getRecords({
            scenario: args.scenario,
            shardIterator: args["shard-iterator"],
            ...(args.limit !== undefined ? { limit: args.limit } : {}),
            ...(args.at !== undefined ? { at: args.at } : {}),
            ...(args.set ? { set: args.set.map(String) } : {}),
          }),
        );
      },
    )
    .command(
      "put-record <scenario>",
      "dry run: the shard and sequence number a record would get at a virtual time",
      (y) =>
        y.positional("scenario", { type: "string", demandOption: true }).options({
          "partition-key": {
            type: "string",
            array: true,
            describe: "a partition key (repeat for several: answered as one PutRecords call)",
          },
          "keys-file": { type: "string", describe: "a file of partition keys, one per line" },
          "explicit-hash-key": {
            type: "string",
            describe: "a decimal 128-bit hash key instead of the key's MD5",
          },
          at: AT_OPTION,
          set: setOption,
        }),
      async (args) => {
        const { putRecord } = await import("./records.js");
        const { readKeysFile } = await import("./files.js");
        const keys = [
          ...(args["partition-key"] ?? []).map(String),
          ...(args["keys-file"] !== undefined ? readKeysFile(args["keys-file"]) : []),
        ];
        printJson(
          putRecord({
            scenario: args.scenario,
            partitionKeys: keys,
            ...(args["explicit-hash-key"] !== undefined
              ? { explicitHashKey: args["explicit-hash-key"] }
              : {}),
            ...(args.at !== undefined ? { at: args.at } : {}),
            ...(args.set ? { set: args.set.map(String) } : {}),
          }),
        );
      },
    )
    .command(
      "compare <scenario>",
      "run the scenario and each of its variants on the same traffic, and compare them",
      (y) =>
        y.positional("scenario", { type: "string", demandOption: true }).options({
          out: {
            type: "string",
            describe: "folder for the runs and the comparison (default reports/<name>-compare)",
          },
          set: runOptions.set,
          duration: runOptions.duration,
          resolution: runOptions.resolution,
          growth: runOptions.growth,
          force: runOptions.force,
          quiet: runOptions.quiet,
        }),
      async (args) => {
        const { compareCommand } = await import("./compare.js");
        code = await compareCommand({
          scenario: args.scenario,
          ...(args.out !== undefined ? { out: args.out } : {}),
          set: args.set?.map(String) ?? [],
          ...(args.duration !== undefined ? { duration: args.duration } : {}),
          ...(args.resolution !== undefined ? { resolution: args.resolution } : {}),
          ...(args.growth !== undefined ? { growth: args.growth } : {}),
          force: args.force,
          quiet: args.quiet,
        });
      },
    )
    .command(
      "cost <scenario>",
      "bill the scenario's traffic under provisioned shards and on-demand, for the run and a month",
      (y) =>
        y.positional("scenario", { type: "string", demandOption: true }).options({
          out: {
            type: "string",
            describe: "folder for cost.csv, cost.json and the chart (default reports/<name>-cost)",
          },
          prices: { type: "string", describe: "a YAML or JSON price table laid over the built-in one" },
          shards: {
            type: "number",
            describe: "shards of the provisioned run when the scenario is on-demand",
          },
          "on-demand-start": {
            type: "string",
            choices: ["new", "switch"],
            default: "new",
            describe:
              "the on-demand side of a provisioned scenario: a new stream (4 shards, or twice previousPeak) or the stream switched to on-demand (keeps its shards)",
          },
          set: runOptions.set,
          duration: runOptions.duration,
          resolution: runOptions.resolution,
          growth: runOptions.growth,
          force: runOptions.force,
          quiet: runOptions.quiet,
        }),
      async (args) => {
        checkNumberFlag("shards", args.shards, { min: 1 });
        const { costCommand } = await import("./cost.js");
        code = await costCommand({
          scenario: args.scenario,
          ...(args.out !== undefined ? { out: args.out } : {}),
          ...(args.prices !== undefined ? { prices: args.prices } : {}),
          ...(args.shards !== undefined ? { shards: args.shards } : {}),
          onDemandStart: args["on-demand-start"] as "new" | "switch",
          set: args.set?.map(String) ?? [],
          ...(args.duration !== undefined ? { duration: args.duration } : {}),
          ...(args.resolution !== undefined ? { resolution: args.resolution } : {}),
          ...(args.growth !== undefined ? { growth: args.growth } : {}),
          force: args.force,
          quiet: args.quiet,
        });
      },
    )
    .command(
      "plan <scenario>",
      "the smallest shard count that meets every SLO, by simulation, beside the closed-form answers",
      (y) =>
        y.positional("scenario", { type: "string", demandOption: true }).options({
          slo: {
            type: "string",
            array: true,
            default: [],
            describe:
              "an SLO: --slo putLatencyP99<2s --slo writeThrottledFraction<0.1% (adds to the scenario's)",
          },
          seeds: {
            type: "number",
            default: 3,
            describe: "replications per shard count (every one must pass)",
          },
          current: {
            type: "number",
            describe: "today's shard count: print the UpdateShardCount calls to the plan",
          },
          max: { type: "number", describe: "the largest shard count to try" },
          workers: { type: "number", describe: "worker threads (default: every core)" },
          out: {
            type: "string",
            describe: "folder for plan.csv, plan.json and the chart (default reports/<name>-plan)",
          },
          prices: { type: "string", describe: "a price table for the cost column" },
          set: runOptions.set,
          duration: runOptions.duration,
          resolution: runOptions.resolution,
          growth: runOptions.growth,
          force: runOptions.force,
          quiet: runOptions.quiet,
        }),
      async (args) => {
        checkNumberFlag("seeds", args.seeds, { min: 1 });
        checkNumberFlag("current", args.current, { min: 1 });
        checkNumberFlag("max", args.max, { min: 1 });
        checkNumberFlag("workers", args.workers, { min: 1 });
        const { planCommand } = await import("./plan.js");
        code = await planCommand({
          scenario: args.scenario,
          slo: args.slo.map(String),
          seeds: args.seeds,
          set: args.set?.map(String) ?? [],
          ...(args.duration !== undefined ? { duration: args.duration } : {}),
          ...(args.resolution !== undefined ? { resolution: args.resolution } : {}),
          ...(args.growth !== undefined ? { growth: args.growth } : {}),
          force: args.force,
          ...(args.current !== undefined ? { current: args.current } : {}),
          ...(args.max !== undefined ? { max: args.max } : {}),
          ...(args.workers !== undefined ? { workers: args.workers } : {}),
          ...(args.out !== undefined ? { out: args.out } : {}),
          ...(args.prices !== undefined ? { prices: args.prices } : {}),
          quiet: args.quiet,
        });
      },
    )
    .command(
      "sweep <scenario>",
      "run a grid of parameter values × seeds on all cores; one summary row per run",
      (y) =>
        y.positional("scenario", { type: "string", demandOption: true }).options({
          param: {
            type: "string",
            array: true,
            default: [],
            describe: "a parameter and its values: --param stream.shards=2,4,8 (repeatable)",
          },
          seeds: { type: "number", default: 1, describe: "replications of each grid point" },
          workers: { type: "number", describe: "worker threads (default: every core)" },
          partition: {
            type: "string",
            describe:
              "run slice i of n (1-based, e.g. 2/3); also read from JOB_COMPLETION_INDEX/JOB_COMPLETIONS or AWS_BATCH_JOB_ARRAY_INDEX",
          },
          out: { type: "string", describe: "folder for sweep.csv (default reports/<name>-sweep)" },
          prices: { type: "string", describe: "a price table for the monthlyCost column" },
          set: runOptions.set,
          duration: runOptions.duration,
          resolution: runOptions.resolution,
          growth: runOptions.growth,
          force: runOptions.force,
          quiet: runOptions.quiet,
        }),
      async (args) => {
        checkNumberFlag("seeds", args.seeds, { min: 1 });
        checkNumberFlag("workers", args.workers, { min: 1 });
        const { sweepCommand } = await import("./sweep.js");
        code = await sweepCommand({
          scenario: args.scenario,
          params: args.param.map(String),
          seeds: args.seeds,
          set: args.set?.map(String) ?? [],
          ...(args.duration !== undefined ? { duration: args.duration } : {}),
          ...(args.resolution !== undefined ? { resolution: args.resolution } : {}),
          ...(args.growth !== undefined ? { growth: args.growth } : {}),
          force: args.force,
          ...(args.workers !== undefined ? { workers: args.workers } : {}),
          ...(args.partition !== undefined ? { partition: args.partition } : {}),
          ...(args.out !== undefined ? { out: args.out } : {}),
          ...(args.prices !== undefined ? { prices: args.prices } : {}),
          quiet: args.quiet,
        });
      },
    )
    .command(
      "merge <files..>",
      "join the partition CSVs of a sweep into the sweep's CSV",
      (y) =>
        y.positional("files", { type: "string", array: true, demandOption: true }).options({
          out: { type: "string", demandOption: true, describe: "the merged CSV" },
          quiet: runOptions.quiet,
        }),
      async (args) => {
        const { mergeCommand } = await import("./sweep.js");
        code = mergeCommand(args.files.map(String), args.out, args.quiet);
      },
    )
    .command(
      "report <dir>",
      "re-render the charts and index.html of an earlier run from its CSVs",
      (y) =>
        y
          .positional("dir", { type: "string", demandOption: true })
          .options({ png: { type: "boolean", default: true, describe: "also write PNGs" } }),
      async (args) => {
        const { writeReport } = await import("./report-files.js");
        const report = await writeReport(args.dir, { png: args.png });
        process.stdout.write(
          `${report.statement}\nwrote ${args.dir}/index.html and ${report.charts.length} charts\n`,
        );
      },
    )
    .command(
      "schema",
      "print the JSON Schema of scenario files (for editor completion)",
      (y) => y.options({ out: { type: "string", describe: "write to this file instead of stdout" } }),
      async (args) => {
        const { scenarioJsonSchema } = await import("../scenario/json-schema.js");
        const text = `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
        if (args.out) writeFileSync(args.out, text);
        else process.stdout.write(text);
      },
    )
    .command(
      "bench",
      "time the benchmark suite and write reports/bench/results.json",
      (y) =>
        y.options({
          case: { type: "string", describe: "run one case in this process (used by the suite)" },
          runs: { type: "number", default: 3, describe: "repetitions per case (median reported)" },
          only: { type: "string", describe: "run only the cases whose name starts with this" },
          peer: {
            type: "boolean",
            default: false,
            describe: "time kinesim beside the per-record SimPy peer on its four cases (needs python3)",
          },
          "peer-dir": {
            type: "string",
            default: "../shared/peers",
            describe: "folder of the peer model (simpy_kinesis.py and its SimPy)",
          },
        }),
      async (args) => {
        checkNumberFlag("runs", args.runs, { min: 1 });
        if (args.peer) {
          const { benchPeerCommand } = await import("./bench-peer.js");
          code = benchPeerCommand({
            peerDir: args["peer-dir"],
            runs: args.runs,
            ...(args.only !== undefined ? { only: args.only } : {}),
          });
          return;
        }
        const { benchCommand } = await import("./bench.js");
        code = await benchCommand({
          ...(args.case !== undefined ? { case: args.case } : {}),
          ...(args.only !== undefined ? { only: args.only } : {}),
          runs: args.runs,
        });
      },
    )
    .strict()
    .help()
    .fail((message, error) => {
      if (error) throw error;
      process.stderr.write(`${message}\nRun kinesim --help for usage.\n`);
      code = 2;
      throw new UsageError();
    })
    .parseAsync();
  return code;
}

class UsageError extends Error {}

// Output piped into a command that stops reading (`| head`) is not an error of kinesim's.
for (const stream of [process.stdout, process.stderr])
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });

main(hideBin(process.argv)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.exitCode = 2;
      return;
    }
    try {
      process.exitCode = userError(fileSystemInputError(error) ?? error);
    } catch {
      process.stderr.write(`kinesim: internal error: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 3;
    }
  },
);
