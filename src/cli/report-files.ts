// Reads a run folder's tables (streaming: shards.csv can be large) into the report collectors,
// builds the report and writes its files into the folder.

import {
  closeSync,
  createReadStream,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse";
import { parse as parseYaml } from "yaml";
import type { RunSummary } from "../metrics/summary.js";
import { openShardsOf, type Row, ShardCollector, TimeseriesCollector } from "../report/collect.js";
import { objectsStep } from "../report/pipeline-charts.js";
import { buildReport, type Report, type ReportOptions } from "../report/report.js";
import { ScenarioError } from "../scenario/load.js";
import type { KeptTable } from "./files.js";

/** Streams a CSV file's rows (as objects keyed by the header) to `onRow`. */
async function eachRow(path: string, onRow: (row: Row) => void): Promise<void> {
  const parser = createReadStream(path).pipe(parse({ columns: true, cast: true }));
  for await (const record of parser) onRow(record as Row);
}

/**
 * A cell as reading its table back gives it (csv-stringify writes it, csv-parse with `cast`
 * reads it), or undefined where that is not plain: a string that might read as a number.
 */
export function asRead(cell: unknown): string | number | undefined {
  if (typeof cell === "number") return Number.isFinite(cell) ? (cell === 0 ? 0 : cell) : String(cell);
  if (typeof cell === "string") return Number.isNaN(Number.parseFloat(cell)) ? cell : undefined;
  return undefined;
}

/** A kept table's rows as reading its file back gives them, or undefined if any cell is unclear. */
export function rowsAsRead(table: KeptTable): Row[] | undefined {
  const { columns, rows } = table;
  if (new Set(columns).size !== columns.length) return undefined;
  const out: Row[] = [];
  for (const cells of rows) {
    if (cells.length !== columns.length) return undefined;
    const row: Row = {};
    for (let c = 0; c < columns.length; c++) {
      const value = asRead(cells[c]);
      if (value === undefined) return undefined;
      row[columns[c]!] = value;
    }
    out.push(row);
  }
  return out;
}

/**
 * Adds kept shards.csv rows to `shards` as reading the file back would (ShardCollector.add of
 * rowsAsRead's rows), without making a row object but for the `hottest()` shard's rows, which go to
 * `hottestRows`. Returns false, having added nothing, where rowsAsRead would not take the table.
 */
function collectKeptShards(
  table: KeptTable,
  shards: ShardCollector,
  hottest: () => string,
  hottestRows: Row[],
): boolean {
  const { columns, rows } = table;
  if (new Set(columns).size !== columns.length) return false;
  for (const cells of rows) {
    if (cells.length !== columns.length) return false;
    for (const cell of cells) if (asRead(cell) === undefined) return false;
  }
  const place = new Map(columns.map((c, i) => [c, i]));
  for (const cells of rows) {
    const cell = (column: string) => {
      const i = place.get(column);
      return i === undefined ? undefined : asRead(cells[i]);
    };
    shards.addFrom(cell);
    if (cell("ShardId") === hottest()) hottestRows.push(rowsAsRead({ columns, rows: [cells] })![0]!);
  }
  return true;
}

/** Line breaks in a file: its rows and header, for a table whose cells never break a line. */
function lineBreaks(path: string): number {
  const bytes = readFileSync(path);
  let n = 0;
  for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) n++;
  return n;
}

function missing(dir: string, file: string): never {
  throw new ScenarioError([
    { file: join(dir, file), path: "", message: "missing: this does not look like a kinesim run folder" },
  ]);
}

/**
 * Builds the report of the run in `dir` and writes it there (with `charts: false`, index.html
 * alone). A run that kept its tables' rows (`kept`) hands them over, so they are not parsed
 * again; any table it did not keep is read from its file. A run also hands over its scenario's
 * description, which is otherwise read from scenario.yaml (a scenario may list a hundred
 * thousand keys: reading it again took a third of such a run).
 */
