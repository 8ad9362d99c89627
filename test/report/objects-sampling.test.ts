// A delivery stream's objects chart draws at most 2,000 objects. Read from a run's files, only
// those are kept (a day of 500 shards writes 260,000); the chart must be the same as from all rows.

import { describe, expect, it } from "vitest";
import type { FirehoseSummary } from "../../src/metrics/summary.js";
import { timeAxis } from "../../src/report/charts.js";
import type { Row } from "../../src/report/collect.js";
import { objectsChart, objectsStep } from "../../src/report/pipeline-charts.js";

const summary = {
  name: "archive",
  bufferSizeBytes: 128 * 2 ** 20,
  bufferIntervalSeconds: 300,
  objects: 4_501,
} as FirehoseSummary;

const rows: Row[] = Array.from({ length: 4_501 }, (_, i) => ({
  Created: i * 19.2,
  Partition: 0,
  Trigger: i % 7 === 0 ? "interval" : "size",
  Records: 1000 + (i % 13),
  Bytes: 120_000_000 + i,
  Attempts: 1,
  Done: i * 19.2 + 3,
  Result: i % 50 === 0 ? "backup" : "delivered",
}));

describe("the objects chart", () => {
  it("draws every 3rd of 4,501 objects, whether given all rows or only those", () => {
    const step = objectsStep(rows.length);
    expect(step).toBe(3);
    const axis = timeAxis(86_400);
    const all = objectsChart({ summary, rows: [], objects: rows }, axis);
    const kept = rows.filter((_, i) => i % step === 0);
    expect(kept.length).toBe(1_501);
    const sampled = objectsChart({ summary, rows: [], objects: kept, objectsStep: step }, axis);
    expect(JSON.stringify(sampled.spec)).toBe(JSON.stringify(all.spec));
    expect(JSON.stringify(all.spec)).toContain("(every 3rd drawn)");
  });
  it("draws all of 2,000 objects or fewer", () => {
    expect(objectsStep(2_000)).toBe(1);
    expect(objectsStep(2_001)).toBe(2);
    expect(objectsStep(0)).toBe(1);
  });
});
