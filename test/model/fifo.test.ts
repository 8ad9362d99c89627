// SQS FIFO queues: per-action call quotas hold every second, a group is delivered in order and
// one batch at a time (so busy workers never exceed the groups), failed receives come back after
// the visibility timeout in order, and slow processing past the timeout is processed twice.

import { describe, expect, it } from "vitest";
import type { Cell } from "../../src/metrics/sink.js";
import { runInMemory, scenarioOf } from "../laws.js";

function queueScenario(queue: string, producer = "", duration = "60s"): string {
  return `name: q
seed: 8
duration: ${duration}
resolution: record
queues:
  - name: jobs
    ${queue}
producers:
  - name: p
    target: jobs
    instances: 10
    keyAffinity: true
    rate: 2000/s
    recordSize: 200B
    partitionKey: { dist: uniform, keys: 10 }
    ${producer}
`;
}

const rows = (run: ReturnType<typeof runInMemory>, col: string) =>
  run.sink.records("queue-jobs").map((r) => Number(r[col] as Cell));

describe("SQS FIFO queues", () => {
  it("never take more than 300 calls of an action in any second, and throttle the rest", () => {
    // 4,000 messages/s in batches of at most 10 need over 400 sends/s.
    const run = runInMemory(
      scenarioOf(
        queueScenario("consumers: { workers: 50 }", "maxInFlight: 4", "60s").replace("2000/s", "4000/s"),
      ),
    );
    const q = run.summary.queues[0]!;
    expect(q.sendThrottled).toBeGreaterThan(0);
    for (const n of rows(run, "ReceiveCalls")) expect(n).toBeLessThanOrEqual(300);
    // A call carries at most 10 messages.
    for (const n of rows(run, "NumberOfMessagesSent")) expect(n).toBeLessThanOrEqual(3000);
    expect(q.ledger.balanced).toBe(true);
  });

  it("deliver each group in order and one batch at a time: busy workers never exceed the groups", () => {
    const run = runInMemory(
      scenarioOf(queueScenario("consumers: { workers: 50, processing: { base: 20ms } }")),
    );
    const q = run.summary.queues[0]!;
    expect(q.groups).toBe(10);
    expect(q.maxInFlightGroups).toBeLessThanOrEqual(10);
    expect(q.maxBusyWorkers).toBeLessThanOrEqual(10);
    expect(q.maxBusyWorkers).toBeGreaterThan(5);
    expect(q.order.outOfOrder).toBe(0);
    expect(q.order.checked).toBe(q.processed);
  });

  it("give failed receives back after the visibility timeout, in order", () => {
    const run = runInMemory(
      scenarioOf(
        queueScenario("visibilityTimeout: 2s\n    consumers: { workers: 20, failureRate: 5% }", "", "90s"),
      ),
    );
    const q = run.summary.queues[0]!;
    expect(q.redelivered).toBeGreaterThan(0);
    expect(q.duplicates).toBe(0);
    expect(q.order.outOfOrder).toBe(0);
    expect(q.ledger.balanced).toBe(true);
  });

  it("process messages twice when processing outlasts the visibility timeout", () => {
    const run = runInMemory(
      scenarioOf(
        queueScenario(
          "visibilityTimeout: 1s\n    consumers: { workers: 20, processing: { base: 800ms, p99: 3x } }",
          "",
          "60s",
        ),
      ),
    );
    const q = run.summary.queues[0]!;
    expect(q.duplicates).toBeGreaterThan(0);
    expect(q.redelivered).toBeGreaterThanOrEqual(q.duplicates);
    expect(q.ledger.balanced).toBe(true);
  });
});
