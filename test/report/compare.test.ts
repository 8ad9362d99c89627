import { describe, expect, it } from "vitest";
import { compareAcross, compareOverTime } from "../../src/report/compare.js";
import { renderChart } from "../../src/report/render.js";

describe("comparison charts", () => {
  it("draws one line per run over time, without warnings", async () => {
    const rows = (scale: number) =>
      Array.from({ length: 30 }, (_, i) => ({
        Time: i,
        WriteProvisionedThroughputExceeded: scale * (i % 7),
      }));
    const chart = compareOverTime(
      "policies",
      "Throttled records per policy",
      "test",
      [
        { label: "fixed 4 shards", rows: rows(3) },
        { label: "threshold policy", rows: rows(1) },
      ],
      (r) => Number(r["WriteProvisionedThroughputExceeded"]),
      "records/s",
    );
    const out = await renderChart(chart.spec, { png: false });
    expect(out.log.warnings).toEqual([]);
    expect(out.svg).toContain("fixed 4 shards");
    expect(out.svg).toContain("threshold policy");
  });

  it("draws a metric across a sweep with its SLO line and the chosen point", async () => {
    const points = [2, 3, 4, 5, 6].map((x) => ({ x, metrics: { throttled: 1 / x ** 3 } }));
    const chart = compareAcross(
      "plan",
      "Throttle fraction by shard count",
      "test",
      points,
      "shards",
      "throttled",
      "fraction",
      { threshold: 0.01, chosen: 5 },
    );
    const out = await renderChart(chart.spec, { png: false });
    expect(out.log.warnings).toEqual([]);
    expect(out.svg).toContain("Throttle fraction by shard count");
    expect((chart.spec as { layer: unknown[] }).layer).toHaveLength(3);
  });
});
