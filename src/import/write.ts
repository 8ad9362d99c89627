// The imported system as a scenario: YAML built with the `yaml` Document API, each value with a
// comment naming the file and path it came from, or saying what was assumed; the traffic as a
// trace CSV beside it; and the observed metrics of the chosen window, kept to compare runs with.

import { Document, isMap, isScalar, isSeq, type Node, parse as parseYaml, type Scalar } from "yaml";
import { KINESIS } from "../data/kinesis-limits.js";
import { evenSplit, shardIdOf } from "../model/hash-space.js";
import type { Override } from "../scenario/load.js";
import { parsePath } from "../scenario/load.js";
import type { ShardEntry } from "../scenario/schema.js";
import { formatNumber } from "../scenario/units.js";
import type { Path } from "./source.js";
import type {
  EfoFacts,
  FirehoseFacts,
  ImportedSystem,
  MappingFacts,
  MetricName,
  MetricSeries,
  StreamFacts,
} from "./system.js";
import { chooseWindow, type Window, type WindowChoice } from "./window.js";

/** Choices of `kinesim import` beyond its files. */
export interface WriteOptions {
  /** Scenario name (default: the main stream's). */
  name?: string;
  /** Traffic multiplier (`--growth 2x`). */
  growth: number;
  /** Which part of the metrics becomes the run. */
  window: WindowChoice;
  /** Arrivals inside each second: poisson (default) or even. */
  arrivals: "poisson" | "even";
  /** Base name of the CSV files written beside the scenario. */
  base: string;
  /** `--set` overrides, applied to the written document. */
  set: readonly Override[];
  /** The command line, for the head comment. */
  command: string;
}

/** A file written beside the scenario. */
export interface SideFile {
  name: string;
  text: string;
}

/** The scenario text, its side files, and what the import did (for the terminal). */
export interface Written {
  yaml: string;
  files: SideFile[];
  report: string[];
  /** The observed per-period series of the main stream's window, for comparison with a run. */
  observed?: Observed;
}

/** Observed series of one stream over the chosen window. */
export interface Observed {
  stream: string;
  periodSeconds: number;
  startMs: number;
  /** Per period, by metric (only those exported). */
  series: Partial<Record<MetricName, number[]>>;
  /** IncomingRecords per open shard over the window, by shard id (shard-level metrics only). */
  shardRecords: Record<string, number>;
}

/** Comments to attach: above a key (or list item), by path. */
type Comments = Map<string, string[]>;

/** Assumed Lambda run time when nothing says otherwise: 20 ms per batch and 0.1 ms per record. */
const ASSUMED_LAMBDA = { base: "20ms", perRecord: "100us", p99: "2x" };
/** Characters of an assumed partition key (a UUID). */
const KEY_CHARS = 36;

