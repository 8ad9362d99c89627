// Partition keys: a scenario's key distribution compiled once into named keys (hashed exactly)
// plus an optional random share, and — per shard topology — the probability that a record lands
// on each shard and the mean key length there. Records draw keys; cohorts split by shard.

import { AliasTable } from "../engine/alias-table.js";
import type { RandomStream } from "../engine/random.js";
import type { KeyDistribution } from "../scenario/schema.js";
import { hashFraction, hashKeyOf } from "./hash-space.js";

/** Where each key lands under one set of open shards. */
export interface KeyRouting {
  /** Shard (index into the topology's open shards) of each named key. */
  shardOfKey: Int32Array;
  /** Probability that a record lands on each open shard. */
  shardProbabilities: Float64Array;
  /** Mean partition-key bytes of the records landing on each open shard. */
  meanKeyBytes: Float64Array;
}

/** Maps hash-space positions to open shards; implemented by the stream's topology. */
export interface HashRouter {
  /** Number of open shards. */
  readonly openCount: number;
  /** Open shard holding an exact hash key. */
  shardOfHash(hashKey: bigint): number;
  /** Open shard holding a position in [0, 1). */
  shardOfFraction(position: number): number;
  /** Share of the hash space each open shard covers. */
  readonly shares: Float64Array;
}

/**
 * Mean partition-key bytes of a key distribution, worked out without building its keys (a check of
 * record sizes needs only this; KeySpace.meanKeyBytes is the same number).
 */
export function meanKeyBytesOf(spec: KeyDistribution): number {
  const utf8 = (text: string) => Buffer.byteLength(text, "utf8");
  const hot = spec.hotKeys ?? [];
  let mean = hot.reduce((a, h) => a + h.share * utf8(h.key), 0);
  const base = 1 - hot.reduce((a, h) => a + h.share, 0);
  const digits = (n: number) => String(n).length;
  switch (spec.dist) {
    case "random":
      return mean + base * spec.keyLength;
    case "uniform": {
      let sum = 0;
      for (let i = 0; i < spec.keys; i++) sum += digits(i);
      return mean + base * (utf8(spec.prefix) + sum / spec.keys);
    }
    case "zipf": {
      let norm = 0;
      let sum = 0;
      for (let k = 1; k <= spec.keys; k++) {
        const w = k ** -spec.exponent;
        norm += w;
        sum += w * digits(k);
      }
      return mean + base * (utf8(spec.prefix) + sum / norm);
    }
    case "list": {
      const entries = spec.keys.map((k) => (typeof k === "string" ? { key: k, weight: 1 } : k));
      const total = entries.reduce((a, e) => a + e.weight, 0);
      for (const e of entries) mean += (base * e.weight * utf8(e.key)) / total;
      return mean;
    }
    case "explicitHashKeys":
    case "hashRanges":
      return mean + base * spec.keyLength;
    default: {
      const never: never = spec;
      throw new Error(`unknown key distribution ${JSON.stringify(never)}`);
    }
  }
}

/** A compiled key distribution. Key index −1 stands for a fresh random key. */
export class KeySpace {
  /** Names of the named keys (hot keys first, then the base distribution's keys). */
  readonly names: string[] = [];
  /** Explicit hash keys given for named keys (undefined: the MD5 of the name). */
  private readonly explicitHashes: (bigint | undefined)[] = [];
  private hashed: bigint[] | undefined;
  /** Partition-key bytes of each named key. */
  readonly keyBytes: number[] = [];
  /** Probability of each named key. */
  readonly probabilities: number[] = [];
  /** Probability of a fresh random key. */
  readonly randomShare: number;
  /** Bytes of a random key. */
  readonly randomKeyBytes: number;
  /** Mean partition-key bytes over all records. */
  readonly meanKeyBytes: number;
  private readonly table: AliasTable;

  constructor(spec: KeyDistribution) {
    const hot = spec.hotKeys ?? [];
    const hotShare = hot.reduce((a, h) => a + h.share, 0);
    for (const h of hot) this.addKey(h.key, undefined, h.share);
    const base = 1 - hotShare;
    let randomShare = 0;
    let randomKeyBytes = 0;
    switch (spec.dist) {
      case "random":
        randomShare = base;
        randomKeyBytes = spec.keyLength;
        break;
      case "uniform":
        for (let i = 0; i < spec.keys; i++) this.addNamed(`${spec.prefix}${i}`, base / spec.keys);
        break;
      case "zipf": {
        let norm = 0;
        for (let k = 1; k <= spec.keys; k++) norm += k ** -spec.exponent;
        for (let k = 1; k <= spec.keys; k++)
          this.addNamed(`${spec.prefix}${k}`, (base * k ** -spec.exponent) / norm);
        break;
      }
      case "list": {
        const entries = spec.keys.map((k) => (typeof k === "string" ? { key: k, weight: 1 } : k));
        const total = entries.reduce((a, e) => a + e.weight, 0);
        for (const e of entries) this.addNamed(e.key, (base * e.weight) / total);
        break;
      }
      case "hashRanges": {
        const total = spec.ranges.reduce((a, r) => a + r.weight, 0);
        for (const r of spec.ranges) {
          // Evenly spaced keys, each in the middle of its slice: every key stays inside the range.
          const start = BigInt(r.startingHashKey);
          const span = BigInt(r.endingHashKey) - start + 1n;
          const k = BigInt(spec.keysPerRange);
          const count = span < k ? span : k;
          const weight = total > 0 ? (base * r.weight) / total / Number(count) : 0;
          for (let j = 0n; j < count; j++) {
            const hash = start + ((2n * j + 1n) * span) / (2n * count);
            this.addKey(`hashKey:${hash}`, hash, weight, spec.keyLength);
          }
        }
        break;
      }
      case "explicitHashKeys": {
        const entries = spec.hashKeys.map((k) => (typeof k === "string" ? { hashKey: k, weight: 1 } : k));
        const total = entries.reduce((a, e) => a + e.weight, 0);
        for (const e of entries)
          this.addKey(`hashKey:${e.hashKey}`, BigInt(e.hashKey), (base * e.weight) / total, spec.keyLength);
        break;
      }
      default: {
        const never: never = spec;
        throw new Error(`unknown key distribution ${JSON.stringify(never)}`);
      }
    }
    this.randomShare = randomShare;
    this.randomKeyBytes = randomKeyBytes;
    let mean = randomShare * randomKeyBytes;
    for (let i = 0; i < this.names.length; i++) mean += this.probabilities[i]! * this.keyBytes[i]!;
    this.meanKeyBytes = mean;
    this.table = new AliasTable([...this.probabilities, randomShare]);
  }

