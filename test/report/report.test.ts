import { readdirSync } from "node:fs";
import { Resvg } from "@resvg/resvg-js";
import { describe, expect, it } from "vitest";
import { fontFiles } from "../../src/report/render.js";
import { reportOf } from "./support.js";

const SCENARIOS = readdirSync("scenarios").filter((f) => f.endsWith(".yaml"));

/** Every encoding channel in a spec whose scale is logarithmic, with its title. */
function logChannels(node: unknown, found: { title: unknown }[] = []): { title: unknown }[] {
  if (Array.isArray(node)) for (const x of node) logChannels(x, found);
  else if (node && typeof node === "object") {
    const o = node as Record<string, unknown>;
    const type = (o["scale"] as { type?: string } | undefined)?.type;
    if (type === "log" || type === "symlog") found.push({ title: o["title"] });
    for (const v of Object.values(o)) logChannels(v, found);
  }
  return found;
}

/** Share of pixels that are not (near) white in a horizontal band of a rendered SVG. */
function inkInBand(svg: string, fonts: string[], top: number, bottom: number): number {
  const image = new Resvg(svg, {
    background: "white",
    font: {
      loadSystemFonts: false,
      fontFiles: fonts,
      defaultFontFamily: "DejaVu Sans",
      sansSerifFamily: "DejaVu Sans",
    },
  }).render();
  const { width, pixels } = image;
  let ink = 0;
  let total = 0;
  for (let y = top; y < bottom; y++) {
    for (let x = 0; x < width; x++) {
      const i = 4 * (y * width + x);
      total++;
      if (pixels[i]! < 200 || pixels[i + 1]! < 200 || pixels[i + 2]! < 200) ink++;
    }
  }
  return ink / total;
}