/** Builds the scenario document from the imported system. */
export function writeScenario(system: ImportedSystem, options: WriteOptions): Written {
  const comments: Comments = new Map();
  const say = (path: Path, line: string) => {
    const key = JSON.stringify(path);
    comments.set(key, [...(comments.get(key) ?? []), line]);
  };
  const report: string[] = [];
  const files: SideFile[] = [];
  const withMetrics = system.streams.filter((s) => system.series.some((x) => x.stream === s.name));
  // The main stream: the one with metrics, else an on-demand one (only the main may be), else the first.
  const main =
    withMetrics[0] ?? system.streams.find((s) => s.mode?.value === "on-demand") ?? system.streams[0];
  const ordered = main ? [main, ...system.streams.filter((s) => s !== main)] : [];
  const scenario: Record<string, unknown> = {
    name: options.name ?? sanitize(main?.name ?? system.firehoses[0]?.name ?? "imported"),
    description: `Imported with kinesim import from ${[...new Set(sourcesOf(system))].join(", ")}`,
    seed: 1,
  };
  let duration = "15m";
  const producers: Record<string, unknown>[] = [];
  let observed: Observed | undefined;
  ordered.forEach((s, i) => {
    const path: Path = i === 0 ? ["stream"] : ["streams", i - 1];
    const layout = layoutOf(s, i === 0);
    if (i === 0) scenario.stream = streamBody(s, layout, path, say, i === 0);
    else {
      scenario.streams = [
        ...((scenario.streams as unknown[]) ?? []),
        streamBody(s, layout, path, say, false),
      ];
    }
    const traffic = trafficOf(system, s, layout, options, producers.length, say, report, files);
    producers.push(traffic.producer);
    if (traffic.duration && i === 0) duration = traffic.duration;
    if (traffic.observed && i === 0) observed = traffic.observed;
    // On-demand capacity follows the 30-day peak; the export's busiest period is its lower bound.
    if (traffic.peak && i === 0) {
      const onDemand: Record<string, unknown> = {
        previousPeakRecords: `${Math.ceil(traffic.peak.records)}/s`,
      };
      if (traffic.peak.bytes !== undefined) onDemand.previousPeak = `${Math.ceil(traffic.peak.bytes)}B/s`;
      (scenario.stream as Record<string, unknown>).onDemand = onDemand;
      say(
        ["stream", "onDemand"],
        `the export's busiest period, per second (${traffic.peak.from}): on-demand capacity keeps room for twice the 30-day peak, and the export's is a lower bound (used when the stream is or becomes on-demand, and by cost's on-demand side)`,
      );
    }
  });
  scenario.duration = duration;
  if (options.growth !== 1) {
    scenario.growth = options.growth;
    say(["growth"], `from --growth: every producer's traffic × ${options.growth}`);
  }
  if (!withMetrics[0])
    say(["duration"], "ASSUMED: no metrics imported, so a short run; set the time you want to see");
  else say(["duration"], `the metrics window: ${observed ? describeWindow(observed) : ""}`);
  scenario.producers = producers;
  const consumers = consumersOf(system, say, report, main?.name);
  if (consumers.length > 0) scenario.consumers = consumers;
  const firehose = system.firehoses.map((f, i) => firehoseBody(f, i, say, report));
  if (firehose.length > 0) scenario.firehose = firehose;
  // Keys in the order a reader expects.
  const orderKeys = [
    "name",
    "description",
    "seed",
    "duration",
    "growth",
    "stream",
    "streams",
    "producers",
    "consumers",
    "firehose",
  ];
  const sorted: Record<string, unknown> = {};
  for (const k of orderKeys) if (scenario[k] !== undefined) sorted[k] = scenario[k];
  const doc = new Document(sorted);
  for (const override of options.set) applySet(doc, override, say);
  attach(doc, comments);
  flowStyle(doc);
  doc.commentBefore = [
    ` Imported by: ${options.command}`,
    " Each value says where it came from (file: path) or that it was ASSUMED; check the assumptions",
    " before trusting a plan. Nothing here was measured inside a minute: per-second peaks are modelled.",
    ...(system.notes.length > 0 ? [" Notes:", ...system.notes.map((n) => `   - ${n}`)] : []),
  ].join("\n");
  return { yaml: doc.toString({ lineWidth: 0 }), files, report, ...(observed ? { observed } : {}) };
}

function sourcesOf(system: ImportedSystem): string[] {
  const all = [
    ...system.streams.map((s) => s.from),
    ...system.mappings.map((m) => m.from),
    ...system.firehoses.map((f) => f.from),
    ...system.efo.map((e) => e.from),
    ...system.series.map((x) => x.from),
  ];
  return all.map((f) => f.split(": ")[0]!);
}

/** A name kinesim accepts (letters, digits, _ . -). */
function sanitize(text: string): string {
  const clean = text.replace(/[^A-Za-z0-9_.-]/g, "-").replace(/^[^A-Za-z0-9]+/, "");
  return (clean || "imported").slice(0, 128);
}

/** A stream's open shards: as listed, or the even split CreateStream makes of its count. */
interface Layout {
  open: ShardEntry[];
  listed: boolean;
}

