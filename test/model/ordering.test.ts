// Per-key order: a throttled PutRecords batch lets a later record of a key overtake an earlier one;
// the consumer's count matches a recount from the processed records; `ordering: per-key` brings
// it to zero. After a reshard a naive reader reorders and a KCL application does not, and KCL's
// replays after a failover are duplicates, not reordering.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { NULL_SINK } from "../../src/metrics/sink.js";
import { buildRun } from "../../src/model/build.js";
import type { LogEntry } from "../../src/model/shard-log.js";
import type { Scenario } from "../../src/scenario/schema.js";
import { scenarioOf } from "../laws.js";

/** Runs a scenario, keeping every processed record of the first consumer (key, creation time). */
function runWithLog(scenario: Scenario) {
  const run = buildRun(scenario, { sink: NULL_SINK });
  const log: { keyId: number; originUs: number }[] = [];
  run.consumers[0]!.metrics.observer = (_t, pieces: readonly LogEntry[]) => {
    for (const p of pieces) if (p.keyId >= 0) log.push({ keyId: p.keyId, originUs: p.originUs });
  };
  run.sim.run(scenario.duration);
  run.recorder.finish(scenario.duration);
  return { run, log, order: run.consumers[0]!.metrics.order };
}

/**
 * An independent recount, after the run: per key, the processed creation times in order; a record
 * is out of order when an earlier one in its key's list was created after it.
 */
function recount(log: readonly { keyId: number; originUs: number }[]) {
  const byKey = new Map<number, number[]>();
  for (const r of log) {
    const list = byKey.get(r.keyId);
    if (list) list.push(r.originUs);
    else byKey.set(r.keyId, [r.originUs]);
  }
  let outOfOrder = 0;
  let keys = 0;
  let worst = 0;
  for (const times of byKey.values()) {
    let before = Number.NEGATIVE_INFINITY;
    let late = 0;
    for (const t of times) {
      if (before > t) {
        late++;
        worst = Math.max(worst, before - t);
      } else before = t;
    }
    outOfOrder += late;
    if (late > 0) keys++;
  }
  return { outOfOrder, keys, worst };
}

const scenario = (ordering: string) =>
  scenarioOf(readFileSync("scenarios/ordering-retries.yaml", "utf8"), {
    duration: "70s",
    "producers[0].ordering": ordering,
  });

describe("per-key order through retries", () => {
  it("a retry-heavy producer reorders keys; the consumer's count matches a recount of what it processed", () => {
    const { run, log, order } = runWithLog(scenario("none"));
    expect(run.producers[0]!.totalsNow().throttled).toBeGreaterThan(0);
    const again = recount(log);
    expect(order.outOfOrder).toBeGreaterThan(100);
    expect(order.outOfOrder).toBe(again.outOfOrder);
    expect(order.keysAffected).toBe(again.keys);
    expect(order.maxDisplacementUs).toBe(again.worst);
    expect(order.checked).toBe(log.length);
  });

  it("ordering: per-key keeps every key in order through the same throttling", () => {
    const { run, log, order } = runWithLog(scenario("per-key"));
    expect(run.producers[0]!.totalsNow().throttled).toBeGreaterThan(0);
    expect(order.outOfOrder).toBe(0);
    expect(recount(log).outOfOrder).toBe(0);
    expect(order.checked).toBeGreaterThan(50_000);
  });

  it("per-key ordering needs record resolution", () => {
    expect(() =>
      scenarioOf(readFileSync("scenarios/ordering-retries.yaml", "utf8"), {
        resolution: "10ms",
        "producers[0].ordering": "per-key",
      }),
    ).toThrow(/needs record resolution/);
  });
});

describe("per-key order across reshards and failovers", () => {
  // The producers keep each key in order themselves, so what is left is the reader's doing.
  const reshard = (consumer: string) =>
    scenarioOf(readFileSync("scenarios/reshard-schedule.yaml", "utf8"), {
      resolution: "record",
      duration: "7m",
      "producers[0].rate": "1500/s",
      "producers[0].ordering": "per-key",
      consumers: `[${consumer}]`,
    });

  it("a reader that takes children before finishing their parent reorders keys; KCL does not", () => {
    // Both fall behind (3 ms a record, ~375 records/s a shard), so a parent still has records
    // unread when its children open.
    const slow = "processing: { perRecord: 3ms }";
    const naive = runWithLog(reshard(`{ name: naive, type: polling, parentsFirst: false, ${slow} }`));
    const kcl = runWithLog(reshard(`{ name: kcl, type: kcl, workers: 2, retrieval: polling, ${slow} }`));
    expect(naive.order.outOfOrder).toBeGreaterThan(0);
    expect(naive.order.outOfOrder).toBe(recount(naive.log).outOfOrder);
    expect(kcl.order.outOfOrder).toBe(0);
    expect(kcl.order.checked).toBeGreaterThan(100_000);
  });

  it("records a KCL worker processes again after a failover are duplicates, not reordering", () => {
    const s = scenarioOf(readFileSync("scenarios/kcl-failover.yaml", "utf8"), {
      resolution: "record",
      "producers[0].ordering": "per-key",
    });
    const { run, order } = runWithLog(s);
    const duplicates = run.consumers[0]!.ledger().duplicates;
    expect(duplicates).toBeGreaterThan(0);
    expect(order.outOfOrder).toBe(0);
  });
});