export async function writeReport(
  dir: string,
  options: ReportOptions = {},
  kept: (name: string) => KeptTable | undefined = () => undefined,
  scenario?: { description?: string | undefined },
): Promise<Report> {
  for (const file of ["summary.json", "timeseries.csv", "shards.csv", "scenario.yaml"]) {
    if (!existsSync(join(dir, file))) missing(dir, file);
  }
  /** The rows of table `name`, from the run if it kept them, else from its file. */
  const each = async (name: string, onRow: (row: Row) => void): Promise<void> => {
    const table = kept(name);
    const rows = table ? rowsAsRead(table) : undefined;
    if (rows) for (const row of rows) onRow(row);
    else await eachRow(join(dir, `${name}.csv`), onRow);
  };
  const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as RunSummary;
  const scenarioYaml = readFileSync(join(dir, "scenario.yaml"), "utf8");
  const description = scenario
    ? scenario.description
    : (parseYaml(scenarioYaml) as { description?: unknown } | null)?.description;
  const timeseries = new TimeseriesCollector();
  await each("timeseries", (row) => timeseries.add(row));
  const shards = new ShardCollector({
    durationSeconds: summary.durationSeconds,
    intervalSeconds: summary.metricsIntervalSeconds,
    recordsPerSecondLimit: summary.stream.recordsPerSecondLimit,
    bytesPerSecondLimit: summary.stream.bytesPerSecondLimit,
    openShards: openShardsOf(timeseries.rows),
  });
  const hottestShardRows: Row[] = [];
  // Read as rows come, as before: a summary without it fails only once a shard row needs it.
  const hottest = () => summary.hottestShard.shardId;
  // Kept rows go to the collector as cells (no object a row, but the hottest shard's); rows read
  // back are streamed: shards.csv of a long run with many shards does not fit in memory.
  const keptShards = kept("shards");
  if (!keptShards || !collectKeptShards(keptShards, shards, hottest, hottestShardRows))
    await each("shards", (row) => {
      shards.add(row);
      if (row["ShardId"] === hottest()) hottestShardRows.push(row);
    });
  /** A table's rows: all, or every `every`-th. */
  const table = async (name: string, every = 1): Promise<Row[]> => {
    const rows: Row[] = [];
    if (!existsSync(join(dir, `${name}.csv`))) missing(dir, `${name}.csv`);
    let i = 0;
    await each(name, (row) => {
      if (i++ % every === 0) rows.push(row);
    });
    return rows;
  };
  const consumers = [];
  for (const c of summary.consumers ?? [])
    consumers.push({ name: c.name, kind: c.kind, rows: await table(`consumer-${c.name}`) });
  const firehose = [];
  for (const f of summary.firehose ?? []) {
    // Only the objects the chart draws are kept: a day of 500 shards writes 260,000 of them.
    const objectsFile = join(dir, `firehose-${f.name}-objects.csv`);
    const keptObjects = kept(`firehose-${f.name}-objects`);
    const step = keptObjects
      ? objectsStep(keptObjects.rows.length)
      : existsSync(objectsFile)
        ? objectsStep(lineBreaks(objectsFile) - 1)
        : 1;
    firehose.push({
      summary: f,
      rows: await table(`firehose-${f.name}`),
      objects: await table(`firehose-${f.name}-objects`, step),
      objectsStep: step,
    });
  }
  const analytics = [];
  for (const a of summary.analytics ?? [])
    analytics.push({ summary: a, rows: await table(`analytics-${a.name}`) });
  const kpl = [];
  for (const p of summary.producers ?? [])
    if (p.kpl) kpl.push({ summary: p, rows: await table(`kpl-${p.name}`) });
  const files = readdirSync(dir).filter(
    (f) => f.endsWith(".csv") || f.endsWith(".json") || f.endsWith(".yaml"),
  );
  // cloudwatch.csv (80 MB for a day of 500 shards) goes to its file as it is made.
  const cloudwatch = openSync(join(dir, "cloudwatch.csv"), "w");
  let report: Report;
  try {
    report = await buildReport(
      {
        summary,
        scenarioYaml,
        ...(typeof description === "string" ? { description } : {}),
        timeseries: timeseries.rows,
        shards,
        hottestShardRows,
        consumers,
        firehose,
        analytics,
        kpl,
        files: files.filter((f) => !f.endsWith(".vl.json")),
      },
      { ...options, writeCloudwatch: (chunk) => writeSync(cloudwatch, chunk) },
    );
  } finally {
    closeSync(cloudwatch);
  }
  for (const [name, content] of report.files) writeFileSync(join(dir, name), content);
  return report;
}