function layoutOf(s: StreamFacts, main: boolean): Layout {
  if (s.shards && s.shards.value.length > 0)
    return { open: s.shards.value.filter((x) => !x.closed), listed: true };
  const count = s.shardCount?.value ?? (s.mode?.value === "on-demand" || !main ? 4 : 1);
  const open = evenSplit(count).map((r, i) => ({
    shardId: shardIdOf(i),
    startingHashKey: r.start.toString(),
    endingHashKey: r.end.toString(),
    closed: false,
  }));
  return { open, listed: false };
}

function streamBody(
  s: StreamFacts,
  layout: Layout,
  path: Path,
  say: (path: Path, line: string) => void,
  main: boolean,
): Record<string, unknown> {
  const body: Record<string, unknown> = { name: s.name };
  say([...path, "name"], `from ${s.from}`);
  let mode = s.mode?.value ?? "provisioned";
  if (s.mode) say([...path, "mode"], `from ${s.mode.from}`);
  else say([...path, "mode"], "ASSUMED: provisioned (no StreamModeDetails given; that is AWS's default)");
  if (mode === "on-demand" && !main) {
    mode = "provisioned";
    say(
      [...path, "mode"],
      "on-demand in AWS; kinesim scales only the scenario's first stream, so this one is provisioned at its shard count",
    );
  }
  body.mode = mode;
  if (s.shards) {
    body.shards = layout.open.length;
    say([...path, "shards"], `the open shards of ${s.shards.from}`);
    // An open shard's `closed: false` is the default, left out.
    body.shardList = s.shards.value.map(({ closed, ...x }) => (closed ? { ...x, closed } : x));
    say(
      [...path, "shardList"],
      `from ${s.shards.from}, exactly (ids, hash-key ranges, parents; closed = has an EndingSequenceNumber)`,
    );
    say([...path, "shardList"], "sequence numbers are not imported: kinesim numbers its own records");
  } else if (mode === "provisioned" || s.shardCount) {
    body.shards = layout.open.length;
    say(
      [...path, "shards"],
      s.shardCount
        ? `from ${s.shardCount.from} (ranges: the even split CreateStream makes)`
        : "ASSUMED: no shard count given",
    );
  }
  if (s.retentionHours) {
    body.retention = `${s.retentionHours.value}h`;
    say([...path, "retention"], `from ${s.retentionHours.from}`);
  }
  if (s.encryption && s.encryption.value !== "NONE")
    say(
      [...path, "name"],
      `${s.encryption.value} encryption (${s.encryption.from}) is not simulated: it changes no limit kinesim models`,
    );
  return body;
}

