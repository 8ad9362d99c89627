// The KPL's shard map: the stream's open shards as its last ListShards saw them. Records are
// aggregated by the shard the map predicts; after a reshard the map is stale until a record lands
// on a shard it did not predict, which makes the KPL list the shards again (one call's latency).

import type { Sampler } from "../../engine/distributions.js";
import type { RandomStream } from "../../engine/random.js";
import type { Simulation } from "../../engine/simulation.js";
import type { HashRouter, KeyRouting, KeySpace } from "../keys.js";
import type { Shard } from "../shard.js";
import type { Stream } from "../stream.js";
import type { ShardKeys } from "./aggregation.js";

/** The open shards at one topology version, as a router of hash keys. */
export class MapVersion implements HashRouter {
  readonly shards: readonly Shard[];
  readonly starts: Float64Array;
  readonly shares: Float64Array;
  /** Where the producer's keys go under this version. */
  readonly routing: KeyRouting;
  private keysByShard: ShardKeys[] | undefined;

  constructor(
    readonly version: number,
    stream: Stream,
    private readonly keys: KeySpace,
  ) {
    this.shards = [...stream.open];
    this.starts = Float64Array.from(this.shards, (s) => s.startFraction);
    this.shares = Float64Array.from(stream.shares);
    this.routing = keys.route(this);
  }

  get openCount(): number {
    return this.shards.length;
  }

  shardOfHash(hashKey: bigint): number {
    let lo = 0;
    let hi = this.shards.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.shards[mid]!.range.start <= hashKey) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  shardOfFraction(position: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= position) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Hash-space range [lo, hi) of shard `index`, as fractions. */
  rangeOf(index: number): [number, number] {
    return [this.starts[index]!, index + 1 < this.starts.length ? this.starts[index + 1]! : 1];
  }

  /** The keys of the records predicted for shard `index`: named keys and fresh random ones. */
  shardKeys(index: number): ShardKeys {
    if (!this.keysByShard) {
      const k = this.keys;
      const byShard = this.shards.map(() => ({
        probabilities: [] as number[],
        keyBytes: [] as number[],
        hashKeyBytes: [] as number[],
        randomShare: 0,
        randomKeyBytes: k.randomKeyBytes,
      }));
      for (let i = 0; i < k.namedCount; i++) {
        const s = byShard[this.routing.shardOfKey[i]!]!;
        s.probabilities.push(k.probabilities[i]!);
        s.keyBytes.push(k.keyBytes[i]!);
        s.hashKeyBytes.push(k.hashKeyBytesOf(i));
      }
      byShard.forEach((s, i) => {
        const mass = this.routing.shardProbabilities[i]!;
        if (!(mass > 0)) return;
        s.probabilities = s.probabilities.map((p) => p / mass);
        s.randomShare = (k.randomShare * this.shares[i]!) / mass;
      });
      this.keysByShard = byShard;
    }
    return this.keysByShard[index]!;
  }
}

/** A KPL instance's view of the stream's shards. */
export class ShardMap {
  private versions = new Map<number, MapVersion>();
  private known: MapVersion;
  private actual: MapVersion;
  private refreshing = false;

  constructor(
    private readonly sim: Simulation,
    private readonly stream: Stream,
    private readonly keys: KeySpace,
  ) {
    this.known = this.versionOf(stream.topologyVersion);
    this.actual = this.known;
  }

  private versionOf(v: number): MapVersion {
    let m = this.versions.get(v);
    if (!m) {
      m = new MapVersion(v, this.stream, this.keys);
      this.versions.set(v, m);
    }
    return m;
  }

  /** The map the KPL predicts shards with. */
  current(): MapVersion {
    return this.known;
  }

  /** Where keys really go now (the stream's open shards). */
  currentRouting(): KeyRouting {
    if (this.actual.version !== this.stream.topologyVersion)
      this.actual = this.versionOf(this.stream.topologyVersion);
    return this.actual.routing;
  }

  /** Range of shard `index` of map version `version`. */
  rangeOf(version: number, index: number): [number, number] {
    return this.versions.get(version)!.rangeOf(index);
  }

  /** Keys of shard `index` under map version `version`. */
  shardKeys(version: number, index: number): ShardKeys {
    return this.versions.get(version)!.shardKeys(index);
  }

  /** The producer's key mass of [lo, hi) in each open shard now, normalised to sum 1. */
  massWithin(lo: number, hi: number): Float64Array {
    const open = this.stream.open;
    const probs = new Float64Array(open.length);
    let total = 0;
    for (let s = 0; s < open.length; s++) {
      const a = Math.max(lo, open[s]!.startFraction);
      const b = Math.min(hi, s + 1 < open.length ? open[s + 1]!.startFraction : 1);
      if (b > a) {
        probs[s] = this.keys.massBetween(a, b);
        total += probs[s]!;
      }
    }
    if (total > 0) for (let s = 0; s < probs.length; s++) probs[s] = probs[s]! / total;
    else probs[this.stream.shardOfFraction(Math.min(lo, 1 - 1e-12))] = 1;
    return probs;
  }

  /** A record landed where the map did not say: list the shards again (one call's latency). */
  invalidate(nowUs: number, rng: RandomStream, latency: Sampler): void {
    if (this.refreshing || this.known.version === this.stream.topologyVersion) return;
    this.refreshing = true;
    const delay = Math.max(1, Math.round(latency.sample(rng)));
    this.sim.at(nowUs + delay, () => {
      this.refreshing = false;
      this.known = this.versionOf(this.stream.topologyVersion);
    });
  }
}
