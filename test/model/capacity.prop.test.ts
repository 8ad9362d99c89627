// Properties of capacity changes: whatever legal sequence of SplitShard, MergeShards and
// UpdateShardCount is applied, the open shards cover the hash-key space exactly once; writes
// never reach a closed shard; scaling policies never break UpdateShardCount's rules.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { US_PER_H } from "../../src/engine/time.js";
import { applyUniform, middleOf, updateShardCountRefusal } from "../../src/model/capacity.js";
import { MAX_HASH_KEY } from "../../src/model/hash-space.js";
import { Stream } from "../../src/model/stream.js";
import { expectLedgerBalanced, runInMemory, scenarioOf } from "../laws.js";
import { propertySeed, runs } from "../support/property.js";

function streamOf(shards: number): Stream {
  return new Stream(
    scenarioOf(`name: t\nduration: 1s\nstream: { shards: ${shards} }\nproducers: [{ name: p, rate: 1/s }]\n`)
      .stream,
  );
}

function expectTiling(stream: Stream): void {
  const open = stream.open;
  expect(open[0]!.range.start).toBe(0n);
  expect(open.at(-1)!.range.end).toBe(MAX_HASH_KEY);
  for (let i = 1; i < open.length; i++) expect(open[i]!.range.start).toBe(open[i - 1]!.range.end + 1n);
  // Every closed shard's range is covered by open shards created after it (its descendants).
  for (const shard of stream.shards.filter((s) => !s.open)) {
    const covering = open.filter((s) => s.range.start <= shard.range.end && s.range.end >= shard.range.start);
    for (const s of covering) expect(s.number).toBeGreaterThan(shard.number);
  }
}

const op = fc.oneof(
  fc.record({
    kind: fc.constant("split" as const),
    pick: fc.nat(),
    at: fc.double({ min: 0.01, max: 0.99, noNaN: true }),
  }),
  fc.record({ kind: fc.constant("merge" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("update" as const), factor: fc.double({ min: 0.5, max: 2, noNaN: true }) }),
);

describe("capacity properties", () => {
  it("the open shards tile the hash-key space exactly once after any legal reshards", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(op, { maxLength: 25 }), (initial, ops) => {
        const stream = streamOf(initial);
        let t = 0;
        for (const o of ops) {
          t += 1_000_000;
          const open = stream.open;
          if (o.kind === "split") {
            const shard = open[o.pick % open.length]!;
            const width = shard.range.end - shard.range.start;
            if (width < 2n) continue;
            const key = shard.range.start + 1n + BigInt(Math.floor(o.at * 1e6)) * ((width - 1n) / 1_000_000n);
            stream.splitShard(shard, key > shard.range.end ? middleOf(shard) : key, t);
          } else if (o.kind === "merge") {
            if (open.length < 2) continue;
            const i = o.pick % (open.length - 1);
            stream.mergeShards(open[i]!, open[i + 1]!, t);
          } else {
            const target = Math.max(1, Math.round(open.length * o.factor));
            if (updateShardCountRefusal(open.length, target, "provisioned", [], t) !== undefined) continue;
            applyUniform(stream, target, t);
            expect(stream.openCount).toBe(target);
          }
          expectTiling(stream);
        }
      }),
      { numRuns: runs(200, 2000), seed: propertySeed("reshard-tiling") },
    );
  });

  it("runs with scheduled reshards never write to a closed shard and keep their books", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 6 }),
        fc.constantFrom("record", "10ms"),
        fc.integer({ min: 1, max: 3 }),
        fc.integer(),
        (shards, resolution, step, seed) => {
          const target = Math.min(shards * 2, shards + step);
          const text = `
name: reshards
seed: ${seed}
duration: 2m
resolution: ${resolution}
stream: { shards: ${shards}, updating: { splitShard: 2s, updateShardCount: 5s } }
producers: [{ name: p, instances: 6, rate: ${900 * shards}/s, recordSize: 600B, partitionKey: { dist: zipf, keys: 500 } }]
consumers: [{ name: fn, type: lambda, batchSize: 50, parallelizationFactor: 2, duration: { base: 20ms } }]
events:
  - { at: 20s, action: SplitShard, shard: 0 }
  - { at: 50s, action: UpdateShardCount, targetShardCount: ${target} }
`;
          // The stream throws if a write reaches a closed shard; the ledgers must balance.
          const run = runInMemory(scenarioOf(text));
          expectLedgerBalanced(run);
          expect(run.summary.consumers[0]!.ledger.balanced).toBe(true);
          expect(run.summary.capacity.openShardsAtEnd).toBe(target);
        },
      ),
      { numRuns: runs(8, 100), seed: propertySeed("reshard-runs") },
    );
  });

  it.each(["threshold", "alarm", "target-tracking"])(
    "the %s policy never breaks UpdateShardCount's rules",
    (policy) => {
      // Traffic that swings every 20 minutes asks for far more than 10 calls a day. The summary lists
      // a run's first 100 actions, which these checks read: each policy's 100th comes within 5 hours
      // (threshold 4.6 h, alarm 1.8 h, target tracking 2.4 h), and a run of 6 hours lists the same
      // 100 actions as one of 30 hours, which test:deep runs.
      const extra =
        policy === "alarm"
          ? ", lowMinutes: 5, coolOff: 1m"
          : policy === "threshold"
            ? ", scaleUp: { minutes: 1, coolOff: 1m }, scaleDown: { minutes: 2, coolOff: 1m }"
            : ", scaleOutCooldown: 1m, scaleInCooldown: 1m";
      const text = `
name: swing
seed: 9
duration: ${process.env["KINESIM_DEEP"] ? "30h" : "6h"}
resolution: 10s
metricsInterval: 60s
stream: { shards: 4, updating: { updateShardCount: 30s } }
producers: [{ name: p, instances: 10, rate: { profile: pulse, base: 100/s, peak: 2500/s, every: 40m, width: 20m }, recordSize: 500B }]
scaling: { policy: ${policy}, minShards: 1, maxShards: 64${extra} }
`;
      const run = runInMemory(scenarioOf(text));
      const actions = run.summary.capacity.actions.filter((a) => a.action === "UpdateShardCount");
      const done = actions.filter((a) => a.result === "done");
      expect(done.length).toBeGreaterThan(5);
      for (const a of done) {
        expect(a.to).toBeLessThanOrEqual(a.from * 2);
        expect(a.to * 2).toBeGreaterThanOrEqual(a.from);
      }
      // At most 10 calls in any rolling 24 hours.
      for (const a of done) {
        const inDay = done.filter((b) => b.at > a.at - (24 * US_PER_H) / 1e6 && b.at <= a.at).length;
        expect(inDay).toBeLessThanOrEqual(10);
      }
      // The policy wanted more than the rules allow, and was refused rather than let through.
      expect(actions.some((a) => a.result === "refused" && a.detail.includes("per rolling 24 hours"))).toBe(
        true,
      );
    },
  );
});
