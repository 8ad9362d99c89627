// Validation of key routing against balls-into-bins. Kinesis hashes each partition key with MD5
// into a 128-bit integer and sends the record to the shard whose hash-key range holds it; a
// created stream's ranges split the space evenly (BOTO-2026 PutRecord and HashKeyRange; the facts
// sheet's example: in a 5-shard stream shard 0 ends at ⌊2^128 / 5⌋ − 1). If MD5 behaves like a
// random function, K equally likely keys land on N shards as K balls in N bins: the keys per shard
// are multinomial(K, 1/N), the busiest shard carries max/K of the traffic, and for K ≫ N every
// shard's share approaches 1/N.

import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { runInMemory, scenarioOf } from "../laws.js";
import { maxLoadMoments, maxLoadMonteCarlo, note } from "./stats.js";

const SPACE = 1n << 128n;

/** Shard of a partition key in an evenly split stream of `shards` shards, computed independently. */
function shardOf(key: string, shards: number): number {
  const hash = BigInt(`0x${createHash("md5").update(key, "utf8").digest("hex")}`);
  // Shard i holds [⌊i·2^128/N⌋, ⌊(i+1)·2^128/N⌋ − 1].
  for (let i = 0; i < shards; i++) if (hash < (BigInt(i + 1) * SPACE) / BigInt(shards)) return i;
  return shards - 1;
}

/** Records accepted per shard (in shard order) over a run of K uniform keys on N shards. */
function shardTotals(keys: number, shards: number, prefix: string, rate: number, duration: string): number[] {
  const run = runInMemory(
    scenarioOf(`
name: validation-keys
seed: 5
duration: ${duration}
resolution: 10ms
stream: { shards: ${shards} }
producers:
  - { name: p, instances: 4, rate: ${rate}/s, recordSize: 100B, partitionKey: { dist: uniform, keys: ${keys}, prefix: "${prefix}" } }
`),
  );
  const totals = new Array<number>(shards).fill(0);
  for (const r of run.sink.records("shards")) {
    const index = Number(String(r["ShardId"]).replace("shardId-", ""));
    totals[index]! += Number(r["IncomingRecords"]);
  }
  // Far below the limits, so nothing is throttled and the shares are the routing's alone.
  expect(run.summary.producers[0]!.firstAttemptThrottledFraction).toBe(0);
  return totals;
}

describe("balls into bins: K equally likely keys on N shards", () => {
  it("few keys: the busiest shard carries the expected maximum load of multinomial(K, 1/N)", () => {
    const K = 50;
    const N = 8;
    const sets = 60;
    // 2,500 records/s for 16 s: even a shard with 30% of the keys stays under 1,000 records/s.
    const recordsPerRun = 2500 * 16;
    // The expectation, exactly (see stats.ts), and a seeded Monte Carlo cross-check of that
    // computation: 20,000 trials, agreement within 4 standard errors.
    const exact = maxLoadMoments(K, N);
    const mc = maxLoadMonteCarlo(K, N, 20_000, 20_240_601);
    expect(Math.abs(mc.mean - exact.mean)).toBeLessThan(4 * mc.standardError);
    note("E[max load], Monte Carlo vs exact", mc.mean, exact.mean);

    let busiestShares = 0;
    for (let s = 0; s < sets; s++) {
      const prefix = `set${s}-key-`;
      const totals = shardTotals(K, N, prefix, 2500, "16s");
      const all = totals.reduce((a, b) => a + b, 0);
      // Per key set: each shard's share of traffic is its share of the keys (MD5 + even ranges,
      // computed here with node:crypto), up to record-sampling noise. Tolerance: 5 standard
      // deviations of a binomial share, sqrt(p(1 − p) / records), p = keys on the shard / K.
      const keysOn = new Array<number>(N).fill(0);
      for (let k = 0; k < K; k++) keysOn[shardOf(`${prefix}${k}`, N)]!++;
      for (let i = 0; i < N; i++) {
        const p = keysOn[i]! / K;
        const sd = Math.sqrt((p * (1 - p)) / all);
        expect(Math.abs(totals[i]! / all - p), `set ${s}, shard ${i}`).toBeLessThanOrEqual(5 * sd + 1e-12);
      }
      busiestShares += Math.max(...totals) / all;
    }
    // Across key sets: the mean busiest share against E[max]/K. Tolerance: 4 standard errors of a
    // mean of `sets` independent maxima, sqrt(Var[max] / sets) / K, plus the record-sampling sd of
    // one share (≈ 0.002 at 40,000 records). The key sets differ only in their prefix, so whether
    // MD5 spreads them like independent uniform draws is exactly what this checks.
    const expected = exact.mean / K;
    const observed = busiestShares / sets;
    const tolerance =
      4 * (Math.sqrt(exact.variance / sets) / K + Math.sqrt((expected * (1 - expected)) / recordsPerRun));
    note(`mean busiest share (±${tolerance.toFixed(4)})`, observed, expected);
    expect(Math.abs(observed - expected)).toBeLessThanOrEqual(tolerance);
    // The busiest shard is far above 1/N with so few keys (E[max]/K ≈ 0.2 against 0.125).
    expect(expected).toBeGreaterThan(1.5 / N);
  });

  it("many keys: every shard's share approaches 1/N", () => {
    // K = 100,000 keys on N = 8 shards. A shard's key share has variance p(1 − p)/K (binomial, p =
    // 1/N), and its traffic share adds record-sampling variance p(1 − p)/records. Tolerance: every
    // shard within 4 combined standard deviations of 1/N (about ±4.5% relative here). With 50 keys
    // the busiest shard expects 60% more than 1/N; here it must be within that band.
    const K = 100_000;
    const N = 8;
    const totals = shardTotals(K, N, "user-", 4000, "30s");
    const all = totals.reduce((a, b) => a + b, 0);
    const p = 1 / N;
    const sd = Math.sqrt(p * (1 - p) * (1 / K + 1 / all));
    for (const [i, n] of totals.entries())
      expect(Math.abs(n / all - p), `shard ${i}`).toBeLessThanOrEqual(4 * sd);
    // The busiest shard's excess over 1/N shrinks from ≈ 60% (K = 50) to a few percent.
    const excess = (Math.max(...totals) / all) * N - 1;
    note(`busiest share × N (±${(4 * sd * N).toFixed(4)})`, (Math.max(...totals) / all) * N, 1);
    note(`quietest share × N`, (Math.min(...totals) / all) * N, 1);
    const fewKeysExcess = (maxLoadMoments(50, N).mean / 50) * N - 1;
    expect(excess).toBeLessThan(fewKeysExcess / 10);
  });
});
