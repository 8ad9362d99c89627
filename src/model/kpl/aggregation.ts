// The sizes the KPL gives aggregated Kinesis records: its running estimate (what makes a buffer
// flush) and the exact bytes of the record it sends (the protobuf plus 20 bytes of magic and MD5),
// exactly for a known list of user records and in expectation for cohorts of them.

import { KPL_INTERNALS } from "../../data/kinesis-limits.js";

const CONTAINER_OVERHEAD = KPL_INTERNALS.containerOverheadBytes.value;
const PER_RECORD = KPL_INTERNALS.userRecordOverheadBytes.value;
const KEY_INDEX = KPL_INTERNALS.keyIndexBytes.value;
const KEY_ENTRY = KPL_INTERNALS.keyTableEntryOverheadBytes.value;

/** Bytes of a protobuf varint holding `n` (n ≥ 0). */
export function varintBytes(n: number): number {
  let bytes = 1;
  for (let x = Math.floor(n); x >= 128; x = Math.floor(x / 128)) bytes++;
  return bytes;
}

/** Bytes of a length-delimited protobuf field (one tag byte, the length, the payload). */
function fieldBytes(length: number): number {
  return 1 + varintBytes(length) + length;
}

/** A user record as aggregation sees it. */
export interface UserShape {
  /** Data bytes (what the application passed, after its compression). */
  dataBytes: number;
  /** Identity of its partition key: equal ids are the same key; a negative id is a key seen once. */
  keyId: number;
  keyBytes: number;
  /** Bytes of its explicit hash key as a decimal string, 0 when it has none. */
  hashKeyBytes: number;
}

/**
 * The KPL's estimate of a buffer's aggregated record (KinesisRecord::estimated_size): each user
 * record adds its data + 3 bytes and 2 for its key index; a key adds its length + 3 the first time
 * it appears; the same for explicit hash keys. With fewer than two records it is the exact size.
 */
export class AggregateEstimate {
  count = 0;
  private estimate = 0;
  private firstDataBytes = 0;
  private readonly keys = new KeyTable();
  private readonly hashKeys = new KeyTable();

  add(u: UserShape): void {
    if (this.count === 0) this.firstDataBytes = u.dataBytes;
    this.count++;
    this.estimate += u.dataBytes + PER_RECORD + KEY_INDEX;
    this.keys.enter(u.keyId);
    if (this.keys.added) this.estimate += u.keyBytes + KEY_ENTRY;
    if (u.hashKeyBytes > 0) {
      this.estimate += KEY_INDEX;
      this.hashKeys.enter(u.keyId);
      if (this.hashKeys.added) this.estimate += u.hashKeyBytes + KEY_ENTRY;
    }
  }

  /** The estimate the KPL compares with AggregationMaxSize. */
  get bytes(): number {
    return this.count >= 2 ? this.estimate : this.count === 1 ? this.firstDataBytes : 0;
  }

  clear(): void {
    this.count = 0;
    this.estimate = 0;
    this.keys.clear();
    this.hashKeys.clear();
  }
}

/**
 * A key table of an aggregated record (partition keys, or explicit hash keys): each key's index, in
 * order of first appearance. A negative key id is a key seen once: always a new entry.
 */
class KeyTable {
  private readonly indices = new Map<number, number>();
  private size = 0;
  /** Whether the last key entered was new to the table. */
  added = false;

  /** The index of key `keyId`, entering it if it is new. */
  enter(keyId: number): number {
    const known = keyId >= 0 ? this.indices.get(keyId) : undefined;
    this.added = known === undefined;
    if (known !== undefined) return known;
    if (keyId >= 0) this.indices.set(keyId, this.size);
    return this.size++;
  }

  clear(): void {
    this.indices.clear();
    this.size = 0;
  }
}

/**
 * Exact size of the Kinesis record that holds the first `n` of `users` (KinesisRecord::
 * accurate_size): the data alone for one record; for more, 20 bytes plus the protobuf — the key
 * tables (one entry per distinct key, in order of first appearance) and one message per record with
 * its key index, explicit hash key index and data.
 */
export function accurateSize(users: readonly UserShape[], n = users.length): number {
  if (n === 0) return 0;
  if (n === 1) return users[0]!.dataBytes;
  // The partition-key and explicit-hash-key tables are indexed separately.
  const keys = new KeyTable();
  const hashKeys = new KeyTable();
  let protobuf = 0;
  for (let i = 0; i < n; i++) {
    const u = users[i]!;
    const index = keys.enter(u.keyId);
    if (keys.added) protobuf += fieldBytes(u.keyBytes);
    let hash = 0;
    if (u.hashKeyBytes > 0) {
      hash = hashKeys.enter(u.keyId);
      if (hashKeys.added) protobuf += fieldBytes(u.hashKeyBytes);
    }
    // Record message: partition_key_index (tag + varint), explicit_hash_key_index, data.
    const message =
      1 + varintBytes(index) + (u.hashKeyBytes > 0 ? 1 + varintBytes(hash) : 0) + fieldBytes(u.dataBytes);
    protobuf += fieldBytes(message);
  }
  return CONTAINER_OVERHEAD + protobuf;
}

