// Analytics applications: windows emit when they close, throughput is capped by the subtasks,
// a failure replays from the last checkpoint, and a chained pipeline's latency decomposes into
// stages whose means add up to the latencies measured end to end.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Cell } from "../../src/metrics/sink.js";
import { expectLedgerBalanced, type MemoryRun, runInMemory, scenarioOf } from "../laws.js";

function app(settings: string, rate = "1000/s", shards = 2, duration = "6m"): string {
  return `name: app
seed: 9
duration: ${duration}
stream: { name: in, shards: ${shards} }
streams: [{ name: out, shards: 4 }]
producers:
  - { name: p, instances: 8, rate: ${rate}, recordSize: 200B }
analytics:
  - name: a
    sink: { stream: out }
    ${settings}
`;
}

function rows(run: MemoryRun, col: string): number[] {
  return run.sink.records("analytics-a").map((r) => Number(r[col] as Cell));
}

describe("windows", () => {
  it("a tumbling window emits its rows once per window, when the window closes", () => {
    const run = runInMemory(
      scenarioOf(
        app(
          "window: { type: tumbling, size: 1m }\n    output: { recordsPerWindow: 100 }\n    parallelism: 2",
        ),
      ),
    );
    const a = run.summary.analytics[0]!;
    // Windows close at 1m … 6m; each of the 2 subtasks emits its share of the 100 rows.
    expect(a.windowsEmitted).toBe(6 * 2);
    expect(a.recordsOut).toBeGreaterThanOrEqual(599);
    expect(a.recordsOut).toBeLessThanOrEqual(600);
    const emitted = rows(run, "RecordsOut");
    const times = run.sink.records("analytics-a").map((r) => Number(r["Time"]));
    // Output appears only in the interval that starts at a window boundary.
    emitted.forEach((n, i) => {
      if (n > 0) expect(times[i]! % 60).toBe(0);
    });
    // Records arrive evenly: they wait half a window on average for it to close.
    expect(a.windowWaitMs.mean / 1000).toBeGreaterThan(28.5);
    expect(a.windowWaitMs.mean / 1000).toBeLessThan(31.5);
    expect(a.windowWaitMs.max / 1000).toBeLessThanOrEqual(60);
    expectLedgerBalanced(run);
  });

  it("a sliding window emits at every slide, and a record waits half a slide for its first window", () => {
    const run = runInMemory(
      scenarioOf(
        app("window: { type: sliding, size: 1m, slide: 10s }\n    output: { recordsPerWindow: 10 }"),
      ),
    );
    const a = run.summary.analytics[0]!;
    expect(a.windowsEmitted).toBe(36);
    expect(a.windowWaitMs.mean / 1000).toBeGreaterThan(4.5);
    expect(a.windowWaitMs.mean / 1000).toBeLessThan(5.5);
  });
});

describe("throughput", () => {
  it("subtasks cap what an application processes: one falls behind, two keep up", () => {
    // 1,500 records/s; a subtask handles 1,000 records/s (1 ms each).
    const settings = (p: number) =>
      `parallelism: ${p}\n    processing: { perRecord: 1ms }\n    output: { perInput: 1 }`;
    const one = runInMemory(scenarioOf(app(settings(1), "1500/s")));
    const two = runInMemory(scenarioOf(app(settings(2), "1500/s")));
    const lagOne = rows(one, "MillisBehindLatest");
    const lagTwo = rows(two, "MillisBehindLatest");
    expect(Math.max(...lagOne.slice(-30))).toBeGreaterThan(60_000);
    expect(Math.max(...lagTwo.slice(-30))).toBeLessThan(5_000);
    expect(one.summary.analytics[0]!.utilization).toBeGreaterThan(0.95);
    // One subtask processes 1,000 records/s at most.
    expect(one.summary.analytics[0]!.recordsIn / 360).toBeLessThanOrEqual(1000);
    expect(two.summary.analytics[0]!.kpus).toBe(2);
  });
});

/** Checkpoints every minute, healthy and failing at 2m30s for 20 s: one pair of runs, made when a
 *  test first asks, for the two tests that read it. */
const checkpointed = (() => {
  const settings = (failures: string) =>
    `window: { type: tumbling, size: 1m }\n    output: { recordsPerWindow: 50 }\n    checkpointInterval: 1m\n    failures: ${failures}`;
  let runs: { healthy: MemoryRun; failed: MemoryRun } | undefined;
  return () => {
    runs ??= {
      healthy: runInMemory(scenarioOf(app(settings("[]")))),
      failed: runInMemory(scenarioOf(app(settings("[{ at: 150s, restart: 20s }]")))),
    };
    return runs;
  };
})();

