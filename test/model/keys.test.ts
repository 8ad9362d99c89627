import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RandomStream } from "../../src/engine/random.js";
import { HASH_SPACE, hashFraction, hashKeyOf, MAX_HASH_KEY } from "../../src/model/hash-space.js";
import { type HashRouter, KeySpace } from "../../src/model/keys.js";
import type { KeyDistribution } from "../../src/scenario/schema.js";
import { propertySeed } from "../support/property.js";

/** A router over shards starting at `starts` (sorted, the first 0): exact by hash key, and by
 *  position through the top 53 bits of each start, as the stream's own topology is. */
function routerOf(starts: readonly bigint[]): HashRouter {
  const fractions = Float64Array.from(starts, hashFraction);
  const shares = Float64Array.from(starts, (s, i) => {
    const end = i + 1 < starts.length ? starts[i + 1]! : HASH_SPACE;
    return Number(end - s) / Number(HASH_SPACE);
  });
  const last = (ok: (i: number) => boolean) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ok(mid)) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  return {
    openCount: starts.length,
    shares,
    shardOfHash: (hashKey) => last((i) => starts[i]! <= hashKey),
    shardOfFraction: (position) => last((i) => fractions[i]! <= position),
  };
}

/** The names a distribution's keys had when each was kept as a string (hot keys first). */
function expectedNames(spec: KeyDistribution): string[] {
  const hot = (spec.hotKeys ?? []).map((h) => h.key);
  switch (spec.dist) {
    case "uniform":
      return [...hot, ...Array.from({ length: spec.keys }, (_, i) => `${spec.prefix}${i}`)];
    case "zipf":
      return [...hot, ...Array.from({ length: spec.keys }, (_, i) => `${spec.prefix}${i + 1}`)];
    case "list":
      return [...hot, ...spec.keys.map((k) => (typeof k === "string" ? k : k.key))];
    default:
      return hot;
  }
}

const hotKeys = fc.option(
  fc
    .uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 3 })
    .map((keys) => keys.map((key) => ({ key, share: 0.1 }))),
  { nil: undefined },
);

/** A generated distribution's fields, with hot keys when the arbitrary gives some. */
function generated<T extends object>(dist: "uniform" | "zipf", fields: fc.Arbitrary<T>) {
  return fc
    .tuple(fields, hotKeys)
    .map(
      ([rest, hot]) => ({ dist, ...rest, ...(hot ? { hotKeys: hot } : {}) }) as unknown as KeyDistribution,
    );
}

