import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  evenSplit,
  HASH_SPACE,
  hashFraction,
  hashKeyOf,
  MAX_HASH_KEY,
  shardIdOf,
} from "../../src/model/hash-space.js";
import { Stream } from "../../src/model/stream.js";
import { loadScenario } from "../../src/scenario/load.js";
import { propertySeed } from "../support/property.js";

function md5AsBigInt(key: string): bigint {
  return BigInt(`0x${createHash("md5").update(key, "utf8").digest("hex")}`);
}

function streamOf(shards: number): Stream {
  const { scenario } = loadScenario(
    `name: t\nduration: 1s\nstream: { shards: ${shards} }\nproducers: [{ name: p, rate: 1/s }]\n`,
    { file: "t.yaml" },
  );
  return new Stream(scenario.stream);
}

describe("hash-key space", () => {
  it("hashes partition keys as MD5 read as an unsigned 128-bit big-endian integer", () => {
    // Known digests: MD5("") = d41d8cd98f00b204e9800998ecf8427e, MD5("a") = 0cc175b9c0f1b6a831c399e269772661.
    expect(hashKeyOf("")).toBe(0xd41d8cd98f00b204e9800998ecf8427en);
    expect(hashKeyOf("a")).toBe(0x0cc175b9c0f1b6a831c399e269772661n);
    for (const key of ["truck-17", "user-12345", "acme", "ключ", "🚚"])
      expect(hashKeyOf(key)).toBe(md5AsBigInt(key));
  });

  it("splits the space evenly as CreateStream does (documented boundaries)", () => {
    // 2 shards: the second starts at 2^127.
    expect(evenSplit(2).map((r) => r.start)).toEqual([0n, 1n << 127n]);
    // 3 shards, as AWS lists them.
    expect(evenSplit(3).map((r) => r.end)).toEqual([
      113427455640312821154458202477256070484n,
      226854911280625642308916404954512140969n,
      340282366920938463463374607431768211455n,
    ]);
    // 5 shards: shard 0 ends at 68056473384187692692674921486353642290 (facts sheet, CreateStream).
    expect(evenSplit(5)[0]!.end).toBe(68056473384187692692674921486353642290n);
  });

  it("tiles the space with no gap and no overlap for any shard count", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2000 }), (n) => {
        const ranges = evenSplit(n);
        expect(ranges[0]!.start).toBe(0n);
        expect(ranges.at(-1)!.end).toBe(MAX_HASH_KEY);
        for (let i = 1; i < n; i++) expect(ranges[i]!.start).toBe(ranges[i - 1]!.end + 1n);
      }),
      { numRuns: 100, seed: propertySeed("even-split-tiles") },
    );
  });

  it("finds the shard of a position as a search of the shards' starts does, at and around every start", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (n, u) => {
          const stream = streamOf(n);
          const starts = stream.open.map((s) => s.startFraction);
          const reference = (p: number) => starts.findLastIndex((start) => start <= p);
          const i = Math.floor(u * n);
          for (const p of [u, starts[i]!, Math.max(0, starts[i]! - 1e-15), starts[i]! + 1e-15, 1 - 2 ** -53])
            expect(stream.shardOfFraction(p)).toBe(reference(p));
        },
      ),
      { numRuns: 300, seed: propertySeed("shard-of-fraction") },
    );
  });

  it("routes a hash key to the shard whose range holds it, by exact key and by position", () => {
    const stream = streamOf(7);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_HASH_KEY }), (hash) => {
        const i = stream.shardOfHash(hash);
        const shard = stream.open[i]!;
        expect(shard.range.start <= hash && hash <= shard.range.end).toBe(true);
        // Away from boundaries the 53-bit position agrees with the exact route.
        const nearBoundary = stream.open.some((s) => {
          const d = hash - s.range.start;
          return (d < 0n ? -d : d) < 1n << 80n;
        });
        if (!nearBoundary) expect(stream.shardOfFraction(hashFraction(hash))).toBe(i);
      }),
      { numRuns: 2000, seed: propertySeed("routing-by-range") },
    );
    expect(stream.shardOfHash(0n)).toBe(0);
    expect(stream.shardOfHash(HASH_SPACE - 1n)).toBe(6);
  });

  it("names shards shardId-000000000000", () => {
    expect(shardIdOf(0)).toBe("shardId-000000000000");
    expect(shardIdOf(42)).toBe("shardId-000000000042");
    expect(streamOf(3).open.map((s) => s.id)).toEqual([
      "shardId-000000000000",
      "shardId-000000000001",
      "shardId-000000000002",
    ]);
  });
});