describe("checkpoints and failures", () => {
  it("a failed application restarts from its last checkpoint and reads the records since again", () => {
    const { healthy, failed } = checkpointed();
    const a = failed.summary.analytics[0]!;
    expect(a.restarts).toBe(1);
    // The checkpoint at 2m; the failure at 2m30s: ~30 s of records (at 1,000/s) are read again.
    expect(a.duplicates).toBeGreaterThan(25_000);
    expect(a.duplicates).toBeLessThan(36_000);
    // The consumer's books still balance: duplicates are on top of the ledger.
    const c = failed.summary.consumers.find((x) => x.name === "a")!;
    expect(c.ledger.balanced).toBe(true);
    // During the outage nothing is processed; afterwards the backlog is worked off.
    const lag = rows(failed, "MillisBehindLatest");
    expect(Math.max(...lag.slice(150, 200))).toBeGreaterThan(20_000);
    expect(healthy.summary.analytics[0]!.duplicates).toBe(0);
  });
});

describe("windows across a restore", () => {
  const settings = (checkpoint: string, failures: string) =>
    `window: { type: tumbling, size: 1m }\n    output: { recordsPerWindow: 50 }\n    checkpointInterval: ${checkpoint}\n    failures: ${failures}`;

  it("a window that closed after the last checkpoint fires again: the sink is at-least-once", () => {
    // Checkpoints every minute (the runs of the test above). The checkpoint at 2m is taken before
    // the window ending at 2m closes; the failure at 2m30s restores that state, so the 1m–2m
    // window fires again at the restart.
    const runs = checkpointed();
    const healthy = runs.healthy.summary.analytics[0]!;
    const failed = runs.failed.summary.analytics[0]!;
    expect(failed.windowsEmitted).toBe(healthy.windowsEmitted + 1);
    expect(failed.recordsOut).toBe(healthy.recordsOut + 50);
  });

  it("a window whose end passed while the application was down fires at the restart", () => {
    // Checkpoints every 45 s: the one at 2m15s holds 15 s of the 2m–3m window. Down from 2m50s to
    // 3m20s: the 3m boundary passes; at 3m20s the restored window fires with what it held.
    const run = runInMemory(scenarioOf(app(settings("45s", "[{ at: 170s, restart: 30s }]"))));
    const out = rows(run, "RecordsOut");
    const times = run.sink.records("analytics-a").map((r) => Number(r["Time"]));
    const at = (second: number) => out[times.indexOf(second)]!;
    expect(at(180)).toBe(0);
    expect(at(200)).toBeGreaterThan(0);
    expect(run.summary.analytics[0]!.windowsEmitted).toBe(6);
  });
});

describe("a chained pipeline", () => {
  it("stream → application → stream → Firehose → S3: the stage means add up to the measured latencies", () => {
    const text = readFileSync("scenarios/analytics-chain.yaml", "utf8");
    const run = runInMemory(scenarioOf(text, { duration: "8m", "analytics[0].failures": "[]" }));
    const f = run.summary.firehose[0]!;
    const a = run.summary.analytics[0]!;
    const names = f.stages.map((s) => s.stage);
    expect(names).toEqual([
      "put: web → clicks",
      "read: clicks → page-views",
      "process and window: page-views",
      "put: page-views → page-counts",
      "read: page-counts → to-lake",
      "buffer and deliver: to-lake → s3",
    ]);
    const mean = (i: number) => f.stages[i]!.meanMs;
    // The application's creation-to-emit latency is the first three stages.
    expect(mean(0) + mean(1) + mean(2)).toBeCloseTo(a.emitLatencyMs.mean, 0);
    // What the delivery stream measures from an aggregate's creation is the last three.
    expect((mean(3) + mean(4) + mean(5)) / f.endToEndLatencyMs.mean).toBeGreaterThan(0.99);
    expect((mean(3) + mean(4) + mean(5)) / f.endToEndLatencyMs.mean).toBeLessThan(1.01);
    // The window dominates: half a minute on average; the buffer up to the 60 s interval.
    expect(mean(2) / 1000).toBeGreaterThan(28);
    expect(mean(2) / 1000).toBeLessThan(32);
    expect(f.pathMeanMs).toBeCloseTo(
      f.stages.reduce((x, s) => x + s.meanMs, 0),
      0,
    );
    expectLedgerBalanced(run);
  });
});