/** Key distributions with named keys: generated (uniform, Zipf) or listed, with or without hot keys. */
const namedSpecs: fc.Arbitrary<KeyDistribution> = fc.oneof(
  generated(
    "uniform",
    fc.record({ keys: fc.integer({ min: 1, max: 400 }), prefix: fc.constantFrom("", "pk-", "ключ-", "🚚") }),
  ),
  generated(
    "zipf",
    fc.record({
      keys: fc.integer({ min: 1, max: 400 }),
      prefix: fc.constantFrom("user-", ""),
      exponent: fc.double({ min: 0, max: 2, noNaN: true }),
    }),
  ),
  fc
    .uniqueArray(fc.string({ minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 50 })
    .map((keys) => ({ dist: "list", keys }) as KeyDistribution),
);

describe("key space", () => {
  it("names its keys, sizes and weighs them as when every name was kept", () => {
    fc.assert(
      fc.property(namedSpecs, (spec) => {
        const keys = new KeySpace(spec);
        const names = expectedNames(spec);
        expect(keys.namedCount).toBe(names.length);
        expect(keys.names).toEqual(names);
        names.forEach((name, i) => {
          expect(keys.nameOf(i)).toBe(name);
          expect(keys.keyBytes[i]).toBe(Buffer.byteLength(name, "utf8"));
          expect(keys.bytesOf(i)).toBe(Buffer.byteLength(name, "utf8"));
          expect(keys.positionOf(i)).toBe(hashFraction(hashKeyOf(name)));
          expect(keys.hashKeyOf(i)).toBe(hashKeyOf(name));
        });
        expect(keys.nameOf(names.length)).toBeUndefined();
        expect(keys.nameOf(-1)).toBeUndefined();
        const total = keys.probabilities.reduce((a, p) => a + p, 0) + keys.randomShare;
        expect(total).toBeCloseTo(1, 9);
      }),
      { numRuns: 60, seed: propertySeed("key-space-names") },
    );
  });

  it("works out a generated name's bytes as its table has them, at every change of digits", () => {
    for (const spec of [
      { dist: "uniform", keys: 100_001, prefix: "pk-" },
      { dist: "zipf", keys: 100_000, exponent: 1, prefix: "ключ-", hotKeys: [{ key: "hot", share: 0.2 }] },
    ] as KeyDistribution[]) {
      const keys = new KeySpace(spec);
      const differ: number[] = [];
      for (let i = 0; i < keys.namedCount; i++) if (keys.bytesOf(i) !== keys.keyBytes[i]) differ.push(i);
      expect(differ).toEqual([]);
      expect(keys.bytesOf(-1)).toBe(keys.randomKeyBytes);
    }
  });

  it("routes every key where its whole hash key goes, also next to shard starts that share its top 53 bits", () => {
    fc.assert(
      fc.property(
        namedSpecs,
        fc.array(fc.bigInt({ min: 1n, max: MAX_HASH_KEY }), { maxLength: 6 }),
        fc.array(fc.tuple(fc.nat(), fc.bigInt({ min: -3n, max: 3n })), { maxLength: 8 }),
        (spec, randomStarts, nearKeys) => {
          const keys = new KeySpace(spec);
          const hashes = expectedNames(spec).map(hashKeyOf);
          // Shards that start right at, just below or just above some keys' hash keys: their
          // positions are the keys' own, and only the low 75 bits tell the shards apart.
          const starts = new Set<bigint>([0n, ...randomStarts]);
          for (const [pick, delta] of nearKeys) {
            const start = hashes[pick % hashes.length]! + delta;
            if (start > 0n && start <= MAX_HASH_KEY) starts.add(start);
          }
          const sorted = [...starts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
          const router = routerOf(sorted);
          const routing = keys.route(router);
          hashes.forEach((h, i) => {
            expect(routing.shardOfKey[i], `key ${i}`).toBe(router.shardOfHash(h));
          });
        },
      ),
      { numRuns: 150, seed: propertySeed("key-space-routing") },
    );
  });

  it("keeps each key's shard whole in the fewest bytes a shard count allows, up to and past each size", () => {
    // Evenly split streams of 256 and 257, 65,536 and 65,537 shards: a key's shard is the one its
    // hash key falls in, whether the table holds bytes, 16-bit or 32-bit numbers; the last shards
    // are reached too (a byte or a 16-bit number past its size would wrap them to the first).
    const keys = new KeySpace({ dist: "uniform", keys: 3_000, prefix: "k-" } as KeyDistribution);
    const hashes = expectedNames({ dist: "uniform", keys: 3_000, prefix: "k-" } as KeyDistribution).map(
      hashKeyOf,
    );
    for (const [n, kind] of [
      [256, Uint8Array],
      [257, Uint16Array],
      [65_536, Uint16Array],
      [65_537, Int32Array],
    ] as const) {
      const starts = Array.from({ length: n }, (_, i) => (HASH_SPACE * BigInt(i)) / BigInt(n));
      const router = routerOf(starts);
      const routing = keys.route(router);
      expect(routing.shardOfKey).toBeInstanceOf(kind);
      const wrong = hashes.filter((h, i) => routing.shardOfKey[i] !== router.shardOfHash(h));
      expect(wrong, `${n} shards`).toEqual([]);
      expect(Math.max(...routing.shardOfKey)).toBeGreaterThan((n * 9) / 10);
    }
  });

  it("routes keys with explicit hash keys and hash ranges by those keys", () => {
    const hashKeys = ["0", "1", String(1n << 127n), String((1n << 127n) - 1n), MAX_HASH_KEY.toString()];
    const explicit = new KeySpace({ dist: "explicitHashKeys", hashKeys, keyLength: 8 });
    const router = routerOf([0n, 1n, 1n << 127n]);
    const routing = explicit.route(router);
    expect([...routing.shardOfKey]).toEqual([0, 1, 2, 1, 2]);
    hashKeys.forEach((k, i) => {
      expect(explicit.hashKeyOf(i)).toBe(BigInt(k));
      expect(explicit.positionOf(i)).toBe(hashFraction(BigInt(k)));
      expect(explicit.hashKeyBytesOf(i)).toBe(k.length);
      expect(explicit.keyBytes[i]).toBe(8);
    });
    // A shard starting one above a key's hash key shares its position (found by a mutation of the
    // exact step: routed by position alone, the key went to the shard above).
    const space = new KeySpace({ dist: "list", keys: [" "] } as KeyDistribution);
    const h = hashKeyOf(" ");
    expect(space.route(routerOf([0n, h + 1n])).shardOfKey[0]).toBe(0);
    expect(space.route(routerOf([0n, h])).shardOfKey[0]).toBe(1);
    expect(space.route(routerOf([0n, h - 1n, h + 1n])).shardOfKey[0]).toBe(1);
    const ranges = new KeySpace({
      dist: "hashRanges",
      ranges: [{ startingHashKey: "0", endingHashKey: "99", weight: 1 }],
      keysPerRange: 4,
      keyLength: 10,
    } as KeyDistribution);
    expect(ranges.names).toEqual(["hashKey:12", "hashKey:37", "hashKey:62", "hashKey:87"]);
    expect([...ranges.route(routerOf([0n, 50n])).shardOfKey]).toEqual([0, 0, 1, 1]);
  });

  it("draws every key with its probability, a flat distribution's by arithmetic and the others' from the table", () => {
    // 300,000 draws: every key's count within 5 standard deviations of its expectation, and the
    // random share's too. The flat case's first and last keys are checked like the others (an
    // off-by-one there leaves one key never drawn).
    const draws = 300_000;
    for (const spec of [
      { dist: "uniform", keys: 1_000, prefix: "k-" },
      { dist: "uniform", keys: 1_000, prefix: "k-", hotKeys: [{ key: "hot", share: 0.3 }] },
      { dist: "zipf", keys: 500, exponent: 1, prefix: "z-" },
      { dist: "random", keyLength: 16, hotKeys: [{ key: "hot", share: 0.25 }] },
    ] as KeyDistribution[]) {
      const keys = new KeySpace(spec);
      const rng = new RandomStream("keys-test", spec.dist);
      const counts = new Float64Array(keys.namedCount + 1);
      for (let i = 0; i < draws; i++) {
        const k = keys.sample(rng);
        expect(k >= -1 && k < keys.namedCount && Number.isInteger(k)).toBe(true);
        counts[k < 0 ? keys.namedCount : k]! += 1;
      }
      const far: string[] = [];
      for (let i = 0; i <= keys.namedCount; i++) {
        const p = i < keys.namedCount ? keys.probabilities[i]! : keys.randomShare;
        const expected = draws * p;
        const sd = Math.sqrt(draws * p * (1 - p));
        if (Math.abs(counts[i]! - expected) > 5 * sd + 1e-9) far.push(`${i}: ${counts[i]} for ${expected}`);
      }
      expect(far, JSON.stringify(spec)).toEqual([]);
    }
  });

  it("is compiled once per distribution and process, and the cache lets go of the least recently used", () => {
    const a = { dist: "uniform", keys: 10, prefix: "a-" } as KeyDistribution;
    expect(KeySpace.of(a)).toBe(KeySpace.of({ ...a }));
    expect(KeySpace.of(a)).not.toBe(
      KeySpace.of({ dist: "uniform", keys: 11, prefix: "a-" } as KeyDistribution),
    );
    const first = KeySpace.of(a);
    // Two distributions of a million keys each push the small one out (two million keys at most).
    KeySpace.of({ dist: "uniform", keys: 1_000_000, prefix: "big-" } as KeyDistribution);
    KeySpace.of({ dist: "uniform", keys: 1_000_000, prefix: "other-" } as KeyDistribution);
    expect(KeySpace.of(a)).not.toBe(first);
  });
});
