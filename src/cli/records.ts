// `kinesim get-shard-iterator`, `get-records` and `put-record`: a scenario's stream at a virtual
// time, seen through the AWS CLI's record calls — a sandbox for consumer code paths. Runs at record
// resolution and keeps every record within retention so any position can be read.

import { KINESIS } from "../data/kinesis-limits.js";
import { NULL_SINK } from "../metrics/sink.js";
import { type BuiltRun, buildRun } from "../model/build.js";
import { hashKeyOf } from "../model/hash-space.js";
import type { Shard } from "../model/shard.js";
import type { LogEntry } from "../model/shard-log.js";
import type { IteratorType } from "../protocol/iterator-types.js";
import {
  decodeIterator,
  encodeIterator,
  iteratorStart,
  KeepWithinRetention,
} from "../protocol/kinesis-service.js";
import { parseHashKey } from "../scenario/fields.js";
import { citation, EXPECTED, expected } from "../scenario/messages.js";
import { formatNumber, parseDuration } from "../scenario/units.js";
import { UserInputError } from "./errors.js";
import { loadScenarioFile } from "./load.js";
import { overridesOf } from "./overrides.js";

/** GetRecords returns at most this many records per call (AWS's default and maximum limit). */
const GET_RECORDS_MAX = 10_000;
/** …and at most 10 MiB. */
const GET_RECORDS_MAX_BYTES = 10 * 1024 * 1024;
/** A shard iterator expires 5 minutes after it was returned. */
const ITERATOR_LIFETIME_US = 5 * 60 * 1_000_000;

/** Where an iterator points: a shard, the next sequence ordinal, and when it was issued. */
interface Iterator {
  scenario: string;
  shardId: string;
  seq: number;
  issuedUs: number;
}

/** A scenario run to `atUs` at record resolution, every record kept (unless `keep` is false:
 *  then the shards' logs count their records without keeping them). */
function runTo(path: string, set: string[] | undefined, at: string | number | undefined, keep = true) {
  const { scenario } = loadScenarioFile(path, [
    ...overridesOf(set ? { set } : {}),
    { path: "resolution", value: "record" },
  ]);
  const atUs = typeof at === "number" ? at : at === undefined ? scenario.duration : parseDuration(at);
  if (atUs === undefined || atUs < 0 || atUs > scenario.duration)
    throw new UserInputError(`--at ${at}: expected a time between 0s and the scenario's duration`);
  const run = buildRun(scenario, { sink: NULL_SINK });
  if (keep) {
    for (const shard of run.stream.shards) shard.log.attach(new KeepWithinRetention());
    run.stream.onReshard((created) => {
      for (const shard of created) shard.log.attach(new KeepWithinRetention());
    });
  }
  run.sim.run(atUs);
  // Retention as of now (the recorder trims once a metrics interval).
  run.stream.trimLogs(atUs);
  return { scenario, run, atUs };
}

function shardOf(run: BuiltRun, shardId: string): Shard {
  const shard = run.stream.shard(shardId);
  if (!shard)
    throw new UserInputError(
      `ResourceNotFoundException: shard ${shardId} does not exist; shards are ${run.stream.shards.map((s) => s.id).join(", ")}`,
    );
  return shard;
}

/** The CLI's iterators name the scenario where the API's name the stream. */
const TAG = "kinesim/1";

function encode(it: Iterator): string {
  return encodeIterator(TAG, {
    stream: it.scenario,
    shardId: it.shardId,
    seq: it.seq,
    issuedUs: it.issuedUs,
  });
}

function decode(text: string): Iterator {
  const it = decodeIterator(text, TAG);
  if (!it) throw new UserInputError("InvalidArgumentException: not a shard iterator kinesim issued");
  return { scenario: it.stream, shardId: it.shardId, seq: it.seq, issuedUs: it.issuedUs };
}

/** Options of get-shard-iterator. */
export interface IteratorOptions {
  scenario: string;
  shardId: string;
  type: IteratorType;
  startingSequenceNumber?: string;
  timestamp?: string;
  at?: string;
  set?: string[];
}