describe("reports", () => {
  it.each(SCENARIOS)("%s: every chart compiles without warnings and renders", async (file) => {
    const { run, report } = await reportOf(`scenarios/${file}`, { duration: "3m" }, { png: false });
    const s = run.summary;
    const expected = [
      ...(s.stream.declared
        ? ["throughput", "throttle-rate", "latency", "shard-heatmap", "cloudwatch-view"]
        : []),
      ...s.firehose.flatMap((f) => [
        `firehose-${f.name}-freshness`,
        `firehose-${f.name}-objects`,
        `firehose-${f.name}-throughput`,
        `latency-path-${f.name}`,
      ]),
      ...s.analytics.map((a) => `analytics-${a.name}`),
    ];
    const charts = report.charts.map((c) => c.name);
    expect(charts).toEqual(expect.arrayContaining(expected));
    // A scenario without a Kinesis stream draws none of the stream's charts.
    if (!s.stream.declared) expect(charts).not.toContain("shard-heatmap");
    for (const [name, log] of report.logs) {
      expect(log.warnings, `${name} warnings`).toEqual([]);
      expect(log.errors, `${name} errors`).toEqual([]);
    }
    const names = report.files.map(([n]) => n);
    for (const chart of report.charts) {
      // A log axis says so in the chart itself; lag and backlog are never on one.
      for (const channel of logChannels(chart.spec))
        expect(channel.title, chart.name).toMatch(/\(log scale\)$/);
      if (/lag|backlog|capacity|throughput/.test(chart.name))
        expect(logChannels(chart.spec), chart.name).toEqual([]);
      expect(names).toContain(`${chart.name}.vl.json`);
      const svg = report.files.find(([n]) => n === `${chart.name}.svg`)![1] as string;
      expect(svg).toMatch(/^<svg/);
      expect(svg).toContain("<text");
    }
    expect(names).toEqual(expect.arrayContaining(["index.html", "cloudwatch.csv"]));
  });

  it("PNG charts contain rendered text, drawn with the shipped font", async () => {
    const { report } = await reportOf("scenarios/trucks.yaml", { duration: "1m" });
    const svg = report.files.find(([n]) => n === "throughput.svg")![1] as string;
    const png = report.files.find(([n]) => n === "throughput.png")![1] as Uint8Array;
    expect(Buffer.from(png).subarray(1, 4).toString("latin1")).toBe("PNG");
    // The title band has ink with the font and none without it: the text is really drawn.
    const withFont = inkInBand(svg, fontFiles(), 0, 40);
    const withoutFont = inkInBand(svg, [], 0, 40);
    expect(withFont).toBeGreaterThan(0.01);
    expect(withoutFont).toBeLessThan(withFont / 10);
  });

  it("is deterministic: the same run gives the same bytes, HTML included", async () => {
    const a = await reportOf("scenarios/hot-key.yaml", { duration: "2m" });
    const b = await reportOf("scenarios/hot-key.yaml", { duration: "2m" });
    expect(b.report.files.map(([n]) => n)).toEqual(a.report.files.map(([n]) => n));
    for (const [name, content] of a.report.files) {
      const other = b.report.files.find(([n]) => n === name)![1];
      expect(Buffer.from(other).equals(Buffer.from(content)), name).toBe(true);
    }
  });

  it("states hidden throttling: one-second bursts at 150% with a one-minute average of 60%", async () => {
    const { report } = await reportOf("scenarios/hidden-throttling.yaml");
    expect(report.hidden.throttledMinutes).toBe(10);
    expect(report.hidden.hidden).toHaveLength(10);
    for (const minute of report.hidden.hidden) {
      expect(minute.averageUtilization).toBeGreaterThan(55);
      expect(minute.averageUtilization).toBeLessThan(75);
      expect(minute.peakUtilization).toBeGreaterThan(120);
    }
    expect(report.statement).toMatch(/^Hidden throttling: in 10 of the 10 shard-minutes that throttled/);
    const html = report.files.find(([n]) => n === "index.html")![1] as string;
    expect(html).toContain("Hidden throttling: in 10 of the 10 shard-minutes");
    expect(html).toContain('id="cloudwatch-view"');
    // Both views are in the data: the per-second truth crosses the limit, the minute average does not.
    const spec = JSON.parse(report.files.find(([n]) => n === "cloudwatch-view.vl.json")![1] as string);
    const values = spec.layer[0].data.values as { series: string; value: number }[];
    const perSecond = values.filter((v) => v.series.startsWith("demand per second"));
    const perMinute = values.filter((v) => v.series.startsWith("1-minute average"));
    // Percent of the limit that binds (records here).
    expect(Math.max(...perSecond.map((v) => v.value))).toBeGreaterThan(120);
    expect(Math.max(...perMinute.map((v) => v.value))).toBeLessThan(100);
    expect(spec.layer[0].encoding.y.title).toBe("% of the shard's limit");
    expect(report.statement).toMatch(/the limit of 1,000 records\/s per shard applies to each second\.$/);
    const csv = report.files.find(([n]) => n === "cloudwatch.csv")![1] as string;
    expect(csv.split("\n")[0]).toContain(
      "IncomingRecords.Sum,IncomingRecords.PerSecondAverage,IncomingRecords.PerSecondMaximum",
    );
    expect(csv.split("\n").filter((line) => line.endsWith(",1")).length).toBe(10);
  });

  it("says when bytes bind, and never mixes accepted and demand in one column (2 KiB records at ~90% of 1 MiB/s)", async () => {
    const { report } = await reportOf("scenarios/quickstart.yaml", {
      duration: "3m",
      "producers[0].recordSize": "2KiB",
      "producers[0].rate": "1800/s",
      "stream.shards": 4,
      resolution: "record",
    });
    const csv = (report.files.find(([n]) => n === "cloudwatch.csv")![1] as string).trim().split("\n");
    const header = csv[0]!.split(",");
    const col = (name: string) => header.indexOf(name);
    const rows = csv.slice(1).map((l) => l.split(","));
    const shardRows = rows.filter((r) => r[1]!.startsWith("shardId"));
    const throttled = shardRows.filter((r) => Number(r[col("WriteProvisionedThroughputExceeded.Sum")]) > 0);
    expect(throttled.length).toBeGreaterThan(0);
    for (const r of throttled) {
      // The busiest second of demand went over on bytes; what was accepted never did.
      expect(r[col("BindingLimit")]).toBe("bytes");
      expect(Number(r[col("DemandBytes.PerSecondMaximum")])).toBeGreaterThan(1048576);
      expect(Number(r[col("IncomingBytes.PerSecondMaximum")])).toBeLessThanOrEqual(1048576);
      expect(Number(r[col("IncomingRecords.PerSecondMaximum")])).toBeLessThan(1000);
    }
    // Stream rows mean the same as shard rows: accepted, at most the shards' limits.
    for (const r of rows.filter((x) => x[1] === "stream"))
      expect(Number(r[col("IncomingBytes.PerSecondMaximum")])).toBeLessThanOrEqual(4 * 1048576);
    expect(report.statement).toMatch(
      /1 MiB\/s per shard applies to each second \(these seconds were over on bytes, not records\)/,
    );
  });

  it("says so when no throttling is hidden, and when there is none at all", async () => {
    const none = await reportOf("scenarios/trucks.yaml", { duration: "2m" }, { png: false });
    expect(none.report.statement).toMatch(/^No shard throttled/);
    const open = await reportOf("scenarios/over-capacity.yaml", { duration: "2m" }, { png: false });
    expect(open.report.hidden.throttledMinutes).toBeGreaterThan(0);
    expect(open.report.statement).toMatch(/^Every minute in which a shard throttled/);
  });

  it("shows capacity over time only when it can change: the shard count steps at each reshard", async () => {
    const fixed = await reportOf("scenarios/quickstart.yaml", { duration: "1m" }, { png: false });
    expect(fixed.report.charts.map((c) => c.name)).not.toContain("capacity");
    const html = (r: typeof fixed) => r.report.files.find(([n]) => n === "index.html")![1] as string;
    expect(html(fixed)).not.toContain("<h2>Capacity</h2>");

    const resharded = await reportOf("scenarios/reshard-schedule.yaml", { duration: "7m" }, { png: false });
    const chart = resharded.report.charts.find((c) => c.name === "capacity");
    expect(chart).toBeDefined();
    const layers = (
      chart!.spec as { layer: { data: { values: { series?: string; value?: number; action?: string }[] } }[] }
    ).layer;
    const open = layers[0]!.data.values.filter((v) => v.series === "open shards").map((v) => v.value);
    // 4 shards, 5 after the split at 3m, 4 again after the merge at 6m.
    const steps = open.filter((x, i) => i === 0 || open[i - 1] !== x);
    expect(steps).toEqual([4, 5, 4]);
    expect(layers[1]!.data.values.map((v) => v.action)).toEqual(["SplitShard", "MergeShards"]);
    expect(html(resharded)).toContain("<h2>Capacity</h2>");
    expect(html(resharded)).toMatch(/SplitShard.*4 → 5/s);
  });
});

