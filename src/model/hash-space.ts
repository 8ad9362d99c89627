// The 128-bit hash-key space of a stream: MD5 of a partition key read as an unsigned big-endian
// integer, contiguous inclusive ranges per shard, the even split CreateStream makes, and shard
// ids. Exact (bigint); doubles appear only as positions for random keys.

import { hash } from "node:crypto";

/** 2^128: the number of hash keys. */
export const HASH_SPACE = 1n << 128n;
/** The largest hash key, 2^128 − 1. */
export const MAX_HASH_KEY = HASH_SPACE - 1n;

/** An inclusive range of hash keys. */
export interface HashKeyRange {
  start: bigint;
  end: bigint;
}

/** MD5 of the partition key's UTF-8 bytes as an unsigned 128-bit big-endian integer. */
export function hashKeyOf(partitionKey: string): bigint {
  // One-shot hashing to hex, read as one big-endian integer: a third of the time of a Hash object
  // and two 64-bit reads (a scenario of 20,000 keys hashes them all before its first record).
  return BigInt(`0x${hash("md5", partitionKey, "hex")}`);
}

/** The ranges of an n-shard stream as CreateStream splits it: shard i starts at ⌊i·2^128/n⌋. */
export function evenSplit(n: number): HashKeyRange[] {
  const count = BigInt(n);
  const ranges: HashKeyRange[] = [];
  for (let i = 0n; i < count; i++) {
    const start = (i * HASH_SPACE) / count;
    const end = ((i + 1n) * HASH_SPACE) / count - 1n;
    ranges.push({ start, end });
  }
  return ranges;
}

/** Position of a hash key as a fraction of the space, in [0, 1) (53-bit precision). */
export function hashFraction(hashKey: bigint): number {
  // Shift to 53 bits first so the division is exact in doubles.
  return Number(hashKey >> 75n) / 2 ** 53;
}

/** Share of the hash space a range covers. */
export function rangeShare(range: HashKeyRange): number {
  return Number(((range.end - range.start + 1n) << 53n) / HASH_SPACE) / 2 ** 53;
}

/** `shardId-000000000007` for shard number 7. */
export function shardIdOf(n: number): string {
  return `shardId-${String(n).padStart(12, "0")}`;
}