/** The producer fleet of one stream: the traced traffic of its metrics, or an assumed rate. */
function trafficOf(
  system: ImportedSystem,
  s: StreamFacts,
  layout: Layout,
  options: WriteOptions,
  index: number,
  say: (path: Path, line: string) => void,
  report: string[],
  files: SideFile[],
): {
  producer: Record<string, unknown>;
  duration?: string;
  observed?: Observed;
  /** Busiest period of the whole export, per second: records and bytes. */
  peak?: { records: number; bytes?: number; from: string };
} {
  const path: Path = ["producers", index];
  const mine = system.series.filter((x) => x.stream === s.name);
  const streamLevel = (metric: MetricName) => mine.find((x) => x.metric === metric && !x.shardId);
  const shardLevel = (metric: MetricName) => mine.filter((x) => x.metric === metric && x.shardId);
  let records = streamLevel("IncomingRecords");
  if (!records && shardLevel("IncomingRecords").length > 0) {
    records = sumSeries(shardLevel("IncomingRecords"));
    say([...path, "rate"], "stream IncomingRecords: the sum of the shard-level series");
  }
  const producer: Record<string, unknown> = { name: sanitize(`${s.name}-producers`) };
  if (index > 0) producer.target = s.name;
  if (!records) {
    const rate = Math.round(layout.open.length * KINESIS.shardWriteRecordsPerSecond.value * 0.5);
    producer.instances = Math.max(1, Math.ceil(rate / 500));
    producer.rate = `${rate}/s`;
    producer.arrivals = options.arrivals;
    producer.recordSize = "1KiB";
    say(
      [...path, "rate"],
      `ASSUMED: no IncomingRecords metrics for ${s.name}; half the open shards' record limit. Import CloudWatch metrics to trace the real traffic`,
    );
    say([...path, "recordSize"], "ASSUMED: no IncomingBytes metrics");
    say([...path, "instances"], "ASSUMED: one client per 500 records/s");
    report.push(`${s.name}: no metrics, traffic ASSUMED at ${rate} records/s of 1 KiB`);
    return { producer };
  }
  const window = chooseWindow(records, options.window, s.name);
  const slice = (x: MetricSeries) => alignedSlice(x, window);
  const recordValues = slice(records);
  const totalRecords = recordValues.reduce((a, v) => a + v, 0);
  const periodS = records.periodSeconds;
  const peakPerSecond = Math.max(...recordValues) / periodS;
  const stem = index === 0 ? options.base : `${options.base}.${sanitize(s.name)}`;
  const traceName = `${stem}.traffic.csv`;
  files.push({
    name: traceName,
    text: `time,IncomingRecords\n${recordValues.map((v, i) => `${new Date(window.startMs + i * periodS * 1000).toISOString()},${v}`).join("\n")}\n`,
  });
  producer.instances = Math.max(1, Math.min(1000, Math.ceil((peakPerSecond * options.growth) / 500)));
  say(
    [...path, "instances"],
    "ASSUMED: one client per 500 records/s at the busiest period (the metrics do not count clients)",
  );
  producer.rate = {
    profile: "trace",
    file: traceName,
    column: "IncomingRecords",
    interval: `${periodS}s`,
    values: "sum",
  };
  say(
    [...path, "rate"],
    `IncomingRecords of ${records.from}, ${describeWindowOf(window, periodS)} (Sum statistics per ${periodS} s, replayed as a rate constant within each period)`,
  );
  producer.arrivals = options.arrivals;
  say(
    [...path, "arrivals"],
    `${options.arrivals} inside each period: the per-second peaks inside a minute are modelled, not observed`,
  );
  const bytes = streamLevel("IncomingBytes");
  if (bytes && totalRecords > 0) {
    const totalBytes = slice(bytes).reduce((a, v) => a + v, 0);
    const perRecord = totalBytes / totalRecords;
    const data = Math.max(1, Math.round(perRecord - KEY_CHARS));
    producer.recordSize = `${data}B`;
    say(
      [...path, "recordSize"],
      `IncomingBytes ÷ IncomingRecords of the window (${bytes.from}) = ${perRecord.toFixed(1)} B, less an ASSUMED ${KEY_CHARS}-byte partition key; every record that size (ASSUMED: the export has no size distribution; with KPL aggregation these are aggregated Kinesis records)`,
    );
  } else {
    producer.recordSize = "1KiB";
    say([...path, "recordSize"], "ASSUMED: no IncomingBytes metrics");
  }
  const shardTotals: Record<string, number> = {};
  for (const x of shardLevel("IncomingRecords"))
    shardTotals[x.shardId!] = slice(x).reduce((a, v) => a + v, 0);
  const keys = keysOf(layout, shardTotals, s, [...path, "partitionKey"], say, report);
  if (keys) producer.partitionKey = keys;
  else say([...path, "name"], "no shard-level metrics: keys ASSUMED random (even over the hash space)");
  // IncomingRecords counts accepted records: with throttling, more was offered than it shows.
  const throttled = streamLevel("WriteProvisionedThroughputExceeded");
  const throttledSum = throttled ? slice(throttled).reduce((a, v) => a + v, 0) : 0;
  if (throttledSum > 0)
    say(
      [...path, "rate"],
      `the stream throttled ${formatNumber(Math.round(throttledSum))} records in this window (${throttled!.from}): the trace is of accepted records, so clients offered more than it replays (retried records are in it once they got through)`,
    );
  const observed: Observed = {
    stream: s.name,
    periodSeconds: periodS,
    startMs: window.startMs,
    series: {},
    shardRecords: shardTotals,
  };
  for (const x of mine) if (!x.shardId) observed.series[x.metric] = slice(x);
  observed.series.IncomingRecords = recordValues;
  files.push({ name: `${stem}.observed.csv`, text: observedCsv(observed) });
  say(
    [...path, "name"],
    `the exported metrics of this window are in ${stem}.observed.csv (kinesim import … --check compares a run with them)`,
  );
  report.push(
    `${s.name}: ${recordValues.length} periods of ${periodS} s from ${new Date(window.startMs).toISOString()} (${window.reason}); ${formatNumber(Math.round(totalRecords))} records, peak ${formatNumber(Math.round(peakPerSecond))}/s on average within a period`,
  );
  const peakOf = (x: MetricSeries | undefined) => (x ? Math.max(...x.values) / x.periodSeconds : undefined);
  const peakBytes = peakOf(bytes);
  return {
    producer,
    duration: `${recordValues.length * periodS}s`,
    observed,
    peak: {
      records: peakOf(records)!,
      ...(peakBytes !== undefined ? { bytes: peakBytes } : {}),
      from: `${records.from}${bytes ? ` and ${bytes.from}` : ""}`,
    },
  };
}

