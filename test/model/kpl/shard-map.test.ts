// The KPL's shard map across a split: a map version routes keys by the open shards it was built
// from, the map keeps predicting with the old version after a reshard until a refresh is asked for,
// and it switches to the new shards one ListShards latency later.

import { describe, expect, it } from "vitest";
import { compileDistribution } from "../../../src/engine/distributions.js";
import { RandomStream } from "../../../src/engine/random.js";
import { Simulation } from "../../../src/engine/simulation.js";
import { hashKeyOf, MAX_HASH_KEY } from "../../../src/model/hash-space.js";
import { KeySpace } from "../../../src/model/keys.js";
import { ShardMap } from "../../../src/model/kpl/shard-map.js";
import type { Shard } from "../../../src/model/shard.js";
import { Stream } from "../../../src/model/stream.js";
import { loadScenario } from "../../../src/scenario/load.js";

const KEYS = 200;
const LATENCY_US = 40_000;

function streamOf(shards: number): Stream {
  const { scenario } = loadScenario(
    `name: t\nduration: 10s\nstream: { shards: ${shards} }\nproducers: [{ name: p, rate: 1/s }]\n`,
    { file: "t.yaml" },
  );
  return new Stream(scenario.stream);
}

/** The shard among `shards` whose inclusive hash-key range holds `hash`, found by a plain scan. */
function owner(shards: readonly Shard[], hash: bigint): Shard {
  const found = shards.filter((s) => s.range.start <= hash && hash <= s.range.end);
  expect(found).toHaveLength(1);
  return found[0]!;
}

function setup() {
  const sim = new Simulation();
  const stream = streamOf(2);
  const keys = new KeySpace({ dist: "uniform", keys: KEYS, prefix: "key-" });
  const map = new ShardMap(sim, stream, keys);
  const rng = new RandomStream("shard-map-test", "latency");
  const latency = compileDistribution({ dist: "constant", value: LATENCY_US });
  const hashes = keys.names.map((name) => hashKeyOf(name));
  return { sim, stream, keys, map, rng, latency, hashes };
}

/** Splits the stream's first open shard in the middle of its range; returns the parent and children. */
function splitFirst(stream: Stream, nowUs: number): { parent: Shard; lower: Shard; upper: Shard } {
  const parent = stream.open[0]!;
  const middle = parent.range.start + (parent.range.end - parent.range.start + 1n) / 2n;
  const [lower, upper] = stream.splitShard(parent, middle, nowUs);
  return { parent, lower, upper };
}

describe("the KPL's shard map", () => {
  it("routes every key to the open shard whose range holds its MD5 hash key", () => {
    const { stream, map, hashes } = setup();
    const v = map.current();
    expect(v.version).toBe(stream.topologyVersion);
    expect(v.shards.map((s) => s.id)).toEqual(stream.open.map((s) => s.id));
    for (let i = 0; i < KEYS; i++)
      expect(v.shards[v.routing.shardOfKey[i]!]).toBe(owner(stream.open, hashes[i]!));
    // Both shards get keys (the test would say nothing about a split otherwise).
    expect(new Set(v.routing.shardOfKey).size).toBe(2);
  });

  it("keeps routing by the old shards after a split until refreshed, then by the new ones", () => {
    const { sim, stream, map, rng, latency, hashes } = setup();
    sim.run(1_000_000);
    const before = map.current();
    const { parent, lower, upper } = splitFirst(stream, sim.nowUs);
    const movedToUpper = hashes.map((h, i) => (upper.range.start <= h && h <= upper.range.end ? i : -1));
    const upperKeys = movedToUpper.filter((i) => i >= 0);
    expect(upperKeys.length).toBeGreaterThan(0);

    // The snapshot the KPL predicts with is still the old one: the parent, now closed.
    expect(map.current()).toBe(before);
    for (const i of upperKeys) expect(before.shards[before.routing.shardOfKey[i]!]).toBe(parent);
    expect(parent.open).toBe(false);
    // Where records really go is the new topology already.
    const now = map.currentRouting();
    const openNow = stream.open;
    for (let i = 0; i < KEYS; i++) expect(openNow[now.shardOfKey[i]!]).toBe(owner(openNow, hashes[i]!));
    for (const i of upperKeys) expect(openNow[now.shardOfKey[i]!]).toBe(upper);

    // A record lands where the map did not say: the refresh comes one ListShards latency later.
    const t0 = sim.nowUs;
    map.invalidate(t0, rng, latency);
    map.invalidate(t0, rng, latency); // a second miss while listing asks for nothing more
    expect(sim.pending).toBe(1);
    sim.run(t0 + LATENCY_US); // events strictly before t0 + latency
    expect(map.current()).toBe(before);
    sim.run(t0 + LATENCY_US + 1);
    const after = map.current();
    expect(after.version).toBe(stream.topologyVersion);
    expect(after.shards.map((s) => s.id)).toEqual([lower.id, upper.id, stream.open[2]!.id]);
    for (let i = 0; i < KEYS; i++)
      expect(after.shards[after.routing.shardOfKey[i]!]).toBe(owner(openNow, hashes[i]!));
    // Positions of fresh random keys follow the new ranges too: the old map sends the upper
    // child's range to the parent (index 0), the new one to the upper child (index 1).
    const inUpper = 0.25 + 0.125;
    expect(before.shards[before.shardOfFraction(inUpper)]).toBe(parent);
    expect(after.shards[after.shardOfFraction(inUpper)]).toBe(upper);
    // Old snapshots stay readable for records predicted under them.
    expect(map.rangeOf(before.version, 0)).toEqual([0, 0.5]);
    expect(map.rangeOf(after.version, 1)).toEqual([0.25, 0.5]);
  });

  it("asks for no refresh while the map is current", () => {
    const { sim, map, rng, latency } = setup();
    const v = map.current();
    map.invalidate(0, rng, latency);
    expect(sim.pending).toBe(0);
    sim.run(10 * LATENCY_US);
    expect(map.current()).toBe(v);
  });

  it("gives each shard of a version its keys' probabilities, summing to 1", () => {
    const { stream, map, hashes, sim, rng, latency } = setup();
    const before = map.current();
    splitFirst(stream, sim.nowUs);
    map.invalidate(sim.nowUs, rng, latency);
    sim.run(sim.nowUs + LATENCY_US + 1);
    const after = map.current();
    expect(after.openCount).toBe(before.openCount + 1);
    for (const v of [before, after]) {
      for (let s = 0; s < v.openCount; s++) {
        const k = map.shardKeys(v.version, s);
        const sum = k.probabilities.reduce((a, p) => a + p, 0) + k.randomShare;
        expect(sum).toBeCloseTo(1, 12);
        const owned = hashes.filter((h) => owner(v.shards, h) === v.shards[s]).length;
        expect(k.probabilities).toHaveLength(owned);
      }
    }
    // The whole hash space is covered by the open shards, end to end.
    expect(stream.open[0]!.range.start).toBe(0n);
    expect(stream.open[stream.open.length - 1]!.range.end).toBe(MAX_HASH_KEY);
  });
});
