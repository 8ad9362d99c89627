// Validation of Firehose buffering against AWS's rule: the size and interval hints are "hints",
// and whichever is reached first triggers delivery (FH-BUF-CUR; BOTO-2026 BufferingHints;
// FH-DG-2023 basic-deliver.md). At B bytes/s into a buffer of size S and interval T, an object is
// therefore written every min(S/B, T) seconds: S/B when the size fills first, and T (plus the wait
// for the first record after a flush, which opens the next buffer) when the interval ends first.
// Defaults checked against the same page: S3 5 MiB / 300 s, HTTP endpoint 5 MiB / 60 s.

import { describe, expect, it } from "vitest";
import { FIREHOSE_BUFFERING } from "../../src/data/firehose-limits.js";
import { runInMemory, scenarioOf } from "../laws.js";
import { column, mean, note } from "./stats.js";

const KiB = 1024;
const MiB = 1024 * KiB;

interface Case {
  /** Records per second (sent evenly by two clients) and the size of each. */
  rate: number;
  recordBytes: number;
  /** The delivery stream's YAML fields besides its name; empty for the defaults. */
  settings: string;
  /** The hints the case expects the delivery stream to use, bytes and seconds. */
  size: number;
  interval: number;
}

const S3_SIZE = FIREHOSE_BUFFERING.s3SizeDefaultMiB.value * MiB;
const S3_INTERVAL = FIREHOSE_BUFFERING.s3IntervalDefaultSeconds.value;

const cases: Case[] = [
  // 10 KiB/s into 1 MiB / 60 s: 102.4 s to fill, so the interval flushes.
  {
    rate: 10,
    recordBytes: KiB,
    settings: "buffering: { size: 1MiB, interval: 60s }",
    size: MiB,
    interval: 60,
  },
  // 100 KiB/s into 1 MiB / 60 s: the size fills in 10.24 s.
  {
    rate: 100,
    recordBytes: KiB,
    settings: "buffering: { size: 1MiB, interval: 60s }",
    size: MiB,
    interval: 60,
  },
  // 500 KiB/s into the S3 defaults (5 MiB / 300 s): 10.24 s.
  { rate: 50, recordBytes: 10 * KiB, settings: "", size: S3_SIZE, interval: S3_INTERVAL },
  // 2 MiB/s into 128 MiB / 60 s: 64 s to fill, so the interval wins, just.
  {
    rate: 32,
    recordBytes: 64 * KiB,
    settings: "buffering: { size: 128MiB, interval: 60s }",
    size: 128 * MiB,
    interval: 60,
  },
  // 1 MiB/s into 16 MiB / 900 s: 16 s.
  {
    rate: 16,
    recordBytes: 64 * KiB,
    settings: "buffering: { size: 16MiB, interval: 900s }",
    size: 16 * MiB,
    interval: 900,
  },
  // 50 KiB/s into an HTTP endpoint's defaults (5 MiB / 60 s): 102.4 s to fill, so 60 s.
  {
    rate: 50,
    recordBytes: KiB,
    settings: "destination: { type: http }",
    size: 5 * MiB,
    interval: FIREHOSE_BUFFERING.httpIntervalDefaultSeconds.value,
  },
];

describe("Firehose buffering hints: an object every min(S/B, T) seconds (FH-BUF-CUR)", () => {
  it("mean gap between objects, and what flushed them, over six rates and hint pairs", () => {
    for (const c of cases) {
      const label = `${c.rate} × ${c.recordBytes} B/s into ${c.settings || "the defaults"}`;
      const run = runInMemory(
        scenarioOf(`
name: validation-firehose
seed: 3
duration: 10m
producers:
  - { name: app, instances: 2, rate: ${c.rate}/s, arrivals: even, recordSize: ${c.recordBytes}B, target: events }
firehose:
  - { name: events${c.settings ? `, ${c.settings}` : ""} }
`),
      );
      const f = run.summary.firehose[0]!;
      expect([f.bufferSizeBytes, f.bufferIntervalSeconds], label).toEqual([c.size, c.interval]);
      expect(f.throttledRecords, label).toBe(0);
      const B = c.rate * c.recordBytes;
      const sizeFirst = c.size / B < c.interval;
      const objects = run.sink.records("firehose-events-objects");
      expect(objects.length, label).toBeGreaterThanOrEqual(5);
      for (const o of objects) expect(o["Trigger"], label).toBe(sizeFirst ? "size" : "interval");
      const created = column(objects, "Created");
      const gap = (created.at(-1)! - created[0]!) / (created.length - 1);
      note(`${label}: mean gap (s), ${objects.length} objects`, gap, Math.min(c.size / B, c.interval));
      if (sizeFirst) {
        // Tolerance 1%: every object holds exactly S bytes here (the record size divides S), and
        // the producers send evenly, so the gaps average S/B; the only jitter is the clients'
        // 100 ms linger, spread over at least 30 gaps.
        expect(gap / (c.size / B), label).toBeGreaterThan(0.99);
        expect(gap / (c.size / B), label).toBeLessThan(1.01);
        expect(mean(column(objects, "Bytes")), label).toBe(c.size);
      } else {
        // Tolerance: T ≤ gap ≤ T + 0.5 s. A buffer opens with the first record after a flush, and
        // with two clients each sending a batch at least every few hundred ms that wait is well
        // under half a second. Objects hold about B·T bytes (within 1%).
        expect(gap, label).toBeGreaterThanOrEqual(c.interval);
        expect(gap, label).toBeLessThanOrEqual(c.interval + 0.5);
        const bytes = mean(column(objects, "Bytes"));
        expect(bytes / (B * c.interval), label).toBeGreaterThan(0.99);
        expect(bytes / (B * c.interval), label).toBeLessThan(1.01);
      }
    }
  });
});
