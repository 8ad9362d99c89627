// The Kinesis Data Streams API over the simulated streams: each operation takes the request's
// input (the JSON the SDKs send) and the virtual time, and answers with AWS's output shape or throws
// a KinesisError carrying AWS's error code. Pure of transport: the in-process SDK handler and the
// HTTP endpoint (`kinesim serve`) both call it.

import { READS } from "../data/consumer-limits.js";
import { KINESIS } from "../data/kinesis-limits.js";
import { US_PER_H, US_PER_S } from "../engine/time.js";
import { NO_SPREAD } from "../metrics/spread.js";
import type { CapacityManager } from "../model/capacity.js";
import { describeStream, EPOCH_MS, listShards } from "../model/describe.js";
import { hashFraction, hashKeyOf, MAX_HASH_KEY } from "../model/hash-space.js";
import type { Shard } from "../model/shard.js";
import type { Cursor, LogEntry } from "../model/shard-log.js";
import type { Stream } from "../model/stream.js";
import { parseHashKey } from "../scenario/fields.js";
import { ITERATOR_TYPES, type IteratorType } from "./iterator-types.js";

/** The account and region every simulated ARN names (as `describe-stream` prints them). */
export const ACCOUNT_ID = "123456789012";
export const REGION = "us-east-1";
/** A shard iterator expires 5 minutes after it was returned (BOTO-2026 GetShardIterator). */
export const ITERATOR_LIFETIME_US = 5 * 60 * US_PER_S;