function describeWindowOf(w: Window, periodS: number): string {
  return `${new Date(w.startMs).toISOString()} for ${(w.points * periodS) / 60} min (${w.reason})`;
}

function describeWindow(o: Observed): string {
  const n = o.series.IncomingRecords?.length ?? 0;
  return `${new Date(o.startMs).toISOString()} + ${(n * o.periodSeconds) / 60} min`;
}

/** The sum of several aligned series (the shard-level series of one stream). */
function sumSeries(list: MetricSeries[]): MetricSeries {
  const start = Math.min(...list.map((x) => x.timesMs[0]!));
  const period = list[0]!.periodSeconds;
  const end = Math.max(...list.map((x) => x.timesMs.at(-1)!));
  const n = Math.round((end - start) / (period * 1000)) + 1;
  const values = new Array<number>(n).fill(0);
  for (const x of list)
    x.timesMs.forEach((t, i) => {
      const j = Math.round((t - start) / (period * 1000));
      values[j] = values[j]! + x.values[i]!;
    });
  return {
    ...list[0]!,
    shardId: undefined,
    timesMs: values.map((_, i) => start + i * period * 1000),
    values,
    from: `the sum of ${list.length} shard-level series`,
  } as MetricSeries;
}

/** A series' values over the window's periods (zero where it has no point). */
function alignedSlice(x: MetricSeries, w: Window): number[] {
  const out = new Array<number>(w.points).fill(0);
  const step = x.periodSeconds * 1000;
  x.timesMs.forEach((t, i) => {
    const j = Math.round((t - w.startMs) / step);
    if (j >= 0 && j < w.points && Math.abs(t - (w.startMs + j * step)) < step / 2) out[j] = x.values[i]!;
  });
  return out;
}

/**
 * The observed per-shard skew as weights over the open shards' hash ranges: each range carries
 * its shard's share of the records, spread evenly inside it, so the skew stays with the hash space
 * when a plan or an event reshards the stream.
 */