/** `get-shard-iterator`: an iterator for a position in a shard at virtual time `at`. */
export function getShardIterator(o: IteratorOptions): { ShardIterator: string } {
  const { scenario, run, atUs } = runTo(o.scenario, o.set, o.at);
  const shard = shardOf(run, o.shardId);
  const ts = o.timestamp === undefined ? undefined : parseDuration(o.timestamp);
  const seq = iteratorStart(shard, o.type, {
    sequenceNumber: o.startingSequenceNumber,
    ...(ts !== undefined ? { timestampUs: ts } : {}),
  });
  if (seq === "no-sequence")
    throw new UserInputError(`InvalidArgumentException: ${o.type} needs --starting-sequence-number`);
  if (seq === "bad-sequence")
    throw new UserInputError(
      `InvalidArgumentException: ${o.startingSequenceNumber} is not a sequence number of ${shard.id} (they start ${shard.sequenceNumber(0).slice(0, -20)})`,
    );
  if (seq === "beyond")
    throw new UserInputError(
      `InvalidArgumentException: ${o.startingSequenceNumber} is beyond the last record of ${shard.id}`,
    );
  if (seq === "no-timestamp")
    throw new UserInputError("InvalidArgumentException: AT_TIMESTAMP needs --timestamp, e.g. 5m");
  return { ShardIterator: encode({ scenario: scenario.name, shardId: shard.id, seq, issuedUs: atUs }) };
}

/** Options of get-records. */
export interface GetRecordsOptions {
  scenario: string;
  shardIterator: string;
  limit?: number;
  /** When the call is made (default: when the iterator was issued). */
  at?: string;
  set?: string[];
}

/** What get-records prints, as the AWS CLI does. */
export interface GetRecordsOutput {
  Records: {
    SequenceNumber: string;
    ApproximateArrivalTimestamp: number;
    Data: string;
    PartitionKey: string;
  }[];
  /** Absent once a closed shard has been read to its end. */
  NextShardIterator?: string;
  ChildShards?: {
    ShardId: string;
    ParentShards: string[];
    HashKeyRange: { StartingHashKey: string; EndingHashKey: string };
  }[];
  MillisBehindLatest: number;
}

/** `get-records`: the records from an iterator's position, shaped like `aws kinesis get-records`. */
export function getRecords(o: GetRecordsOptions): GetRecordsOutput {
  const it = decode(o.shardIterator);
  const { scenario } = loadScenarioFile(o.scenario, overridesOf(o.set ? { set: o.set } : {}));
  if (scenario.name !== it.scenario)
    throw new UserInputError(
      `InvalidArgumentException: the iterator is for scenario "${it.scenario}", not "${scenario.name}"`,
    );
  const callUs = o.at === undefined ? it.issuedUs : parseDuration(o.at);
  if (callUs === undefined || callUs < it.issuedUs)
    throw new UserInputError(`--at ${o.at}: a call cannot come before its iterator was issued`);
  if (callUs - it.issuedUs > ITERATOR_LIFETIME_US)
    throw new UserInputError(
      "ExpiredIteratorException: the iterator is more than 5 minutes old; get a new one with get-shard-iterator",
    );
  const limit = o.limit ?? GET_RECORDS_MAX;
  if (!Number.isInteger(limit) || limit < 1 || limit > GET_RECORDS_MAX)
    throw new UserInputError(`InvalidArgumentException: --limit must be 1–${formatNumber(GET_RECORDS_MAX)}`);
  const { run, atUs } = runTo(o.scenario, o.set, callUs);
  const shard = shardOf(run, it.shardId);
  const log = shard.log;
  if (it.seq < log.trimSeq)
    throw new UserInputError(
      `the iterator points at records that left retention; TRIM_HORIZON is now ${shard.sequenceNumber(log.trimSeq)}`,
    );
  const result = log.read(it.seq, atUs, limit, GET_RECORDS_MAX_BYTES);
  const keyOf = keyNamer(run);
  const records = result.pieces.map((p) => recordOf(shard, p, keyOf));
  const last = result.pieces.at(-1);
  const finished = log.closed && result.endSeq >= log.nextSeq;
  const parentsOf = (s: Shard) =>
    [s.parentShardId, s.adjacentParentShardId].filter((x): x is string => x !== undefined);
  const children = finished ? run.stream.shards.filter((s) => parentsOf(s).includes(shard.id)) : [];
  return {
    Records: records,
    ...(finished
      ? {
          ChildShards: children.map((c) => ({
            ShardId: c.id,
            ParentShards: parentsOf(c),
            HashKeyRange: {
              StartingHashKey: c.range.start.toString(),
              EndingHashKey: c.range.end.toString(),
            },
          })),
        }
      : {
          NextShardIterator: encode({
            scenario: scenario.name,
            shardId: shard.id,
            seq: result.endSeq,
            issuedUs: atUs,
          }),
        }),
    MillisBehindLatest: last && result.endSeq < log.nextSeq ? Math.round((atUs - last.arrivalUs) / 1000) : 0,
  };
}

