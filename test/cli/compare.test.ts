import { readFileSync } from "node:fs";
import { stringify } from "csv-stringify/sync";
import { describe, expect, it } from "vitest";
import { compareLines, METRIC_KINDS, roundMetric } from "../../src/cli/compare.js";
import type { RunSummary } from "../../src/metrics/summary.js";

const golden = (name: string) =>
  JSON.parse(readFileSync(`test/golden/${name}.summary.json`, "utf8")) as RunSummary;

/** Decimals a CSV cell carries ("1.502" → 3); NaN for a cell that is not a plain number. */
const decimals = (cell: string) =>
  /^-?\d+(\.\d+)?$/.test(cell) ? (cell.split(".")[1] ?? "").length : Number.NaN;

describe("compare.csv", () => {
  it("rounds each metric by its kind: no float noise, no separators, units in the headers", () => {
    const a = golden("lambda-behind");
    const b = structuredClone(a);
    // 1501.629 ms / 1000 is 1.5016289999999999 in floating point.
    b.consumers[0]!.iteratorAgeMaxMs = 1501.629;
    b.putLatencyMs.p99 = 1144.8311;
    b.capacity.shardHours = 2.5111909999999997;
    const fire = golden("firehose-direct-put");
    const { metrics, lines } = compareLines(["as-written", "faster", "firehose"], [a, b, fire]);
    const csv = stringify(lines, { header: true }).trim().split("\n");
    const header = csv[0]!.split(",");
    expect(header).toEqual([
      "variant",
      "firstAttemptThrottledFraction",
      "putLatencyP99Ms",
      "droppedRecords",
      "outOfKeyOrderRecords",
      "maxConsumerLagSeconds",
      "shardHours",
      "maxOpenShards",
      "capacityActionsDone",
      "capacityActionsRefused",
      "firehoseThrottledRecords",
      "objectCount",
      "objectMeanBytes",
      "deliveryP99Ms",
      "maxDataFreshnessSeconds",
      "backedUpOrLostRecords",
    ]);
    for (const row of csv.slice(1)) {
      const cells = row.split(",");
      cells.slice(1).forEach((cell, i) => {
        const metric = metrics[i]!;
        expect(decimals(cell), `${metric.key} = ${cell}`).toBeLessThanOrEqual(
          METRIC_KINDS[metric.kind].decimals,
        );
      });
    }
    const faster = lines[1]!;
    expect(faster["maxConsumerLagSeconds"]).toBe(1.502);
    expect(faster["putLatencyP99Ms"]).toBe(1144.831);
    expect(faster["shardHours"]).toBe(2.511191);
    expect(csv[2]).toContain(",1.502,");
  });

  it("rounds without leaving binary residue", () => {
    expect(roundMetric("seconds", 1501.629 / 1000)).toBe(1.502);
    expect(String(roundMetric("fraction", 0.1 + 0.2))).toBe("0.3");
    expect(roundMetric("count", 2.5)).toBe(3);
    expect(Object.is(roundMetric("ms", -0.0001), 0)).toBe(true);
  });

  it("shows people separators and units", () => {
    expect(METRIC_KINDS.ms.show(1144.831)).toBe("1,145 ms");
    expect(METRIC_KINDS.seconds.show(12_345.67)).toBe("12,345.7 s");
    expect(METRIC_KINDS.fraction.show(0.004739)).toBe("0.474%");
    expect(METRIC_KINDS.count.show(1_598_033)).toBe("1,598,033");
    expect(METRIC_KINDS.bytes.show(2144)).toBe("2.09 KiB");
  });
});