function keysOf(
  layout: Layout,
  totals: Record<string, number>,
  s: StreamFacts,
  path: Path,
  say: (path: Path, line: string) => void,
  report: string[],
): Record<string, unknown> | undefined {
  const ids = Object.keys(totals);
  if (ids.length === 0) return undefined;
  const known = new Set(layout.open.map((x) => x.shardId));
  const strangers = ids.filter((id) => !known.has(id));
  const sum = layout.open.reduce((a, x) => a + (totals[x.shardId] ?? 0), 0);
  if (sum <= 0) return undefined;
  const missing = layout.open.filter((x) => totals[x.shardId] === undefined).map((x) => x.shardId);
  const shares = layout.open.map((x) => (totals[x.shardId] ?? 0) / sum);
  const mean = 1 / shares.length;
  const max = Math.max(...shares);
  say(
    path,
    `the per-shard skew of the shard-level IncomingRecords: each open shard's range carries its share of the window's records (hottest ${(100 * max).toFixed(1)}% = ${(max / mean).toFixed(2)}× the mean of ${(100 * mean).toFixed(1)}%)`,
  );
  say(
    path,
    "fit: exact on these ranges (each range's keys all land on its shard); a reshard spreads a range's share over its 64 keys",
  );
  if (!layout.listed)
    say(
      path,
      `ASSUMED: the shards of ${s.name} are the even split of its shard count (no describe-stream / list-shards output imported)`,
    );
  if (missing.length > 0)
    say(path, `no shard-level metrics for ${missing.join(", ")}: weight 0 (no points means no records)`);
  if (strangers.length > 0)
    say(
      path,
      `metrics of ${strangers.join(", ")} left out: not open shards of the imported layout (closed before the export, or another stream's)`,
    );
  report.push(
    `${s.name}: per-shard skew from ${ids.length} shard-level series, hottest shard ${(100 * max).toFixed(1)}% of the records (${(max / mean).toFixed(2)}× the mean)`,
  );
  return {
    dist: "hashRanges",
    ranges: layout.open.map((x, i) => ({
      startingHashKey: x.startingHashKey,
      endingHashKey: x.endingHashKey,
      weight: Number(shares[i]!.toFixed(6)),
    })),
  };
}

function observedCsv(o: Observed): string {
  const metrics = Object.keys(o.series) as MetricName[];
  const n = o.series.IncomingRecords?.length ?? 0;
  const lines = [["time", "minute", ...metrics].join(",")];
  for (let i = 0; i < n; i++)
    lines.push(
      [
        new Date(o.startMs + i * o.periodSeconds * 1000).toISOString(),
        (i * o.periodSeconds) / 60,
        ...metrics.map((m) => o.series[m]![i] ?? ""),
      ].join(","),
    );
  return `${lines.join("\n")}\n`;
}

/** Lambda mappings and enhanced fan-out consumers. */
function consumersOf(
  system: ImportedSystem,
  say: (path: Path, line: string) => void,
  report: string[],
  main: string | undefined,
): Record<string, unknown>[] {
  const consumers: Record<string, unknown>[] = [];
  const names = new Set<string>();
  const unique = (name: string, stream: string) => {
    let n = sanitize(name);
    if (names.has(n)) n = sanitize(`${name}-${stream}`);
    names.add(n);
    return n;
  };
  /** A consumer's first fields, its path and the comment writer. */
  const start = (i: number, name: string, type: string, stream: string): ConsumerStart => ({
    path: ["consumers", i],
    body: { name, type, ...(stream !== main ? { stream } : {}) },
    say,
  });
  const viaLambda = new Set(
    system.mappings.filter((m) => m.efoConsumer).map((m) => `${m.stream}/${m.efoConsumer}`),
  );
  for (const m of system.mappings)
    consumers.push(
      lambdaBody(m, start(consumers.length, unique(m.functionName, m.stream), "lambda", m.stream)),
    );
  for (const e of system.efo) {
    if (viaLambda.has(`${e.stream}/${e.name}`)) continue;
    consumers.push(efoBody(e, start(consumers.length, unique(e.name, e.stream), "efo", e.stream)));
  }
  if (consumers.length > 0)
    report.push(
      `${consumers.length} consumer(s): ${consumers.map((c) => `${c.name} (${c.type})`).join(", ")}`,
    );
  return consumers;
}

/** A consumer being written: its path in the scenario, its fields so far, the comment writer. */
interface ConsumerStart {
  path: Path;
  body: Record<string, unknown>;
  say: (path: Path, line: string) => void;
}