/** Partition keys of records: named keys by name, random ones by a stable stand-in. */
function keyNamer(run: BuiltRun): (p: LogEntry) => string {
  return (p) => {
    for (const producer of run.producers) {
      const key = producer.partitionKeyOf(p.keyId);
      if (key !== undefined) return key;
    }
    return `key-${Math.floor(p.position * 2 ** 48)
      .toString(16)
      .padStart(12, "0")}`;
  };
}

function recordOf(shard: Shard, p: LogEntry, keyOf: (p: LogEntry) => string) {
  const key = keyOf(p);
  const dataBytes = Math.max(0, p.bytes - Buffer.byteLength(key));
  return {
    SequenceNumber: shard.sequenceNumber(p.firstSeq),
    ApproximateArrivalTimestamp: p.arrivalUs / 1_000_000,
    Data: payload(dataBytes, p.firstSeq).toString("base64"),
    PartitionKey: key,
  };
}

/** A synthetic payload of `bytes` bytes: a small JSON header, padded. */
function payload(bytes: number, seq: number): Buffer {
  const head = Buffer.from(`{"kinesim":${seq}}`);
  if (head.length >= bytes) return head.subarray(0, bytes);
  return Buffer.concat([head, Buffer.alloc(bytes - head.length, 0x2e)]);
}

/** Options of put-record. */
export interface PutRecordOptions {
  scenario: string;
  /** One key, or several: several are answered as one PutRecords call, in order. */
  partitionKeys: string[];
  explicitHashKey?: string;
  at?: string;
  set?: string[];
}

/**
 * `put-record` as a dry run: the shard and sequence number a record would get at virtual time `at`.
 * With several keys, the answer is PutRecords': each record in order, sequence numbers following on
 * within a shard.
 */
export function putRecord(o: PutRecordOptions) {
  // Checked before the (possibly long) run, as AWS checks a request before it routes it.
  const maxChars = KINESIS.partitionKeyMaxChars.value;
  if (o.partitionKeys.length === 0) throw new UserInputError("--partition-key: give at least one key");
  for (const key of o.partitionKeys) {
    const keyChars = [...key].length;
    if (keyChars < 1 || keyChars > maxChars)
      throw new UserInputError(
        `--partition-key ${JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key)}: expected 1 to ${maxChars} characters, got ${keyChars}${citation(KINESIS.partitionKeyMaxChars)}`,
      );
  }
  const explicit = o.explicitHashKey === undefined ? undefined : parseHashKey(o.explicitHashKey);
  if (o.explicitHashKey !== undefined && explicit === undefined)
    throw new UserInputError(
      `--explicit-hash-key ${o.explicitHashKey}: ${expected(EXPECTED.hashKey, o.explicitHashKey)}; ExplicitHashKey overrides the partition key's MD5 and must lie in the 128-bit hash-key space`,
    );
  // A dry run needs each shard's next sequence number, not the records before it.
  const { run, atUs } = runTo(o.scenario, o.set, o.at, false);
  const next = new Map<string, number>();
  const records = o.partitionKeys.map((key) => {
    const hash = explicit ?? hashKeyOf(key);
    const shard = run.stream.open[run.stream.shardOfHash(hash)]!;
    const seq = next.get(shard.id) ?? shard.log.nextSeq;
    next.set(shard.id, seq + 1);
    return { key, hash, shard, sequenceNumber: shard.sequenceNumber(seq) };
  });
  // Not part of AWS's reply: what the dry run means.
  const note = {
    dryRun: true,
    at: atUs / 1_000_000,
    note: "nothing was written; a sequence number is the one that record would get if put then",
  };
  if (records.length === 1) {
    const r = records[0]!;
    return {
      ShardId: r.shard.id,
      SequenceNumber: r.sequenceNumber,
      EncryptionType: "NONE",
      kinesim: { ...note, hashKey: r.hash.toString() },
    };
  }
  return {
    FailedRecordCount: 0,
    Records: records.map((r) => ({ SequenceNumber: r.sequenceNumber, ShardId: r.shard.id })),
    EncryptionType: "NONE",
    kinesim: { ...note, partitionKeys: records.map((r) => ({ key: r.key, hashKey: r.hash.toString() })) },
  };
}
