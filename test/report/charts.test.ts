import { describe, expect, it } from "vitest";
import type { FirehoseSummary } from "../../src/metrics/summary.js";
import { consumerLagChart, lambdaChart, latencyChart, timeAxis } from "../../src/report/charts.js";
import type { Row } from "../../src/report/collect.js";
import { compareAcross } from "../../src/report/compare.js";
import { latencyPathChart } from "../../src/report/pipeline-charts.js";
import { planChart } from "../../src/report/plan-charts.js";
import { renderChart } from "../../src/report/render.js";
import { logTicks, percentileScale } from "../../src/report/scales.js";

// biome-ignore lint/suspicious/noExplicitAny: specs are read here as plain JSON, field by field.
type Spec = Record<string, any>;
const axis = timeAxis(300);

/** A Lambda consumer's rows: lag grows by 0.4 s a second; every third second it did not invoke. */
function lambdaRows(seconds: number): Row[] {
  return Array.from({ length: seconds }, (_, t) => {
    const invoked = t % 3 !== 2;
    return {
      Time: t,
      IteratorAgeMilliseconds: invoked ? 400 * t : 0,
      "SubscribeToShardEvent.MillisBehindLatest": 0,
      // A call went out every second; only some brought records back.
      "GetRecords.Success": 1,
      DeliveredRecords: invoked ? 100 : 0,
      "SubscribeToShardEvent.Success": 0,
      Invocations: invoked ? 1 : 0,
      ProcessedRecords: invoked ? 100 : 0,
      "EndToEndLatency.p99": invoked ? 400 * t + 50 : 0,
    };
  });
}

/** Time series rows with put latency percentiles p50 and max (p90, p99 in between). */
function latencyRows(p50: number, max: number): Row[] {
  return Array.from({ length: 120 }, (_, t) => ({
    Time: t,
    "PutLatency.p50": p50 + (t % 5),
    "PutLatency.p90": (p50 + max) / 3,
    "PutLatency.p99": (p50 + max) / 2,
    "PutLatency.Max": max - (t % 7),
  }));
}

describe("value axes", () => {
  it("draws lag on a linear axis, without sawing to zero where nothing was read", async () => {
    const chart = consumerLagChart([{ name: "resize", kind: "lambda", rows: lambdaRows(241) }], axis)!;
    const y = (chart.spec as Spec).encoding.y;
    expect(y.scale).toBeUndefined(); // vega-lite's default: linear
    expect(y.title).toBe("seconds behind latest");
    const values = (chart.spec as Spec).data.values as { t: number; value: number }[];
    // Seconds without an invocation have no point, rather than a lag of 0.
    expect(values.some((v) => v.t % 3 === 2)).toBe(false);
    // What is drawn rises the whole way: a straight line on a linear axis.
    for (let i = 1; i < values.length; i++) expect(values[i]!.value).toBeGreaterThan(values[i - 1]!.value);
    expect(values.at(-1)!.value).toBeCloseTo(96, 6);
    const svg = (await renderChart(chart.spec, { png: false })).svg;
    expect(svg).not.toContain("log scale");
  });

  it("draws latency percentiles spanning decades on a log axis titled so, with round ticks", async () => {
    const wide = latencyChart(latencyRows(100, 20_000), axis);
    const y = (wide.spec as Spec).encoding.y;
    expect(y.scale.type).toBe("log");
    expect(y.title).toBe("put latency, ms (log scale)");
    expect(y.axis.values).toEqual(expect.arrayContaining([100, 1000, 10_000]));
    expect(wide.caption).toMatch(/logarithmic/);
    const svg = (await renderChart(wide.spec, { png: false })).svg;
    expect(svg).toContain("put latency, ms (log scale)");
    expect(svg).toContain(">10,000<"); // thousands separators on the ticks

    const narrow = latencyChart(latencyRows(100, 700), axis);
    expect((narrow.spec as Spec).encoding.y.scale).toBeUndefined();
    expect((narrow.spec as Spec).encoding.y.title).toBe("put latency, ms");
  });

  it("keeps a single growing latency line linear, however far it grows", () => {
    const points = Array.from({ length: 300 }, (_, t) => ({ series: "a", value: 50 + 1000 * t }));
    expect(percentileScale(points).type).toBe("linear");
  });

  it("puts log ticks on round numbers, without float noise", () => {
    expect(logTicks(0.3, 40)).toEqual([0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100]);
    expect(logTicks(3, 200_000)).toEqual([1, 10, 100, 1000, 10_000, 100_000, 1_000_000]);
  });
});