function lambdaBody(m: MappingFacts, { path, body, say }: ConsumerStart): Record<string, unknown> {
  say([...path, "name"], `Lambda event source mapping of ${m.functionName}: ${m.from}`);
  const s = m.settings;
  for (const field of [
    "batchSize",
    "maximumBatchingWindowInSeconds",
    "parallelizationFactor",
    "maximumRetryAttempts",
    "maximumRecordAgeInSeconds",
    "bisectBatchOnFunctionError",
  ] as const) {
    const v = s[field];
    if (v === undefined) continue;
    body[field] = v.value;
    say([...path, field], `from ${v.from}`);
  }
  if (s.startingPosition) {
    const known = s.startingPosition.value === "LATEST" || s.startingPosition.value === "TRIM_HORIZON";
    body.startingPosition = known ? s.startingPosition.value : "LATEST";
    say(
      [...path, "startingPosition"],
      known
        ? `from ${s.startingPosition.from}`
        : `${s.startingPosition.value} in ${s.startingPosition.from}: kinesim starts at LATEST (the run begins at the chosen moment)`,
    );
  }
  if (s.functionResponseTypes?.value.includes("ReportBatchItemFailures")) {
    body.functionResponseTypes = ["ReportBatchItemFailures"];
    say([...path, "functionResponseTypes"], `from ${s.functionResponseTypes.from}`);
  }
  if (s.onFailure) {
    body.onFailure = s.onFailure.value;
    say([...path, "onFailure"], `from ${s.onFailure.from}`);
  }
  if (s.tumblingWindowInSeconds && s.tumblingWindowInSeconds.value > 0)
    say(
      [...path, "name"],
      `TumblingWindowInSeconds (${s.tumblingWindowInSeconds.from}) is not modelled: batches are not cut at window ends`,
    );
  if (s.filterCriteria)
    say(
      [...path, "name"],
      `FilterCriteria (${s.filterCriteria.from}) is not modelled: every record reaches the function (lower its duration if most are filtered out)`,
    );
  if (m.efoConsumer) {
    body.efo = true;
    say(
      [...path, "efo"],
      `reads through the enhanced fan-out consumer ${m.efoConsumer} (its event source ARN)`,
    );
  }
  body.duration = { ...ASSUMED_LAMBDA };
  say(
    [...path, "duration"],
    "ASSUMED: 20 ms per batch + 0.1 ms per record, p99 2× (no template or CLI output says how long the function runs; use its Duration metric)",
  );
  if (m.timeoutSeconds) {
    body.timeout = `${m.timeoutSeconds.value}s`;
    say([...path, "timeout"], `from ${m.timeoutSeconds.from}`);
  }
  if (m.memorySize) {
    body.memorySize = m.memorySize.value;
    say([...path, "memorySize"], `from ${m.memorySize.from}`);
  }
  return body;
}

function efoBody(e: EfoFacts, { path, body, say }: ConsumerStart): Record<string, unknown> {
  say([...path, "name"], `enhanced fan-out consumer: ${e.from}`);
  say(
    [...path, "type"],
    "ASSUMED: the application keeps up (no processing time); set processing: to its real cost",
  );
  return body;
}