/**
 * How many of `users` (in order) the KPL puts in one Kinesis record: the longest prefix whose exact
 * size is within `maxBytes` and count within `maxCount` — at least one record (the Reducer removes
 * records from the end of a flushed buffer until it fits, and never empties it).
 */
export function fittingPrefix(users: readonly UserShape[], maxBytes: number, maxCount: number): number {
  let n = Math.min(users.length, maxCount);
  while (n > 1 && accurateSize(users, n) > maxBytes) n--;
  return Math.max(1, n);
}

/** The keys of one shard's records, for expected sizes: named keys and a share of fresh ones. */
export interface ShardKeys {
  /** Probability, among the shard's records, of each named key. */
  probabilities: readonly number[];
  keyBytes: readonly number[];
  hashKeyBytes: readonly number[];
  /** Share of the shard's records with a fresh random key (each seen once). */
  randomShare: number;
  randomKeyBytes: number;
}

/**
 * Expected sizes of an aggregated record of n user records drawn from one shard's keys, with data
 * of `meanDataBytes` each — cohort resolution's stand-in for the exact sizes. Distinct keys among n
 * draws: Σ 1 − (1 − q)ⁿ over named keys, plus every fresh key. Data sizes enter through their mean.
 */
export class ExpectedAggregate {
  private readonly accurateCache = new Map<number, number>();
  private readonly estimateCache = new Map<number, number>();
  /** Per-record bytes that do not depend on n (estimate, and the record message). */
  private readonly estimatePerRecord: number;
  private readonly messageBytes: number;
  private readonly wideExtra: number;

  constructor(
    private readonly keys: ShardKeys,
    readonly meanDataBytes: number,
  ) {
    let hashKeyShare = 0;
    keys.probabilities.forEach((q, i) => {
      if (keys.hashKeyBytes[i]! > 0) hashKeyShare += q;
    });
    this.estimatePerRecord = meanDataBytes + PER_RECORD + KEY_INDEX + hashKeyShare * KEY_INDEX;
    const data = Math.round(meanDataBytes);
    const narrow = 1 + 1 + hashKeyShare * 2 + fieldBytes(data);
    this.messageBytes = 1 + varintBytes(Math.round(narrow)) + narrow;
    // A key index from 128 on takes a second byte (twice with explicit hash keys), which can also
    // take the record message's length prefix past a varint boundary.
    const wide = narrow + 1 + hashKeyShare;
    this.wideExtra = wide - narrow + varintBytes(Math.round(wide)) - varintBytes(Math.round(narrow));
  }

  /** Expected key-table bytes: `entry(keyBytes, hashKeyBytes)` summed over distinct keys, and the distinct count. */
  private table(n: number, entry: (keyBytes: number, hashKeyBytes: number) => number): [number, number] {
    const k = this.keys;
    let bytes = k.randomShare * n * entry(k.randomKeyBytes, 0);
    let distinct = k.randomShare * n;
    for (let i = 0; i < k.probabilities.length; i++) {
      const seen = 1 - (1 - k.probabilities[i]!) ** n;
      distinct += seen;
      bytes += seen * entry(k.keyBytes[i]!, k.hashKeyBytes[i]!);
    }
    return [bytes, distinct];
  }

  /** The KPL's estimate for n records. */
  estimate(n: number): number {
    if (n <= 1) return n * this.meanDataBytes;
    let e = this.estimateCache.get(n);
    if (e === undefined) {
      const [bytes] = this.table(n, (kb, hb) => kb + KEY_ENTRY + (hb > 0 ? hb + KEY_ENTRY : 0));
      e = n * this.estimatePerRecord + bytes;
      this.estimateCache.set(n, e);
    }
    return e;
  }

  /** Expected exact size of an aggregated record of n records (n may be fractional: a mean). */
  accurate(n: number): number {
    if (n <= 0) return 0;
    if (n <= 1) return this.meanDataBytes;
    const whole = Math.round(n);
    let a = this.accurateCache.get(whole);
    if (a === undefined) {
      const [bytes, distinct] = this.table(whole, (kb, hb) => fieldBytes(kb) + (hb > 0 ? fieldBytes(hb) : 0));
      const wideIndices = distinct > 128 ? (whole * (distinct - 128)) / distinct : 0;
      a = CONTAINER_OVERHEAD + bytes + whole * this.messageBytes + wideIndices * this.wideExtra;
      this.accurateCache.set(whole, a);
    }
    return a;
  }

  /**
   * The buffer size that makes the KPL flush (the estimate reaches `maxBytes`, or the count
   * `maxCount`) and how many of those records the flushed Kinesis record keeps (the rest stay).
   */
  fill(maxBytes: number, maxCount: number): { trigger: number; keep: number } {
    let lo = 1;
    let hi = Math.max(1, maxCount);
    // Smallest n with estimate(n) ≥ maxBytes (the estimate grows with n), capped by the count.
    if (this.estimate(hi) < maxBytes) lo = hi;
    else {
      while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        if (this.estimate(mid) >= maxBytes) hi = mid;
        else lo = mid + 1;
      }
    }
    const trigger = lo;
    let keep = trigger;
    while (keep > 1 && this.accurate(keep) > maxBytes) keep--;
    return { trigger, keep };
  }
}
