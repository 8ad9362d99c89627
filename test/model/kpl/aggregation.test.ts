// The KPL's aggregation arithmetic checked against an independent encoding: a small protobuf
// writer builds the actual bytes of the aggregated Kinesis record (magic, AggregatedRecord, MD5),
// and the KPL's running estimate is re-derived from its rule in kinesis_record.cc.

import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AggregateEstimate,
  accurateSize,
  ExpectedAggregate,
  fittingPrefix,
  type UserShape,
  varintBytes,
} from "../../../src/model/kpl/aggregation.js";
import { propertySeed, runs } from "../../support/property.js";

// ---------------------------------------------------------------------------------------------
// An independent encoder of the KPL aggregation format (awslabs/amazon-kinesis-producer,
// aggregation-format.md): MAGIC F3 89 9A C2, the proto2 message
//   AggregatedRecord { repeated string partition_key_table = 1; repeated string
//                      explicit_hash_key_table = 2; repeated Record records = 3; }
//   Record { required uint64 partition_key_index = 1; optional uint64 explicit_hash_key_index = 2;
//            required bytes data = 3; }
// then the 16-byte MD5 of the protobuf bytes. Key tables hold each distinct key once, in order of
// first appearance, as the KPL's KeySet does.

/** A user record as an application hands it to the KPL. */
interface UserRecord {
  partitionKey: string;
  explicitHashKey?: string;
  data: Uint8Array;
}

const MAGIC = [0xf3, 0x89, 0x9a, 0xc2];
const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;

/** Base-128 varint bytes, low group first, the high bit set on all but the last. */
function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

/** Collects a message's bytes as chunks (data blobs are referenced, not copied byte by byte). */
class Writer {
  private readonly chunks: Uint8Array[] = [];
  length = 0;