/** An error AWS would answer with: its `__type` code, message and HTTP status. */
export class KinesisError extends Error {
  constructor(
    /** AWS's error code, e.g. ProvisionedThroughputExceededException. */
    readonly code: string,
    message: string,
    /** HTTP status (400 for every client error Kinesis returns). */
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

/** A record of a put as the service hands it to a write observer. */
export interface PutEntry {
  stream: string;
  /** The start of the record's data (its first 72 bytes at most). */
  data: Buffer;
  partitionKey: string;
  api: "PutRecord" | "PutRecords";
}

/** What an observer knows about a record it tracks: when it was created and whether it was sent before. */
export interface TrackedRecord {
  originUs: number;
  firstAttempt: boolean;
  /** Key identity for the ordering checks (−1 when unknown). */
  keyId: number;
  /**
   * Called once the shard accepted (true) or throttled (false) the record; `retryPending` when the
   * SDK said it will retry the call (a throttled PutRecord before its last attempt).
   */
  settle(accepted: boolean, bytes: number, nowUs: number, retryPending: boolean): void;
}

/** Sees every record put, to keep a client's ledger (the `kinesim run --client` producers). */
export interface WriteObserver {
  /** The tracked record this entry is, or undefined for records the observer does not know. */
  track(entry: PutEntry, nowUs: number): TrackedRecord | undefined;
}

/** Options of a service. */
export interface ServiceOptions {
  /** Keep each record's data and key so GetRecords returns them (costs memory per record). */
  keepRecordData: boolean;
  /** The scenario's stream status and capacity mode (DescribeStream), if it has them. */
  capacity?: CapacityManager;
  observer?: WriteObserver;
  /** Partition keys of records that simulated producers wrote (they carry no data). */
  keyOfEntry?: (entry: LogEntry) => string;
}

/** One stored record: its data (base64, as the wire carries it) and partition key. */
interface Payload {
  data: string;
  key: string;
}

/** Keeps every record of a shard within retention, so any position can be read. */
export class KeepWithinRetention implements Cursor {
  readSeq = 0;
  /** Clients read any entry at any time: each request's records stay an entry of their own. */
  readonly keepsArrivals = true;
  retainFromSeq(): number {
    return this.readSeq;
  }
  expire(_records: number, toSeq: number): void {
    this.readSeq = toSeq;
  }
}

/** A registered enhanced fan-out consumer. */
interface StreamConsumer {
  ConsumerName: string;
  ConsumerARN: string;
  ConsumerStatus: "ACTIVE";
  ConsumerCreationTimestamp: number;
}

/** A record as GetRecords returns it on the wire. */
export interface WireRecord {
  SequenceNumber: string;
  /** Seconds since the epoch (virtual time 0 is EPOCH_MS). */
  ApproximateArrivalTimestamp: number;
  /** Base64. */
  Data: string;
  PartitionKey: string;
}

/** Where an iterator points. */
export interface IteratorState {
  stream: string;
  shardId: string;
  seq: number;
  issuedUs: number;
}

type Input = Record<string, unknown>;

/** The SDK's count of a call's attempts, from its `amz-sdk-request: attempt=1; max=3` header. */
export interface SdkAttempt {
  number: number;
  max: number;
}

/** The operations kinesim answers, by X-Amz-Target name. */
export const OPERATIONS = [
  "PutRecord",
  "PutRecords",
  "ListShards",
  "DescribeStream",
  "DescribeStreamSummary",
  "GetShardIterator",
  "GetRecords",
  "RegisterStreamConsumer",
  "ListStreamConsumers",
  "DescribeStreamConsumer",
  "ListStreams",
] as const;
/** One of OPERATIONS. */
export type Operation = (typeof OPERATIONS)[number];

/** The Kinesis API of a run's streams. */
export class KinesisService {
  private readonly byName = new Map<string, Stream>();
  private readonly payloads = new Map<Shard, Map<number, Payload>>();
  private readonly consumers = new Map<string, StreamConsumer[]>();
  /** MD5 hash keys of recent partition keys (hashing is a large share of a put's cost). */
  private readonly hashOfKey = new Map<string, bigint>();
  /** Records written through the API, by stream (the rest came from simulated producers). */
  readonly written = new Map<string, number>();

  constructor(
    streams: readonly Stream[],
    private readonly options: ServiceOptions,
  ) {
    for (const stream of streams) {
      this.byName.set(stream.name, stream);
      this.consumers.set(stream.name, []);
      if (!options.keepRecordData) continue;
      for (const shard of stream.shards) shard.log.attach(new KeepWithinRetention());
      stream.onReshard((created) => {
        for (const shard of created) shard.log.attach(new KeepWithinRetention());
      });
    }
  }

  /**
   * Answers one call at virtual time `nowUs`; throws KinesisError as AWS would. `attempt` is the
   * SDK's own count of the call's attempts (its amz-sdk-request header), when it sent one.
   */
  call(operation: string, input: Input, nowUs: number, attempt?: SdkAttempt): unknown {
    switch (operation as Operation) {
      case "PutRecord":
        return this.putRecord(input, nowUs, attempt);
      case "PutRecords":
        return this.putRecords(input, nowUs);
      case "ListShards":
        return this.listShards(input, nowUs);
      case "DescribeStream":
        return this.describeStream(input, nowUs);
      case "DescribeStreamSummary":
        return this.describeStreamSummary(input, nowUs);
      case "GetShardIterator":
        return this.getShardIterator(input, nowUs);
      case "GetRecords":
        return this.getRecords(input, nowUs);
      case "RegisterStreamConsumer":
        return this.registerStreamConsumer(input, nowUs);
      case "ListStreamConsumers":
        return { Consumers: this.consumersOf(this.streamOfArn(input.StreamARN)) };
      case "DescribeStreamConsumer":
        return this.describeStreamConsumer(input);
      case "ListStreams":
        return this.listStreams();
      default:
        throw new KinesisError(
          "UnknownOperationException",
          `kinesim does not serve ${operation}; it answers ${OPERATIONS.join(", ")}`,
        );
    }
  }

  // -------------------------------------------------------------------------------------------
  // Writes

  private putRecord(input: Input, nowUs: number, attempt: SdkAttempt | undefined) {
    const stream = this.streamOf(input);
    const entry = this.entryOf(input, stream, "PutRecord", "");
    // A throttled PutRecord is an error the SDK retries, until its last attempt.
    const retryPending = attempt !== undefined && attempt.number < attempt.max;
    const result = this.write(stream, entry, nowUs, "PutRecord", retryPending);
    if ("ErrorCode" in result) throw new KinesisError(result.ErrorCode, result.ErrorMessage);
    return { ...result, EncryptionType: "NONE" };
  }

  private putRecords(input: Input, nowUs: number) {
    const stream = this.streamOf(input);
    const records = input.Records;
    const max = KINESIS.putRecordsMaxRecords.value;
    if (!Array.isArray(records) || records.length < 1 || records.length > max)
      throw validation(
        `Value at 'records' failed to satisfy constraint: Member must have length less than or equal to ${max} and greater than or equal to 1`,
      );
    const entries = records.map((r: Input, i) =>
      this.entryOf(r ?? {}, stream, "PutRecords", `records.${i + 1}.member.`),
    );
    const total = entries.reduce((a, e) => a + e.bytes, 0);
    const maxBytes = KINESIS.putRecordsMaxRequestBytes.value;
    if (total > maxBytes)
      throw new KinesisError(
        "InvalidArgumentException",
        `Records size exceeds ${maxBytes / 1024 / 1024} MB limit`,
      );
    const out = entries.map((e) => this.write(stream, e, nowUs, "PutRecords"));
    return {
      FailedRecordCount: out.filter((r) => "ErrorCode" in r).length,
      Records: out,
      EncryptionType: "NONE",
    };
  }

  private entryOf(input: Input, stream: Stream, api: PutEntry["api"], at: string) {
    const key = input.PartitionKey;
    const maxChars = KINESIS.partitionKeyMaxChars.value;
    if (typeof key !== "string" || key.length < 1 || [...key].length > maxChars)
      throw validation(
        `Value at '${at}partitionKey' failed to satisfy constraint: Member must have length less than or equal to ${maxChars} and greater than or equal to 1`,
      );
    if (typeof input.Data !== "string")
      throw validation(`Value null at '${at}data' failed to satisfy constraint: Member must not be null`);
    // The record's size from the base64 text; only its start is decoded (an observer reads a tag there).
    const dataBytes = base64Bytes(input.Data);
    const data = Buffer.from(input.Data.slice(0, 96), "base64");
    const bytes = dataBytes + Buffer.byteLength(key);
    if (bytes > stream.maxRecordSize)
      throw validation(
        `Value at '${at}data' failed to satisfy constraint: Member must have length less than or equal to ${stream.maxRecordSize}`,
      );
    let hash: bigint;
    if (input.ExplicitHashKey !== undefined) {
      const explicit =
        typeof input.ExplicitHashKey === "string" ? parseHashKey(input.ExplicitHashKey) : undefined;
      if (explicit === undefined || explicit > MAX_HASH_KEY)
        throw new KinesisError(
          "InvalidArgumentException",
          `Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, ${MAX_HASH_KEY}]. Specified value was ${String(input.ExplicitHashKey)}`,
        );
      hash = explicit;
    } else hash = this.hashOf(key);
    return { put: { stream: stream.name, data, partitionKey: key, api }, base64: input.Data, hash, bytes };
  }

  private hashOf(key: string): bigint {
    let hash = this.hashOfKey.get(key);
    if (hash === undefined) {
      // Bounded: random keys would otherwise grow it without end.
      if (this.hashOfKey.size >= 100_000) this.hashOfKey.clear();
      hash = hashKeyOf(key);
      this.hashOfKey.set(key, hash);
    }
    return hash;
  }

  /** Offers one record to its shard; AWS's per-record result. */
  private write(
    stream: Stream,
    e: ReturnType<KinesisService["entryOf"]>,
    nowUs: number,
    api: PutEntry["api"],
    retryPending = false,
  ): { SequenceNumber: string; ShardId: string } | { ErrorCode: string; ErrorMessage: string } {
    const index = stream.shardOfHash(e.hash);
    const shard = stream.open[index]!;
    const tracked = this.options.observer?.track(e.put, nowUs);
    // PutRecord is charged per record rounded up to the next KB, as the model's producers are.
    const charged = api === "PutRecord" ? Math.ceil(e.bytes / 1024) * 1024 : e.bytes;
    // What the stream took whole from the model's producers lands before this record.
    stream.settleDeferred(nowUs);
    const seq = shard.log.nextSeq;
    const accepted =
      stream.write(
        nowUs,
        index,
        1,
        e.bytes,
        charged,
        tracked?.originUs ?? nowUs,
        NO_SPREAD,
        tracked?.keyId ?? -1,
        hashFraction(e.hash),
        tracked?.firstAttempt ?? true,
      ) === 1;
    tracked?.settle(accepted, e.bytes, nowUs, !accepted && retryPending);
    if (!accepted)
      return {
        ErrorCode: "ProvisionedThroughputExceededException",
        ErrorMessage: `Rate exceeded for shard ${shard.id} in stream ${stream.name} under account ${ACCOUNT_ID}.`,
      };
    this.written.set(stream.name, (this.written.get(stream.name) ?? 0) + 1);
    if (this.options.keepRecordData)
      this.payloadsOf(shard).set(seq, { data: e.base64, key: e.put.partitionKey });
    return { SequenceNumber: shard.sequenceNumber(seq), ShardId: shard.id };
  }

  private payloadsOf(shard: Shard): Map<number, Payload> {
    let map = this.payloads.get(shard);
    if (!map) {
      map = new Map();
      this.payloads.set(shard, map);
    }
    return map;
  }

  // -------------------------------------------------------------------------------------------
  // Describing

  private listShards(input: Input, nowUs: number) {
    const token = typeof input.NextToken === "string" ? decodeToken(input.NextToken) : undefined;
    const stream = token ? this.streamNamed(token.stream) : this.streamOf(input);
    const all = listShards(stream, nowUs).Shards;
    const after =
      token?.after ?? (typeof input.ExclusiveStartShardId === "string" ? input.ExclusiveStartShardId : "");
    const from = after === "" ? 0 : all.findIndex((s) => s.ShardId > after);
    const rest = from < 0 ? [] : all.slice(from);
    const max = typeof input.MaxResults === "number" ? Math.max(1, Math.min(10_000, input.MaxResults)) : 1000;
    const page = rest.slice(0, max);
    return {
      Shards: page,
      ...(rest.length > max ? { NextToken: encodeToken(stream.name, page.at(-1)!.ShardId) } : {}),
    };
  }

  private describeStream(input: Input, nowUs: number) {
    const stream = this.streamOf(input);
    if (this.options.capacity) return describeStream(stream, this.options.capacity, nowUs);
    const { StreamDescription } = describeStream(
      stream,
      { status: "ACTIVE", mode: "provisioned" } as CapacityManager,
      nowUs,
    );
    return { StreamDescription };
  }

  private describeStreamSummary(input: Input, nowUs: number) {
    const stream = this.streamOf(input);
    const d = this.describeStream(input, nowUs).StreamDescription;
    return {
      StreamDescriptionSummary: {
        StreamName: d.StreamName,
        StreamARN: d.StreamARN,
        StreamStatus: d.StreamStatus,
        StreamModeDetails: d.StreamModeDetails,
        RetentionPeriodHours: d.RetentionPeriodHours,
        StreamCreationTimestamp: EPOCH_MS / 1000,
        EnhancedMonitoring: d.EnhancedMonitoring,
        EncryptionType: d.EncryptionType,
        OpenShardCount: stream.openCount,
        ConsumerCount: this.consumers.get(stream.name)!.length,
      },
    };
  }

  private listStreams() {
    const names = [...this.byName.keys()];
    return {
      StreamNames: names,
      HasMoreStreams: false,
      StreamSummaries: names.map((name) => {
        const stream = this.byName.get(name)!;
        return {
          StreamName: name,
          StreamARN: arnOf(name),
          StreamStatus: this.options.capacity?.status ?? "ACTIVE",
          StreamModeDetails: {
            StreamMode: this.options.capacity?.mode === "on-demand" ? "ON_DEMAND" : "PROVISIONED",
          },
          StreamCreationTimestamp: EPOCH_MS / 1000 + stream.shards[0]!.createdAtUs / US_PER_S,
        };
      }),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Reads

  private getShardIterator(input: Input, nowUs: number) {
    const stream = this.streamOf(input);
    const shard = this.shardOf(stream, input.ShardId);
    const type = input.ShardIteratorType;
    if (!ITERATOR_TYPES.includes(type as IteratorType))
      throw validation(
        `Value '${String(type)}' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST, AT_TIMESTAMP]`,
      );
    const ts = input.Timestamp;
    const start = iteratorStart(shard, type as IteratorType, {
      sequenceNumber: input.StartingSequenceNumber,
      ...(typeof ts === "number" ? { timestampUs: (ts * 1000 - EPOCH_MS) * 1000 } : {}),
    });
    if (start === "no-timestamp")
      throw new KinesisError("InvalidArgumentException", "AT_TIMESTAMP needs a Timestamp");
    if (start === "bad-sequence" || start === "no-sequence")
      throw new KinesisError(
        "InvalidArgumentException",
        `StartingSequenceNumber ${String(input.StartingSequenceNumber)} used in GetShardIterator on shard ${shard.id} is invalid because it did not come from this stream.`,
      );
    const seq = start === "beyond" ? shard.log.nextSeq : start;
    if (!this.options.keepRecordData)
      throw new KinesisError(
        "InvalidArgumentException",
        "this kinesim run keeps no record data (no reading client was configured), so it serves no reads",
      );
    return {
      ShardIterator: encodeIterator(ITERATOR_TAG, {
        stream: stream.name,
        shardId: shard.id,
        seq,
        issuedUs: nowUs,
      }),
    };
  }

  private getRecords(input: Input, nowUs: number) {
    if (typeof input.ShardIterator !== "string")
      throw validation("Value null at 'shardIterator' failed to satisfy constraint: Member must not be null");
    const it = decodeIterator(input.ShardIterator, ITERATOR_TAG);
    if (!it) throw new KinesisError("InvalidArgumentException", "Invalid ShardIterator.");
    if (nowUs - it.issuedUs > ITERATOR_LIFETIME_US)
      throw new KinesisError(
        "ExpiredIteratorException",
        `Iterator expired. The iterator was created at time ${isoOf(it.issuedUs)} while right now it is ${isoOf(nowUs)} which is further in the future than the tolerated delay of ${ITERATOR_LIFETIME_US / 1000} milliseconds.`,
      );
    const stream = this.streamNamed(it.stream);
    const shard = this.shardOf(stream, it.shardId);
    const max = READS.maxRecordsPerCall.value;
    const limit = input.Limit === undefined ? max : input.Limit;
    if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > max)
      throw validation(
        `Value '${String(limit)}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to ${max}`,
      );
    if (!shard.readLimiter.tryCall(nowUs))
      throw new KinesisError(
        "ProvisionedThroughputExceededException",
        `Rate exceeded for Shard - ${shard.id} in stream ${stream.name} under account ${ACCOUNT_ID}.`,
      );
    const log = shard.log;
    if (it.seq < log.trimSeq)
      throw new KinesisError(
        "ExpiredIteratorException",
        `The iterator points at records of ${shard.id} that left the ${Math.round(stream.retentionUs / US_PER_H)} h retention period`,
      );
    const result = log.read(it.seq, nowUs, limit, READS.maxBytesPerCall.value);
    shard.readLimiter.charge(nowUs, result.bytes);
    const stored = this.payloads.get(shard);
    if (stored) trimPayloads(stored, log.trimSeq);
    const records = result.pieces.flatMap((p) => this.recordsOf(shard, p, stored));
    const finished = !shard.open && result.endSeq >= log.nextSeq;
    const last = result.pieces.at(-1);
    const behindUs = result.endSeq < log.nextSeq ? nowUs - (last?.arrivalUs ?? nowUs) : 0;
    return {
      Records: records,
      ...(finished
        ? { ChildShards: this.childrenOf(stream, shard) }
        : {
            NextShardIterator: encodeIterator(ITERATOR_TAG, {
              stream: stream.name,
              shardId: shard.id,
              seq: result.endSeq,
              issuedUs: nowUs,
            }),
          }),
      MillisBehindLatest: Math.max(0, Math.round(behindUs / 1000)),
    };
  }

  /** Log entries of a stream's shard as GetRecords returns them (a Lambda event is built from them). */
  recordsFor(shard: Shard, entries: readonly LogEntry[]): WireRecord[] {
    const stored = this.payloads.get(shard);
    return entries.flatMap((e) => this.recordsOf(shard, e, stored));
  }

  /** The records of a log entry in AWS's shape (one per sequence number). */
  private recordsOf(shard: Shard, entry: LogEntry, stored: Map<number, Payload> | undefined): WireRecord[] {
    const out: WireRecord[] = [];
    const arrival = (EPOCH_MS + Math.floor(entry.arrivalUs / 1000)) / 1000;
    for (let seq = entry.firstSeq; seq < entry.endSeq; seq++) {
      const payload = stored?.get(seq);
      const key = payload?.key ?? this.options.keyOfEntry?.(entry) ?? "simulated";
      out.push({
        SequenceNumber: shard.sequenceNumber(seq),
        ApproximateArrivalTimestamp: arrival,
        Data: payload?.data ?? syntheticData(entry, seq, key),
        PartitionKey: key,
      });
    }
    return out;
  }

  private childrenOf(stream: Stream, shard: Shard) {
    const parents = (s: Shard) => [s.parentShardId, s.adjacentParentShardId].filter((x): x is string => !!x);
    return stream.shards
      .filter((s) => parents(s).includes(shard.id))
      .map((c) => ({
        ShardId: c.id,
        ParentShards: parents(c),
        HashKeyRange: { StartingHashKey: c.range.start.toString(), EndingHashKey: c.range.end.toString() },
      }));
  }

  // -------------------------------------------------------------------------------------------
  // Enhanced fan-out registrations

  private registerStreamConsumer(input: Input, nowUs: number) {
    const stream = this.streamOfArn(input.StreamARN);
    const name = input.ConsumerName;
    if (typeof name !== "string" || name.length === 0)
      throw validation("Value null at 'consumerName' failed to satisfy constraint: Member must not be null");
    const list = this.consumers.get(stream.name)!;
    if (list.some((c) => c.ConsumerName === name))
      throw new KinesisError(
        "ResourceInUseException",
        `Consumer ${name} under stream ${stream.name} already exists for account ${ACCOUNT_ID}.`,
      );
    const created = (EPOCH_MS + Math.floor(nowUs / 1000)) / 1000;
    const consumer: StreamConsumer = {
      ConsumerName: name,
      ConsumerARN: `${arnOf(stream.name)}/consumer/${name}:${Math.floor(created)}`,
      // kinesim activates a consumer at once (AWS takes seconds in CREATING).
      ConsumerStatus: "ACTIVE",
      ConsumerCreationTimestamp: created,
    };
    list.push(consumer);
    return { Consumer: consumer };
  }

  private consumersOf(stream: Stream): StreamConsumer[] {
    return this.consumers.get(stream.name)!;
  }

  private describeStreamConsumer(input: Input) {
    for (const [name, list] of this.consumers) {
      const c = list.find(
        (x) =>
          x.ConsumerARN === input.ConsumerARN ||
          (x.ConsumerName === input.ConsumerName && arnOf(name) === input.StreamARN),
      );
      if (c) return { ConsumerDescription: { ...c, StreamARN: arnOf(name) } };
    }
    throw new KinesisError(
      "ResourceNotFoundException",
      `Consumer ${String(input.ConsumerName ?? input.ConsumerARN)} not found.`,
    );
  }

  // -------------------------------------------------------------------------------------------
  // Lookups

  private streamOf(input: Input): Stream {
    if (typeof input.StreamARN === "string") return this.streamOfArn(input.StreamARN);
    if (typeof input.StreamName !== "string")
      throw new KinesisError(
        "InvalidArgumentException",
        "Either StreamName or StreamARN should be provided.",
      );
    return this.streamNamed(input.StreamName);
  }

  private streamOfArn(arn: unknown): Stream {
    const name = typeof arn === "string" ? arn.split(":stream/")[1]?.split("/")[0] : undefined;
    if (name === undefined || arn !== arnOf(name))
      throw new KinesisError("ResourceNotFoundException", `Stream ARN ${String(arn)} not found.`);
    return this.streamNamed(name);
  }

  private streamNamed(name: string): Stream {
    const stream = this.byName.get(name);
    if (!stream)
      throw new KinesisError(
        "ResourceNotFoundException",
        `Stream ${name} under account ${ACCOUNT_ID} not found.`,
      );
    return stream;
  }

  private shardOf(stream: Stream, id: unknown): Shard {
    const shard = typeof id === "string" ? stream.shard(id) : undefined;
    if (!shard)
      throw new KinesisError(
        "ResourceNotFoundException",
        `Shard ${String(id)} in stream ${stream.name} under account ${ACCOUNT_ID} does not exist`,
      );
    return shard;
  }
}

/** The ARN of a simulated stream. */
export function arnOf(stream: string): string {
  return `arn:aws:kinesis:${REGION}:${ACCOUNT_ID}:stream/${stream}`;
}

function validation(detail: string): KinesisError {
  return new KinesisError("ValidationException", `1 validation error detected: ${detail}`);
}

function isoOf(us: number): string {
  return new Date(EPOCH_MS + Math.floor(us / 1000)).toISOString();
}

/** The ordinal within its shard of a sequence number kinesim gave out, or undefined if it is not one of the shard's. */
export function ordinalIn(shard: Shard, sequenceNumber: unknown): number | undefined {
  const prefix = shard.sequenceNumber(0).slice(0, -20);
  if (
    typeof sequenceNumber !== "string" ||
    !/^\d+$/.test(sequenceNumber) ||
    !sequenceNumber.startsWith(prefix) ||
    sequenceNumber.length !== prefix.length + 20
  )
    return undefined;
  return Number(sequenceNumber.slice(-20));
}

/**
 * Where an iterator of `type` starts in `shard` (a sequence ordinal), or what is wrong with its
 * position: no sequence number or timestamp given, a sequence number not of this shard, or one
 * beyond its last record. Shared by the API and the CLI's records commands, which word the errors.
 */
export function iteratorStart(
  shard: Shard,
  type: IteratorType,
  at: { sequenceNumber?: unknown; timestampUs?: number },
): number | "no-sequence" | "bad-sequence" | "beyond" | "no-timestamp" {
  const log = shard.log;
  switch (type) {
    case "TRIM_HORIZON":
      return log.trimSeq;
    case "LATEST":
      return log.nextSeq;
    case "AT_SEQUENCE_NUMBER":
    case "AFTER_SEQUENCE_NUMBER": {
      if (at.sequenceNumber === undefined) return "no-sequence";
      const ordinal = ordinalIn(shard, at.sequenceNumber);
      if (ordinal === undefined) return "bad-sequence";
      const seq = ordinal + (type === "AFTER_SEQUENCE_NUMBER" ? 1 : 0);
      return seq > log.nextSeq ? "beyond" : seq;
    }
    case "AT_TIMESTAMP": {
      if (at.timestampUs === undefined) return "no-timestamp";
      // The first record that arrived at or after the timestamp (the tip if none).
      for (let seq = log.trimSeq; seq < log.nextSeq; seq++) {
        const arrival = log.arrivalOf(seq);
        if (arrival !== undefined && arrival >= at.timestampUs) return seq;
      }
      return log.nextSeq;
    }
  }
}

/** The API's iterators (the records commands of the CLI tag theirs `kinesim/1`). */
const ITERATOR_TAG = "kinesim/2";

/** A shard iterator's text: base64 of `<tag>|<stream>|<shard id>|<sequence ordinal>|<issued µs>`. */
export function encodeIterator(tag: string, it: IteratorState): string {
  return Buffer.from(`${tag}|${it.stream}|${it.shardId}|${it.seq}|${it.issuedUs}`).toString("base64");
}

/** The iterator a text encodes under `tag`, or undefined when it is not one. */
export function decodeIterator(text: string, tag: string): IteratorState | undefined {
  const parts = Buffer.from(text, "base64").toString("utf8").split("|");
  if (parts.length !== 5 || parts[0] !== tag) return undefined;
  return { stream: parts[1]!, shardId: parts[2]!, seq: Number(parts[3]), issuedUs: Number(parts[4]) };
}

function encodeToken(stream: string, after: string): string {
  return Buffer.from(`kinesim/list|${stream}|${after}`).toString("base64");
}

function decodeToken(text: string): { stream: string; after: string } {
  const parts = Buffer.from(text, "base64").toString("utf8").split("|");
  if (parts.length !== 3 || parts[0] !== "kinesim/list")
    throw new KinesisError("InvalidArgumentException", "Invalid NextToken.");
  return { stream: parts[1]!, after: parts[2]! };
}

/** Bytes a base64 text decodes to. */
function base64Bytes(text: string): number {
  const n = text.length;
  const padding = n > 0 && text[n - 1] === "=" ? (n > 1 && text[n - 2] === "=" ? 2 : 1) : 0;
  return Math.floor((n * 3) / 4) - padding;
}

/** Drops stored data of records that left the log (retention). Maps keep insertion (= sequence) order. */
function trimPayloads(stored: Map<number, Payload>, trimSeq: number): void {
  for (const seq of stored.keys()) {
    if (seq >= trimSeq) break;
    stored.delete(seq);
  }
}

/** Data of a record a simulated producer wrote: a small JSON header padded to its size (base64). */
function syntheticData(entry: LogEntry, seq: number, key: string): string {
  const bytes = Math.max(0, Math.round(entry.bytes / entry.count) - Buffer.byteLength(key));
  const head = Buffer.from(`{"kinesim":${seq}}`);
  const data =
    head.length >= bytes
      ? head.subarray(0, bytes)
      : Buffer.concat([head, Buffer.alloc(bytes - head.length, 0x20)]);
  return data.toString("base64");
}