describe("cloudwatch.csv written as it is made", () => {
  it("is the same text chunk by chunk as whole, and is then not among the report's files", async () => {
    const { readFileSync } = await import("node:fs");
    const { buildReport, reportDataFromRows } = await import("../../src/report/report.js");
    const { runInMemory, scenarioOf } = await import("../laws.js");
    // 20 shards for 30 minutes: 630 minute rows, more than one chunk of rows.
    const scenario = scenarioOf(readFileSync("scenarios/hot-key.yaml", "utf8"), {
      duration: "30m",
      "stream.shards": 20,
    });
    const run = runInMemory(scenario);
    const data = () =>
      reportDataFromRows(run.summary, "", run.sink.records("timeseries"), run.sink.records("shards"));
    const whole = await buildReport(data(), { charts: false });
    const chunks: string[] = [];
    const streamed = await buildReport(data(), { charts: false, writeCloudwatch: (c) => chunks.push(c) });
    const text = whole.files.find(([n]) => n === "cloudwatch.csv")![1] as string;
    expect(text.split("\n").length).toBeGreaterThan(600);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join("")).toBe(text);
    expect(streamed.files.map(([n]) => n)).not.toContain("cloudwatch.csv");
    // The page links it either way.
    const html = (r: typeof whole) => r.files.find(([n]) => n === "index.html")![1] as string;
    expect(html(streamed)).toBe(html(whole));
    expect(html(streamed)).toContain('href="cloudwatch.csv"');
  });
});