  /** Exact hash key of each named key, hashed when first asked for (a check of sizes needs none). */
  get hashes(): readonly bigint[] {
    this.hashed ??= this.names.map((name, i) => this.explicitHashes[i] ?? hashKeyOf(name));
    return this.hashed;
  }

  private addNamed(name: string, probability: number): void {
    this.addKey(name, undefined, probability);
  }

  private addKey(
    name: string,
    hash: bigint | undefined,
    probability: number,
    bytes = Buffer.byteLength(name, "utf8"),
  ): void {
    this.names.push(name);
    this.explicitHashes.push(hash);
    this.keyBytes.push(bytes);
    this.probabilities.push(probability);
  }

  /** Number of named keys. */
  get namedCount(): number {
    return this.names.length;
  }

  /** Draws a key: a named key's index, or −1 for a fresh random key. */
  sample(rng: RandomStream): number {
    const i = this.table.sample(rng);
    return i === this.names.length ? -1 : i;
  }

  /** Partition-key bytes of key `index` (−1: random). */
  bytesOf(index: number): number {
    return index < 0 ? this.randomKeyBytes : this.keyBytes[index]!;
  }

  /** Bytes of named key `index`'s explicit hash key as a decimal string (0 when it has none). */
  hashKeyBytesOf(index: number): number {
    const h = this.explicitHashes[index];
    return h === undefined ? 0 : h.toString().length;
  }

  /** Routes every named key and the random share over the open shards. */
  route(router: HashRouter): KeyRouting {
    const n = router.openCount;
    const shardOfKey = new Int32Array(this.names.length);
    const shardProbabilities = new Float64Array(n);
    const keyBytesMass = new Float64Array(n);
    for (let i = 0; i < this.names.length; i++) {
      const s = router.shardOfHash(this.hashes[i]!);
      shardOfKey[i] = s;
      shardProbabilities[s] = shardProbabilities[s]! + this.probabilities[i]!;
      keyBytesMass[s] = keyBytesMass[s]! + this.probabilities[i]! * this.keyBytes[i]!;
    }
    if (this.randomShare > 0) {
      for (let s = 0; s < n; s++) {
        const p = this.randomShare * router.shares[s]!;
        shardProbabilities[s] = shardProbabilities[s]! + p;
        keyBytesMass[s] = keyBytesMass[s]! + p * this.randomKeyBytes;
      }
    }
    const meanKeyBytes = new Float64Array(n);
    for (let s = 0; s < n; s++)
      meanKeyBytes[s] = shardProbabilities[s]! > 0 ? keyBytesMass[s]! / shardProbabilities[s]! : 0;
    return { shardOfKey, shardProbabilities, meanKeyBytes };
  }

  private positions: Float64Array | undefined;
  /** Named keys sorted by position, with cumulative probabilities (for massBetween). */
  private sorted: { positions: Float64Array; cumulative: Float64Array } | undefined;

  /** Probability that a record's key lies in the hash-space range [lo, hi) (fractions). */
  massBetween(lo: number, hi: number): number {
    if (!this.sorted) {
      const order = this.names.map((_, i) => i).sort((a, b) => this.positionOf(a) - this.positionOf(b));
      const positions = Float64Array.from(order, (i) => this.positionOf(i));
      const cumulative = new Float64Array(order.length + 1);
      order.forEach((i, j) => {
        cumulative[j + 1] = cumulative[j]! + this.probabilities[i]!;
      });
      this.sorted = { positions, cumulative };
    }
    const { positions, cumulative } = this.sorted;
    const below = (x: number) => {
      let a = 0;
      let b = positions.length;
      while (a < b) {
        const m = (a + b) >> 1;
        if (positions[m]! < x) a = m + 1;
        else b = m;
      }
      return a;
    };
    return cumulative[below(hi)]! - cumulative[below(lo)]! + this.randomShare * (hi - lo);
  }

  /** Position in the hash space of named key `index`, in [0, 1). */
  positionOf(index: number): number {
    this.positions ??= Float64Array.from(this.hashes, hashFraction);
    return this.positions[index]!;
  }
}
