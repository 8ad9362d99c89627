// Partition keys: a scenario's key distribution compiled once into named keys (hashed exactly)
// plus an optional random share, and — per shard topology — the probability that a record lands
// on each shard and the mean key length there. Records draw keys; cohorts split by shard.

import { hash } from "node:crypto";
import { AliasTable } from "../engine/alias-table.js";
import type { RandomStream } from "../engine/random.js";
import type { KeyDistribution } from "../scenario/schema.js";
import { hashFraction, hashKeyOf } from "./hash-space.js";

/** Where each key lands under one set of open shards. */
export interface KeyRouting {
  /** Shard (index into the topology's open shards) of each named key: in as few bytes as the
   *  number of shards allows. At record resolution a record reads it at its key, which is
   *  anywhere in a table as large as the key space: with 100,000 keys on 50 shards a byte a key
   *  keeps it in the core's cache, where four did not (R4 ran about a tenth faster). */
  shardOfKey: Uint8Array | Uint16Array | Int32Array;
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

/** UTF-8 bytes of a partition key. */
function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/** Digits of a non-negative integer (a generated key's number): counted without making the
 *  string below 10^15 (a record's key bytes at record resolution), String(n).length above. */
function digitsOf(n: number): number {
  if (!(n < 1e15)) return String(n).length;
  let digits = 1;
  for (let bound = 10; n >= bound; bound *= 10) digits++;
  return digits;
}

/**
 * Mean partition-key bytes of a key distribution, worked out without building its keys (a check of
 * record sizes needs only this; KeySpace.meanKeyBytes is the same number).
 */
export function meanKeyBytesOf(spec: KeyDistribution): number {
  const hot = spec.hotKeys ?? [];
  let mean = hot.reduce((a, h) => a + h.share * utf8Bytes(h.key), 0);
  const base = 1 - hot.reduce((a, h) => a + h.share, 0);
  switch (spec.dist) {
    case "random":
      return mean + base * spec.keyLength;
    case "uniform": {
      let sum = 0;
      for (let i = 0; i < spec.keys; i++) sum += digitsOf(i);
      return mean + base * (utf8Bytes(spec.prefix) + sum / spec.keys);
    }
    case "zipf": {
      let norm = 0;
      let sum = 0;
      for (let k = 1; k <= spec.keys; k++) {
        const w = k ** -spec.exponent;
        norm += w;
        sum += w * digitsOf(k);
      }
      return mean + base * (utf8Bytes(spec.prefix) + sum / norm);
    }
    case "list": {
      const entries = spec.keys.map((k) => (typeof k === "string" ? { key: k, weight: 1 } : k));
      const total = entries.reduce((a, e) => a + e.weight, 0);
      for (const e of entries) mean += (base * e.weight * utf8Bytes(e.key)) / total;
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

/** Where each of `names` is, numbered from `first`. */
function indexOfNames(names: readonly string[], first: number): Map<string, number[]> {
  const index = new Map<string, number[]>();
  names.forEach((name, i) => {
    const at = index.get(name);
    if (at) at.push(first + i);
    else index.set(name, [first + i]);
  });
  return index;
}

/** Named keys in the cache of compiled key distributions, at most (see KeySpace.of). */
const CACHE_KEYS = 2_000_000;
const cache = new Map<string, KeySpace>();

/** 2^−53: the step between hash-space positions (the top 53 bits of a hash key). */
const POSITION_STEP = 2 ** -53;

/**
 * Position in [0, 1) of the MD5 hash key of `partitionKey`: its top 53 bits, as hashFraction
 * gives them, read from the hex digest without making the 128-bit integer.
 */
function positionOfKey(partitionKey: string): number {
  const hex = hash("md5", partitionKey, "hex");
  // 13 hex digits are the top 52 bits; the 14th digit's top bit is the 53rd.
  return (Number.parseInt(hex.slice(0, 13), 16) * 2 + (Number.parseInt(hex[13]!, 16) >>> 3)) * POSITION_STEP;
}

/**
 * A compiled key distribution. Key index −1 stands for a fresh random key. Named keys are the
 * hot keys, then the base distribution's: a uniform or Zipf distribution's generated names
 * (`prefix` and a number) are made only when asked for, and each key keeps its hash-space
 * position (53 bits) instead of its 128-bit hash key, which is worked out again only where a
 * position alone cannot tell two shards apart: a scenario may name a million keys.
 */
export class KeySpace {
  /**
   * The compiled distribution of `spec`, shared by every run in this process that asks for the
   * same one (plans, sweeps and comparisons run many): it holds no run's state, and hashing a
   * large key set is much of a short run's set-up. The cache keeps the most recently used
   * distributions up to two million named keys in all.
   */
  static of(spec: KeyDistribution): KeySpace {
    const id = JSON.stringify(spec);
    let keys = cache.get(id);
    if (keys) {
      cache.delete(id);
    } else {
      keys = new KeySpace(spec);
      let held = keys.namedCount;
      for (const other of cache.values()) held += other.namedCount;
      for (const [oldest, other] of cache) {
        if (held <= CACHE_KEYS) break;
        cache.delete(oldest);
        held -= other.namedCount;
      }
    }
    cache.set(id, keys);
    return keys;
  }

  /** Number of named keys. */
  readonly namedCount: number;
  /** Names of the hot keys (the first named keys). */
  private readonly hotNames: readonly string[];
  /** The base distribution's key names: generated (`prefix` and `first` + their place) or listed. */
  private readonly baseNames: { prefix: string; first: number } | readonly string[];
  /** Explicit hash keys given for named keys (undefined: the MD5 of the name); none at all for most. */
  private readonly explicitHashes: (bigint | undefined)[] | undefined;
  /** Partition-key bytes of each named key. */
  readonly keyBytes: Float64Array;
  /** Generated names (a prefix and a number) from this index on: their bytes are worked out, not
   *  looked up in `keyBytes` (a table as large as the key space, out of the cache when large). */
  private readonly generatedFrom: number = Number.POSITIVE_INFINITY;
  /** The number in the name of key `index` ≥ generatedFrom is `index + generatedOffset`. */
  private readonly generatedOffset: number = 0;
  private readonly generatedPrefixBytes: number = 0;
  /** Probability of each named key. */
  readonly probabilities: Float64Array;
  /** Probability of a fresh random key. */
  readonly randomShare: number;
  /** Bytes of a random key. */
  readonly randomKeyBytes: number;
  /** Mean partition-key bytes over all records. */
  readonly meanKeyBytes: number;
  /** The draw table over the named keys and the random share (none for a flat distribution). */
  private readonly table: AliasTable | undefined;
  /** A uniform distribution without hot keys: its key is drawn as one uniform times its number of
   *  keys (0: drawn from the table). A table as large as the key space is read once a draw, out of
   *  the core's cache when the keys are many: with 100,000 keys, about an eighth of a record's
   *  time at record resolution. */
  private readonly flatKeys: number;

  constructor(spec: KeyDistribution) {
    const hot = spec.hotKeys ?? [];
    const hotShare = hot.reduce((a, h) => a + h.share, 0);
    const base = 1 - hotShare;
    const h = hot.length;
    this.hotNames = hot.map((k) => k.key);
    let randomShare = 0;
    let randomKeyBytes = 0;
    /** Listed base keys: name, probability, explicit hash and bytes (random and generated keys have none). */
    const listed: { name: string; probability: number; hash?: bigint; bytes?: number }[] = [];
    let generated:
      | { prefix: string; first: number; count: number; probability: (j: number) => number }
      | undefined;
    switch (spec.dist) {
      case "random":
        randomShare = base;
        randomKeyBytes = spec.keyLength;
        break;
      case "uniform":
        generated = { prefix: spec.prefix, first: 0, count: spec.keys, probability: () => base / spec.keys };
        break;
      case "zipf": {
        let norm = 0;
        for (let k = 1; k <= spec.keys; k++) norm += k ** -spec.exponent;
        generated = {
          prefix: spec.prefix,
          first: 1,
          count: spec.keys,
          probability: (j) => (base * (j + 1) ** -spec.exponent) / norm,
        };
        break;
      }
      case "list": {
        const entries = spec.keys.map((k) => (typeof k === "string" ? { key: k, weight: 1 } : k));
        const total = entries.reduce((a, e) => a + e.weight, 0);
        for (const e of entries) listed.push({ name: e.key, probability: (base * e.weight) / total });
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
            const hashKey = start + ((2n * j + 1n) * span) / (2n * count);
            listed.push({
              name: `hashKey:${hashKey}`,
              probability: weight,
              hash: hashKey,
              bytes: spec.keyLength,
            });
          }
        }
        break;
      }
      case "explicitHashKeys": {
        const entries = spec.hashKeys.map((k) => (typeof k === "string" ? { hashKey: k, weight: 1 } : k));
        const total = entries.reduce((a, e) => a + e.weight, 0);
        for (const e of entries)
          listed.push({
            name: `hashKey:${e.hashKey}`,
            probability: (base * e.weight) / total,
            hash: BigInt(e.hashKey),
            bytes: spec.keyLength,
          });
        break;
      }
      default: {
        const never: never = spec;
        throw new Error(`unknown key distribution ${JSON.stringify(never)}`);
      }
    }
    const n = h + (generated ? generated.count : listed.length);
    this.namedCount = n;
    this.keyBytes = new Float64Array(n);
    this.probabilities = new Float64Array(n);
    hot.forEach((k, i) => {
      this.keyBytes[i] = utf8Bytes(k.key);
      this.probabilities[i] = k.share;
    });
    if (generated) {
      this.baseNames = { prefix: generated.prefix, first: generated.first };
      // A generated name is the prefix and a number: its bytes are the prefix's and the digits.
      const prefixBytes = utf8Bytes(generated.prefix);
      this.generatedFrom = h;
      this.generatedOffset = generated.first - h;
      this.generatedPrefixBytes = prefixBytes;
      for (let j = 0; j < generated.count; j++) {
        this.keyBytes[h + j] = prefixBytes + digitsOf(generated.first + j);
        this.probabilities[h + j] = generated.probability(j);
      }
    } else {
      this.baseNames = listed.map((k) => k.name);
      listed.forEach((k, j) => {
        this.keyBytes[h + j] = k.bytes ?? utf8Bytes(k.name);
        this.probabilities[h + j] = k.probability;
      });
    }
    this.explicitHashes = listed.some((k) => k.hash !== undefined)
      ? [...hot.map(() => undefined), ...listed.map((k) => k.hash)]
      : undefined;
    this.randomShare = randomShare;
    this.randomKeyBytes = randomKeyBytes;
    let mean = randomShare * randomKeyBytes;
    for (let i = 0; i < n; i++) mean += this.probabilities[i]! * this.keyBytes[i]!;
    this.meanKeyBytes = mean;
    this.flatKeys = spec.dist === "uniform" && h === 0 ? n : 0;
    if (this.flatKeys === 0) {
      const weights = new Float64Array(n + 1);
      weights.set(this.probabilities);
      weights[n] = randomShare;
      this.table = new AliasTable(weights);
    }
  }

  /** Name of named key `index` (undefined past the last). */
  nameOf(index: number): string | undefined {
    if (!(index >= 0 && index < this.namedCount)) return undefined;
    const h = this.hotNames.length;
    if (index < h) return this.hotNames[index];
    const base = this.baseNames;
    return "prefix" in base ? `${base.prefix}${base.first + index - h}` : base[index - h];
  }

  /** Index of the first generated key (a uniform or Zipf distribution's), or the count of named
   *  keys if none is generated: generated names are all different, and each may only repeat a hot
   *  key's. */
  get firstGenerated(): number {
    return "prefix" in this.baseNames ? this.hotNames.length : this.namedCount;
  }

  /** Indices of the named keys called `name`, in order: a hot key may also be a base key. */
  indicesOf(name: string): number[] {
    const found: number[] = [];
    const h = this.hotNames.length;
    for (let i = 0; i < h; i++) if (this.hotNames[i] === name) found.push(i);
    const base = this.baseNames;
    if ("prefix" in base) {
      // A generated name is the prefix and a number written the usual way.
      const digits = name.startsWith(base.prefix) ? name.slice(base.prefix.length) : "";
      const j = /^(0|[1-9][0-9]{0,15})$/.test(digits) ? Number(digits) - base.first : -1;
      if (j >= 0 && h + j < this.namedCount) found.push(h + j);
    } else {
      this.listedIndex ??= indexOfNames(base, h);
      for (const i of this.listedIndex.get(name) ?? []) found.push(i);
    }
    return found;
  }
  private listedIndex: Map<string, number[]> | undefined;

  /** Names of every named key (hot keys first), made when first asked for. */
  get names(): readonly string[] {
    this.allNames ??= Array.from({ length: this.namedCount }, (_, i) => this.nameOf(i)!);
    return this.allNames;
  }
  private allNames: string[] | undefined;

  /** Exact hash key of named key `index`: its explicit hash key, or the MD5 of its name. */
  hashKeyOf(index: number): bigint {
    return this.explicitHashes?.[index] ?? hashKeyOf(this.nameOf(index)!);
  }

  /** Draws a key: a named key's index, or −1 for a fresh random key. */
  sample(rng: RandomStream): number {
    if (this.flatKeys > 0) return rng.int(this.flatKeys);
    const i = this.table!.sample(rng);
    return i === this.namedCount ? -1 : i;
  }

  /** Partition-key bytes of key `index` (−1: random). */
  bytesOf(index: number): number {
    if (index < 0) return this.randomKeyBytes;
    if (index >= this.generatedFrom)
      return this.generatedPrefixBytes + digitsOf(index + this.generatedOffset);
    return this.keyBytes[index]!;
  }

  /** Bytes of named key `index`'s explicit hash key as a decimal string (0 when it has none). */
  hashKeyBytesOf(index: number): number {
    const h = this.explicitHashes?.[index];
    return h === undefined ? 0 : h.toString().length;
  }

  /**
   * Routes every named key and the random share over the open shards. A key goes where its
   * position says, unless its position is that of a shard's start (the top 53 bits of the start
   * hash key): only then can the rest of the hash key put it on either side, and only then is the
   * whole hash key worked out and compared.
   */
  route(router: HashRouter): KeyRouting {
    const n = router.openCount;
    const count = this.namedCount;
    const positions = this.allPositions();
    const shardOfKey =
      n <= 2 ** 8 ? new Uint8Array(count) : n <= 2 ** 16 ? new Uint16Array(count) : new Int32Array(count);
    const shardProbabilities = new Float64Array(n);
    const keyBytesMass = new Float64Array(n);
    for (let i = 0; i < count; i++) {
      const p = positions[i]!;
      let s = router.shardOfFraction(p);
      // A start's position ≤ p: below it, the shard at p − 2^−53 is another one.
      if (p === 0 || router.shardOfFraction(p - POSITION_STEP) !== s)
        s = router.shardOfHash(this.hashKeyOf(i));
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
      const all = this.allPositions();
      const order = Array.from({ length: this.namedCount }, (_, i) => i).sort((a, b) => all[a]! - all[b]!);
      const positions = Float64Array.from(order, (i) => all[i]!);
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
    return this.allPositions()[index]!;
  }

  /** Every named key's position, hashed when first asked for (a check of sizes needs none). */
  private allPositions(): Float64Array {
    if (!this.positions) {
      const positions = new Float64Array(this.namedCount);
      for (let i = 0; i < positions.length; i++) {
        const explicit = this.explicitHashes?.[i];
        positions[i] = explicit === undefined ? positionOfKey(this.nameOf(i)!) : hashFraction(explicit);
      }
      this.positions = positions;
    }
    return this.positions;
  }
}