function firehoseBody(
  f: FirehoseFacts,
  i: number,
  say: (path: Path, line: string) => void,
  report: string[],
): Record<string, unknown> {
  const path: Path = ["firehose", i];
  const body: Record<string, unknown> = { name: sanitize(f.name) };
  say([...path, "name"], `from ${f.from}`);
  if (f.sourceStream) {
    body.source = { stream: f.sourceStream.value };
    say([...path, "source"], `from ${f.sourceStream.from}`);
  } else {
    body.source = "direct-put";
    say(
      [...path, "source"],
      "direct PUT: no producer writes to it in this scenario; add one with target: to load it",
    );
    report.push(
      `${f.name}: a direct-PUT delivery stream without traffic (add a producer with target: ${f.name})`,
    );
  }
  const buffering: Record<string, unknown> = {};
  if (f.bufferSizeMiB) {
    buffering.size = `${f.bufferSizeMiB.value}MiB`;
    say([...path, "buffering", "size"], `SizeInMBs from ${f.bufferSizeMiB.from}`);
  }
  if (f.bufferIntervalSeconds) {
    buffering.interval = `${f.bufferIntervalSeconds.value}s`;
    if (f.bufferIntervalSeconds.value > 0 && f.bufferIntervalSeconds.value < 60) buffering.subMinute = true;
    say([...path, "buffering", "interval"], `IntervalInSeconds from ${f.bufferIntervalSeconds.from}`);
  }
  if (Object.keys(buffering).length > 0) body.buffering = buffering;
  if (f.transform) {
    const t: Record<string, unknown> = {};
    if (f.transform.value.bufferSizeMiB !== undefined) t.bufferSize = `${f.transform.value.bufferSizeMiB}MB`;
    if (f.transform.value.bufferIntervalSeconds !== undefined)
      t.bufferInterval = `${f.transform.value.bufferIntervalSeconds}s`;
    body.transform = t;
    say(
      [...path, "transform"],
      `Lambda processor from ${f.transform.from}; its run time is kinesim's default (ASSUMED)`,
    );
  }
  if (f.dynamicPartitioning) {
    body.partitioning = { partitions: 10 };
    say(
      [...path, "partitioning"],
      `dynamic partitioning from ${f.dynamicPartitioning.from}; ASSUMED 10 partition values (the template holds the expression, not what it yields)`,
    );
  }
  if (f.formatConversion) {
    body.formatConversion = { format: f.formatConversion.value };
    say([...path, "formatConversion"], `from ${f.formatConversion.from}`);
  }
  if (f.destination) {
    body.destination = { type: f.destination.value };
    say(
      [...path, "destination"],
      `from ${f.destination.from}; delivery times are kinesim's defaults for it (ASSUMED)`,
    );
  }
  if (f.backupAll) {
    body.backup = f.backupAll.value ? "all" : "failed";
    say([...path, "backup"], `S3 backup mode from ${f.backupAll.from}`);
  }
  return body;
}

/** Applies a `--set path=value` override to the document, with a comment saying so. */
function applySet(doc: Document, override: Override, say: (path: Path, line: string) => void): void {
  const path = parsePath(override.path);
  if (!path)
    throw new Error(`--set ${override.path}=${override.value}: expected a path such as stream.shards`);
  doc.setIn(path, doc.createNode(parseYaml(override.value)));
  say(path as Path, `from --set ${override.path}=${override.value}`);
}

/** Puts each comment above its key (or list item). */
function attach(doc: Document, comments: Comments): void {
  for (const [key, lines] of comments) {
    const path = JSON.parse(key) as (string | number)[];
    const text = lines.map((l) => ` ${l}`).join("\n");
    const last = path.at(-1);
    const parent = doc.getIn(path.slice(0, -1), true) as Node | undefined;
    const add = (node: { commentBefore?: string | null }) => {
      node.commentBefore = node.commentBefore ? `${node.commentBefore}\n${text}` : text;
    };
    const inList = path.length >= 2 && isSeq(doc.getIn(path.slice(0, -2), true));
    if (isMap(parent)) {
      const index = parent.items.findIndex((p) => isScalar(p.key) && p.key.value === last);
      const pair = parent.items[index];
      // The first key of a list item: its comment goes above the item ("- # …" would sit on the dash).
      if (index === 0 && inList) add(parent);
      else if (pair && isScalar(pair.key)) add(pair.key as Scalar);
    } else if (isSeq(parent) && typeof last === "number") {
      const item = parent.items[last] as Node | undefined;
      if (item) add(item);
    }
  }
}

/** Short lists and mappings on one line (hash ranges, durations), the rest in block style. */
function flowStyle(doc: Document): void {
  const flow = (path: Path) => {
    const node = doc.getIn(path, true);
    if (node && (isMap(node) || isSeq(node))) node.flow = true;
  };
  const count = (path: Path) => {
    const node = doc.getIn(path, true);
    return isSeq(node) ? node.items.length : 0;
  };
  for (let i = 0; i < count(["producers"]); i++) {
    flow(["producers", i, "rate"]);
    const ranges: Path = ["producers", i, "partitionKey", "ranges"];
    for (let j = 0; j < count(ranges); j++) flow([...ranges, j]);
  }
  for (let i = 0; i < count(["consumers"]); i++) flow(["consumers", i, "duration"]);
}