describe("the Lambda chart", () => {
  it("averages sparse invocations over 10 s instead of drawing a comb of 1s and 0s", () => {
    // A 1.5 s function: invocations per second go 1, 1, 0, 1, 1, 0, ...
    const rows = lambdaRows(120).map((r) => ({ ...r, Errors: 0, Throttles: 0, ConcurrentExecutions: 1 }));
    const chart = lambdaChart({ name: "resize", kind: "lambda", rows }, axis, 1);
    const invocations = ((chart.spec as Spec).data.values as { series: string; value: number }[])
      .filter((v) => v.series === "invocations/s")
      .map((v) => v.value);
    expect(invocations).toHaveLength(12);
    for (const v of invocations) {
      expect(v).toBeGreaterThanOrEqual(0.6);
      expect(v).toBeLessThanOrEqual(0.7);
    }
  });
});

describe("the latency path", () => {
  it("shows every stage name whole, however long", async () => {
    const stage = "buffer and deliver: telemetry-archive-eu-west-1-with-a-long-name → s3";
    const f = {
      name: "telemetry-archive-eu-west-1-with-a-long-name",
      destination: "s3",
      pathMeanMs: 61_234,
      stages: [
        { stage: "put: devices → telemetry-ingest-eu-west-1", meanMs: 120, p99Ms: 900 },
        { stage, meanMs: 61_114, p99Ms: 65_000 },
      ],
    } as unknown as FirehoseSummary;
    const chart = latencyPathChart(f);
    expect((chart.spec as Spec).encoding.y.axis.labelLimit).toBe(0);
    const svg = (await renderChart(chart.spec, { png: false })).svg;
    expect(svg).toContain(stage);
    expect(svg).not.toContain("…");
    expect(svg).toContain("stage means add up to 61.234 s");
  });
});

describe("threshold lines", () => {
  it("are drawn after every series and marker in a sweep chart", async () => {
    const points = [2, 3, 4, 5, 6].map((x) => ({ x, metrics: { throttled: 0.2 / x ** 4 } }));
    const chart = compareAcross(
      "plan",
      "Throttle fraction",
      "test",
      points,
      "shards",
      "throttled",
      "fraction",
      {
        threshold: 0.001,
        chosen: 5,
      },
    );
    const layers = (chart.spec as Spec).layer as Spec[];
    expect(layers).toHaveLength(3);
    expect(JSON.stringify(layers.at(-1))).toContain('"threshold"');
    const svg = (await renderChart(chart.spec, { png: false })).svg;
    const threshold = svg.lastIndexOf('stroke="#c62828"');
    expect(threshold).toBeGreaterThan(svg.lastIndexOf("mark-line"));
    expect(threshold).toBeGreaterThan(svg.lastIndexOf("mark-symbol"));
  });

  it("are the last layer of every plan panel, and a fraction spanning decades gets a log axis", async () => {
    const points = [4, 6, 7, 8].flatMap((shards, i) => [
      {
        shards,
        metric: "writeThrottledFraction",
        unit: "fraction",
        mean: [0.19, 0.009, 0, 0][i]!,
        worst: [0.2, 0.01, 0, 0][i]!,
        threshold: 0.001,
      },
      {
        shards,
        metric: "putLatencyP99",
        unit: "ms",
        mean: 1700 - 200 * i,
        worst: 1720 - 200 * i,
        threshold: 1000,
      },
    ]);
    const spec = planChart("Shards", 7, 4, points) as Spec;
    const panels = spec.vconcat as Spec[];
    expect(panels).toHaveLength(2);
    for (const panel of panels) expect(JSON.stringify(panel.layer.at(-1))).toContain('"threshold"');
    const fraction = panels[0]!.layer[0].encoding.y;
    expect(fraction.scale.type).toBe("symlog");
    expect(fraction.title).toBe("share (log scale)");
    expect(panels[1]!.layer[0].encoding.y.scale).toBeUndefined();
    const out = await renderChart(spec as never, { png: false });
    expect(out.log.warnings).toEqual([]);
    expect(out.svg).toContain("SLO 0.1%");
    expect(out.svg).toContain("SLO 1,000 ms");
  });
});