  private put(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** A varint field: the tag (field << 3 | 0), then the value. */
  varintField(field: number, value: number): void {
    this.put(Uint8Array.from([...varint(field * 8 + WIRE_VARINT), ...varint(value)]));
  }

  /** A length-delimited field: the tag (field << 3 | 2), the length, the bytes. */
  bytesField(field: number, payload: Uint8Array): void {
    this.put(Uint8Array.from([...varint(field * 8 + WIRE_LENGTH_DELIMITED), ...varint(payload.length)]));
    this.put(payload);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

const utf8 = (s: string) => new TextEncoder().encode(s);

/** Index of `key` in `table`, appending it the first time it is seen. */
function indexIn(table: string[], lookup: Map<string, number>, key: string): number {
  let i = lookup.get(key);
  if (i === undefined) {
    i = table.length;
    table.push(key);
    lookup.set(key, i);
  }
  return i;
}

/** Per-record facts of an encoding, for the estimate relation below. */
interface EncodedRecord {
  pkIndex: number;
  ehkIndex: number | undefined;
  messageLength: number;
}

interface Encoding {
  protobuf: Uint8Array;
  pkTable: string[];
  ehkTable: string[];
  records: EncodedRecord[];
}

/** The AggregatedRecord protobuf of `records`, serialised field by field in field-number order. */
function encodeAggregatedRecord(records: readonly UserRecord[]): Encoding {
  const pkTable: string[] = [];
  const ehkTable: string[] = [];
  const pkLookup = new Map<string, number>();
  const ehkLookup = new Map<string, number>();
  const messages: Uint8Array[] = [];
  const facts: EncodedRecord[] = [];
  for (const r of records) {
    const pkIndex = indexIn(pkTable, pkLookup, r.partitionKey);
    const ehkIndex =
      r.explicitHashKey === undefined ? undefined : indexIn(ehkTable, ehkLookup, r.explicitHashKey);
    const message = new Writer();
    message.varintField(1, pkIndex);
    if (ehkIndex !== undefined) message.varintField(2, ehkIndex);
    message.bytesField(3, r.data);
    messages.push(message.finish());
    facts.push({ pkIndex, ehkIndex, messageLength: message.length });
  }
  const out = new Writer();
  for (const k of pkTable) out.bytesField(1, utf8(k));
  for (const k of ehkTable) out.bytesField(2, utf8(k));
  for (const m of messages) out.bytesField(3, m);
  return { protobuf: out.finish(), pkTable, ehkTable, records: facts };
}

/** The data blob of the Kinesis record the KPL sends for `records` (KinesisRecord::serialize). */
function kinesisRecordBlob(records: readonly UserRecord[]): Uint8Array {
  // kinesis_record.cc: a container of one user record is sent as that record's data, as is.
  if (records.length === 1) return records[0]!.data;
  const { protobuf } = encodeAggregatedRecord(records);
  const md5 = createHash("md5").update(protobuf).digest();
  const blob = new Uint8Array(MAGIC.length + protobuf.length + md5.length);
  blob.set(MAGIC, 0);
  blob.set(protobuf, MAGIC.length);
  blob.set(md5, MAGIC.length + protobuf.length);
  return blob;
}

/**
 * The KPL's estimate, re-derived from KinesisRecord::after_add and ::estimated_size
 * (awslabs/amazon-kinesis-producer, aws/kinesis/core/kinesis_record.cc): each record adds
 * data.length() + 3, a partition key new to the container adds pk.length() + 3, every record adds
 * 2 for its key index; the same for an explicit hash key when the record has one. With fewer than
 * two records estimated_size() returns accurate_size(), which is the lone record's data length.
 */
function kplEstimate(records: readonly UserRecord[]): number {
  if (records.length === 0) return 0;
  if (records.length === 1) return records[0]!.data.length;
  const pks = new Set<string>();
  const ehks = new Set<string>();
  let e = 0;
  for (const r of records) {
    e += r.data.length + 3;
    if (!pks.has(r.partitionKey)) {
      pks.add(r.partitionKey);
      e += utf8(r.partitionKey).length + 3;
    }
    e += 2;
    if (r.explicitHashKey !== undefined) {
      if (!ehks.has(r.explicitHashKey)) {
        ehks.add(r.explicitHashKey);
        e += utf8(r.explicitHashKey).length + 3;
      }
      e += 2;
    }
  }
  return e;
}

/** Bytes of the varint of `n`, counted from the encoder's own output. */
function varintLength(n: number): number {
  return varint(n).length;
}

/**
 * The model's view of `records`: a key id per distinct partition key (ids in order of first
 * appearance; with `freshSingletons`, a key used once gets a negative id, the model's "fresh
 * random key"), its byte length, and its explicit hash key's length.
 */
function shapesOf(records: readonly UserRecord[], freshSingletons = false): UserShape[] {
  const uses = new Map<string, number>();
  for (const r of records) uses.set(r.partitionKey, (uses.get(r.partitionKey) ?? 0) + 1);
  const ids = new Map<string, number>();
  let fresh = -1;
  return records.map((r) => {
    let keyId: number;
    if (freshSingletons && uses.get(r.partitionKey) === 1) keyId = fresh--;
    else {
      keyId = ids.get(r.partitionKey) ?? ids.size;
      ids.set(r.partitionKey, keyId);
    }
    return {
      dataBytes: r.data.length,
      keyId,
      keyBytes: utf8(r.partitionKey).length,
      hashKeyBytes: r.explicitHashKey === undefined ? 0 : utf8(r.explicitHashKey).length,
    };
  });
}

function estimateOf(shapes: readonly UserShape[]): number {
  const e = new AggregateEstimate();
  for (const s of shapes) e.add(s);
  return e.bytes;
}

/** `n` bytes of data with a recognisable pattern (sizes are what matter). */
function dataOf(n: number, seed = 0): Uint8Array {
  const d = new Uint8Array(n);
  for (let i = 0; i < n; i++) d[i] = (i * 31 + seed) & 0xff;
  return d;
}

/** A 36-character key like a UUID, distinct per `i`. */
function uuidLike(i: number): string {
  const hex = i.toString(16).padStart(32, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A 39-digit decimal explicit hash key (2^128 − 1 has 39 digits), distinct per `i`. */
function ehkOf(i: number): string {
  return (2n ** 127n + BigInt(i) * 1_000_003n).toString();
}

// ---------------------------------------------------------------------------------------------

describe("the independent encoder", () => {
  it("writes the bytes of a two-record aggregate as worked out by hand", () => {
    // pk table "a" → 0A 01 61; each Record {pk index 0, data "x"} → 08 00 1A 01 78, framed as
    // field 3 (1A) of length 5.
    const records: UserRecord[] = [
      { partitionKey: "a", data: utf8("x") },
      { partitionKey: "a", data: utf8("y") },
    ];
    const { protobuf } = encodeAggregatedRecord(records);
    expect([...protobuf]).toEqual([
      0x0a, 0x01, 0x61, 0x1a, 0x05, 0x08, 0x00, 0x1a, 0x01, 0x78, 0x1a, 0x05, 0x08, 0x00, 0x1a, 0x01, 0x79,
    ]);
    const blob = kinesisRecordBlob(records);
    expect([...blob.subarray(0, 4)]).toEqual(MAGIC);
    expect(Buffer.from(blob.subarray(4 + protobuf.length)).toString("hex")).toBe(
      createHash("md5").update(protobuf).digest("hex"),
    );
  });

  it("writes varints the protobuf way across the 1/2/3-byte boundaries", () => {
    expect(varint(127)).toEqual([0x7f]);
    expect(varint(128)).toEqual([0x80, 0x01]);
    expect(varint(300)).toEqual([0xac, 0x02]);
    expect(varint(16383)).toEqual([0xff, 0x7f]);
    expect(varint(16384)).toEqual([0x80, 0x80, 0x01]);
    for (const n of [0, 1, 127, 128, 16383, 16384, 2097151, 2097152, 1048576])
      expect(varintBytes(n)).toBe(varint(n).length);
  });
});

describe("accurateSize: the exact size of the Kinesis record the KPL sends", () => {
  it("is the data alone for a single user record, which the KPL sends unaggregated", () => {
    for (const size of [0, 1, 127, 128, 512, 51_200, 1_048_576]) {
      const records: UserRecord[] = [{ partitionKey: uuidLike(size), data: dataOf(size) }];
      const shapes = shapesOf(records);
      expect(kinesisRecordBlob(records).length).toBe(size);
      expect(accurateSize(shapes)).toBe(size);
      // The estimate of a one-record container is its accurate size, so also the data alone.
      expect(estimateOf(shapes)).toBe(size);
      expect(estimateOf(shapes)).toBe(kplEstimate(records));
    }
    expect(accurateSize([])).toBe(0);
    expect(estimateOf([])).toBe(0);
  });

  it("is 20 + the protobuf for many records with distinct keys", () => {
    const records: UserRecord[] = Array.from({ length: 50 }, (_, i) => ({
      partitionKey: uuidLike(i),
      data: dataOf(100 + i, i),
    }));
    const blob = kinesisRecordBlob(records);
    expect(blob.length).toBe(20 + encodeAggregatedRecord(records).protobuf.length);
    expect(accurateSize(shapesOf(records))).toBe(blob.length);
    expect(accurateSize(shapesOf(records, true))).toBe(blob.length);
  });

  it("counts a repeated key once in the key table", () => {
    const keys = ["truck-1", "truck-22", "truck-333"];
    const records: UserRecord[] = Array.from({ length: 40 }, (_, i) => ({
      partitionKey: keys[i % 3]!,
      data: dataOf(64),
    }));
    const { pkTable } = encodeAggregatedRecord(records);
    expect(pkTable).toEqual(keys);
    expect(accurateSize(shapesOf(records))).toBe(kinesisRecordBlob(records).length);
    // One key table entry per distinct key: 1 tag + 1 length + the key; one framed Record each:
    // 1 tag + 1 length + (1 + 1 index) + (1 + 1 + 64 data).
    const perMessage = 1 + 1 + (2 + 1 + 1 + 64);
    expect(accurateSize(shapesOf(records))).toBe(20 + (2 + 7 + 2 + 8 + 2 + 9) + 40 * perMessage);
  });

  it("follows the varint boundaries of data sizes and message lengths", () => {
    // Data 123 makes a 127-byte Record message (1+1 index, 1+1 length, 123 data), 124 a 128-byte
    // one (two length bytes); data 127/128 moves the data length itself to two bytes; likewise
    // around 16383/16384.
    const sizes = [
      0, 1, 122, 123, 124, 125, 126, 127, 128, 129, 16_377, 16_378, 16_379, 16_380, 16_383, 16_384,
    ];
    for (const size of sizes) {
      for (const count of [2, 3, 130]) {
        const records: UserRecord[] = Array.from({ length: count }, (_, i) => ({
          partitionKey: uuidLike(i),
          data: dataOf(size, i),
        }));
        const expected = kinesisRecordBlob(records).length;
        expect(accurateSize(shapesOf(records)), `data ${size} B × ${count}`).toBe(expected);
      }
    }
    // Key lengths across a varint boundary too (a partition key may have up to 256 characters).
    for (const keyLength of [127, 128, 129, 256]) {
      const records: UserRecord[] = [0, 1, 2].map((i) => ({
        partitionKey: String(i).repeat(keyLength),
        data: dataOf(10),
      }));
      expect(accurateSize(shapesOf(records))).toBe(kinesisRecordBlob(records).length);
    }
  });

  it("gives key indices from 128 on a second byte", () => {
    const records: UserRecord[] = Array.from({ length: 200 }, (_, i) => ({
      partitionKey: uuidLike(i),
      data: dataOf(20),
    }));
    const { records: facts } = encodeAggregatedRecord(records);
    expect(facts.filter((f) => varintLength(f.pkIndex) === 2)).toHaveLength(72);
    expect(accurateSize(shapesOf(records))).toBe(kinesisRecordBlob(records).length);
    // Against 128 records the 72 more each cost a key entry (1 + 1 + 36) and a framed Record
    // (1 tag + 1 length + [1 + 2 for the wide index] + [1 + 1 + 20 for the data]).
    expect(accurateSize(shapesOf(records)) - accurateSize(shapesOf(records), 128)).toBe(
      72 * (1 + 1 + 36 + (1 + 1 + (1 + 2) + (1 + 1 + 20))),
    );
  });

  it("sizes explicit hash keys: their own table and an index in each record", () => {
    const records: UserRecord[] = Array.from({ length: 60 }, (_, i) => ({
      partitionKey: `k${i % 7}`,
      explicitHashKey: ehkOf(i % 7),
      data: dataOf(300, i),
    }));
    const { ehkTable } = encodeAggregatedRecord(records);
    expect(ehkTable).toHaveLength(7);
    expect(accurateSize(shapesOf(records))).toBe(kinesisRecordBlob(records).length);
    // Distinct keys beyond 128, every one with its hash key: both indices widen together.
    const many: UserRecord[] = Array.from({ length: 150 }, (_, i) => ({
      partitionKey: `k${i}`,
      explicitHashKey: ehkOf(i),
      data: dataOf(40, i),
    }));
    expect(accurateSize(shapesOf(many))).toBe(kinesisRecordBlob(many).length);
  });

  it("is the exact size of every prefix (what the Reducer trims to)", () => {
    const records: UserRecord[] = Array.from({ length: 30 }, (_, i) => ({
      partitionKey: i % 4 === 0 ? "hot" : uuidLike(i),
      explicitHashKey: undefined,
      data: dataOf(17 * i, i),
    }));
    const shapes = shapesOf(records);
    for (let n = 0; n <= records.length; n++) {
      const expected = n === 0 ? 0 : kinesisRecordBlob(records.slice(0, n)).length;
      expect(accurateSize(shapes, n), `prefix ${n}`).toBe(expected);
    }
  });
});

describe("AggregateEstimate: the KPL's running estimate", () => {
  it("matches the rule of kinesis_record.cc, record by record", () => {
    const records: UserRecord[] = Array.from({ length: 25 }, (_, i) => ({
      partitionKey: ["a", "bb", uuidLike(i)][i % 3]!,
      explicitHashKey: i % 3 === 1 ? ehkOf(1) : undefined,
      data: dataOf(10 * i, i),
    }));
    const shapes = shapesOf(records);
    const e = new AggregateEstimate();
    for (let n = 1; n <= records.length; n++) {
      e.add(shapes[n - 1]!);
      expect(e.bytes, `after ${n}`).toBe(kplEstimate(records.slice(0, n)));
    }
    // Worked by hand for two records with distinct 1-character keys and 10 + 20 bytes of data:
    // (10 + 3) + (1 + 3) + 2 + (20 + 3) + (1 + 3) + 2 = 48.
    expect(
      kplEstimate([
        { partitionKey: "x", data: dataOf(10) },
        { partitionKey: "y", data: dataOf(20) },
      ]),
    ).toBe(48);
    e.clear();
    expect(e.bytes).toBe(0);
    e.add(shapes[5]!);
    expect(e.bytes).toBe(records[5]!.data.length);
  });

  it("for small records falls short of the exact protobuf by a byte per record less a byte per key", () => {
    // Every varint here is one byte (indices < 128, data < 120, keys < 128 characters): each Record
    // costs data + 5 on the wire and data + 3 + 2 in the estimate plus 1 more for the Record's own
    // length prefix, which the rule omits; each key entry costs len + 2 on the wire, len + 3 in
    // the estimate.
    const records: UserRecord[] = Array.from({ length: 100 }, (_, i) => ({
      partitionKey: `key-${i % 37}`,
      data: dataOf(i % 110, i),
    }));
    const protobuf = encodeAggregatedRecord(records).protobuf.length;
    expect(protobuf - estimateOf(shapesOf(records))).toBe(100 - 37);
    expect(accurateSize(shapesOf(records)) - estimateOf(shapesOf(records))).toBe(20 + 100 - 37);
  });
});

describe("the worked example: 512-byte records with random keys, AggregationMaxSize 51,200 B", () => {
  // Random keys are 36 characters (src/scenario/schema.ts: partitionKey defaults to
  // { dist: random, keyLength: 36 }, a UUID), each seen once.
  const keyLength = 36;
  const data = 512;
  const maxSize = 51_200;
  const maxCount = 4_294_967_295;

  // Estimate per record: (512 + 3) + (36 + 3) + 2 = 556. The Reducer flushes when, after an add,
  // the estimate is ≥ 51,200: 92 × 556 = 51,152 < 51,200 ≤ 93 × 556 = 51,708, so the 93rd record
  // triggers the flush.
  const estimatePerRecord = data + 3 + (keyLength + 3) + 2;
  const trigger = Math.ceil(maxSize / estimatePerRecord);
  // Exact: each key entry 1 + 1 + 36 = 38; each Record message 1 + 1 (index < 128) + 1 + 2 + 512 =
  // 517, framed 1 + 2 + 517 = 520; plus 20. 20 + 91 × 558 = 50,798 ≤ 51,200 < 20 + 92 × 558 =
  // 51,356, so the flushed record keeps 91 and 2 go back to the buffer.
  const exactPerRecord = 1 + 1 + keyLength + (1 + 2 + (1 + 1 + 1 + 2 + data));
  const keep = Math.floor((maxSize - 20) / exactPerRecord);

  const records: UserRecord[] = Array.from({ length: trigger }, (_, i) => ({
    partitionKey: uuidLike(i),
    data: dataOf(data, i),
  }));

  it("derives 93 records to trigger the flush and 91 to keep", () => {
    expect(estimatePerRecord).toBe(556);
    expect(exactPerRecord).toBe(558);
    expect(trigger).toBe(93);
    expect(keep).toBe(91);
    // The derivation agrees with the encoder and the KPL rule.
    expect(kplEstimate(records.slice(0, trigger - 1))).toBeLessThan(maxSize);
    expect(kplEstimate(records)).toBeGreaterThanOrEqual(maxSize);
    expect(kinesisRecordBlob(records.slice(0, keep)).length).toBe(20 + keep * exactPerRecord);
    expect(kinesisRecordBlob(records.slice(0, keep)).length).toBeLessThanOrEqual(maxSize);
    expect(kinesisRecordBlob(records.slice(0, keep + 1)).length).toBeGreaterThan(maxSize);
  });

  it("the model's estimate flushes at the 93rd record and fittingPrefix keeps 91", () => {
    const e = new AggregateEstimate();
    const shapes = shapesOf(records, true);
    let added = 0;
    for (const s of shapes) {
      e.add(s);
      added++;
      if (e.bytes >= maxSize) break;
    }
    expect(added).toBe(trigger);
    expect(fittingPrefix(shapes, maxSize, maxCount)).toBe(keep);
    expect(accurateSize(shapes, keep)).toBe(20 + keep * exactPerRecord);
  });

  it("cohort resolution's expected aggregate agrees for fresh keys of constant size", () => {
    const expected = new ExpectedAggregate(
      { probabilities: [], keyBytes: [], hashKeyBytes: [], randomShare: 1, randomKeyBytes: keyLength },
      data,
    );
    expect(expected.fill(maxSize, maxCount)).toEqual({ trigger, keep });
    expect(expected.estimate(trigger)).toBe(trigger * estimatePerRecord);
    expect(expected.accurate(keep)).toBe(20 + keep * exactPerRecord);
  });
});

describe("fittingPrefix: what the Reducer keeps", () => {
  it("keeps the longest prefix within size and count, never fewer than one record", () => {
    const records: UserRecord[] = Array.from({ length: 20 }, (_, i) => ({
      partitionKey: uuidLike(i),
      data: dataOf(1000, i),
    }));
    const shapes = shapesOf(records);
    for (const max of [500, 1100, 2100, 5000, 20_000, 30_000]) {
      let best = 1;
      for (let n = 2; n <= records.length; n++)
        if (kinesisRecordBlob(records.slice(0, n)).length <= max) best = n;
      expect(fittingPrefix(shapes, max, 1000), `max ${max}`).toBe(best);
    }
    expect(fittingPrefix(shapes, 1_000_000, 7)).toBe(7);
    // A lone record larger than the limit still goes (the Reducer never empties a flush).
    expect(fittingPrefix(shapesOf([{ partitionKey: "k", data: dataOf(60_000) }]), 51_200, 100)).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: random lists of user records.

/**
 * Records from a pool of keys: each key has a fixed explicit hash key or none, as in the model
 * (a named key's hash key is part of the key). `withHashKeys` decides for the whole list: a key
 * distribution gives every key a hash key (explicitHashKeys) or none. Lists mixing keys with and
 * without hash keys (explicitHashKeys with hotKeys) are in aggregation-disagreements.test.ts.
 */
const recordLists = fc
  .record({
    poolSize: fc.integer({ min: 1, max: 300 }),
    keyLengths: fc.constantFrom(1, 8, 36, 127, 128, 256),
    withHashKeys: fc.boolean(),
    entries: fc.array(
      fc.record({
        key: fc.nat(),
        size: fc.oneof(
          { arbitrary: fc.integer({ min: 0, max: 300 }), weight: 8 },
          { arbitrary: fc.integer({ min: 16_370, max: 16_390 }), weight: 1 },
          { arbitrary: fc.integer({ min: 0, max: 60_000 }), weight: 1 },
        ),
      }),
      { minLength: 1, maxLength: 400, size: "max" },
    ),
    freshSingletons: fc.boolean(),
  })
  .map(({ poolSize, keyLengths, withHashKeys, entries, freshSingletons }) => {
    const records: UserRecord[] = entries.map(({ key, size }, i) => {
      const k = key % poolSize;
      const name = `${k}-`.padEnd(Math.max(keyLengths, `${k}-`.length), "x");
      return {
        partitionKey: name,
        explicitHashKey: withHashKeys ? ehkOf(k) : undefined,
        data: dataOf(size, i),
      };
    });
    return { records, freshSingletons };
  });

describe("aggregation sizes on random record lists", () => {
  it("accurateSize is the encoded size and the estimate misses exactly what the KPL rule ignores", () => {
    fc.assert(
      fc.property(recordLists, ({ records, freshSingletons }) => {
        const shapes = shapesOf(records, freshSingletons);
        const blob = kinesisRecordBlob(records);
        expect(accurateSize(shapes)).toBe(blob.length);
        const estimate = estimateOf(shapes);
        expect(estimate).toBe(kplEstimate(records));
        if (records.length < 2) {
          expect(estimate).toBe(blob.length);
          return;
        }
        // Exact relation. Per Record the wire has 1 + |len(message)| framing, 1 + |pk index|,
        // [1 + |ehk index|], 1 + |len(data)| + data; the rule counts data + 3 + 2 [+ 2]. Per key
        // table entry the wire has 1 + |len| + len; the rule counts len + 3. So
        //   protobuf − estimate = Σ_records (|len(msg)| + |pk idx| + |len(data)| − 2 [+ |ehk idx| − 1])
        //                        − Σ_entries (2 − |len|),
        // where |x| is x's varint length.
        const enc = encodeAggregatedRecord(records);
        let ignored = 0;
        for (let i = 0; i < records.length; i++) {
          const f = enc.records[i]!;
          ignored +=
            varintLength(f.messageLength) +
            varintLength(f.pkIndex) +
            varintLength(records[i]!.data.length) -
            2;
          if (f.ehkIndex !== undefined) ignored += varintLength(f.ehkIndex) - 1;
        }
        let surplus = 0;
        for (const k of [...enc.pkTable, ...enc.ehkTable]) surplus += 2 - varintLength(utf8(k).length);
        expect(enc.protobuf.length - estimate).toBe(ignored - surplus);
        // Bounds that follow: each Record's framing is at least one byte the rule ignores, and a
        // key entry's surplus is at most one byte (keys are at most 256 bytes: two-byte lengths).
        expect(estimate).toBeLessThanOrEqual(
          enc.protobuf.length - records.length + enc.pkTable.length + enc.ehkTable.length,
        );
        expect(estimate).toBeGreaterThanOrEqual(enc.protobuf.length - ignored);
        // fittingPrefix agrees with the encoder on the longest fitting prefix (sizes grow with the
        // prefix, so a binary search over encoded prefixes finds it).
        const max = 51_200;
        let lo = 1;
        let hi = records.length;
        while (lo < hi) {
          const mid = Math.ceil((lo + hi) / 2);
          if (kinesisRecordBlob(records.slice(0, mid)).length <= max) lo = mid;
          else hi = mid - 1;
        }
        expect(fittingPrefix(shapes, max, 1_000_000)).toBe(lo);
      }),
      { numRuns: runs(150), seed: propertySeed("kpl-aggregation-sizes") },
    );
  });
});
