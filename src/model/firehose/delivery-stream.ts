// A Firehose delivery stream. Records come in (direct PUT, or read from a Kinesis stream), may pass
// a Lambda transform that has a buffer of its own, are spread over dynamic partitions, and wait in
// a buffer per partition until its size or interval hint is reached — whichever comes first. Each
// flush is one object, written to the destination; a failed write is retried with backoff for the
// destination's retry duration, after which the data goes to the S3 backup bucket (or, for S3
// itself, is lost after 24 hours). At every moment each record ingested is in exactly one place:
// delivered, buffered, in delivery, failed (to the error prefix), backed up or lost.

import { FIREHOSE_BILLING } from "../../data/firehose-limits.js";
import { AliasTable } from "../../engine/alias-table.js";
import { binomial, multinomial } from "../../engine/counts.js";
import { compileDistribution } from "../../engine/distributions.js";
import type { RandomStream, RandomStreams } from "../../engine/random.js";
import type { Simulation } from "../../engine/simulation.js";
import { US_PER_S } from "../../engine/time.js";
import { IntervalHistogram, positionsPerPiece, type Spread } from "../../metrics/latency-histogram.js";
import type { TableSink } from "../../metrics/sink.js";
import { noiseOf } from "../../scenario/consumers.js";
import { DELIVERY_METRIC_PREFIX, type FirehoseSpec } from "../../scenario/firehose.js";
import { ProcessingModel } from "../consumers/consumer.js";
import { prefixBytes } from "../limiter.js";

/**
 * Zero buffering (interval 0) delivers "within a few seconds" (FH-BUF-CUR): modelled as a flush of
 * whatever arrived, one second after the first record of the buffer.
 */
const ZERO_BUFFERING_FLUSH_US = US_PER_S;
/** First wait before retrying a failed delivery; it doubles up to RETRY_CAP_US (a modelling choice). */
const RETRY_FIRST_US = US_PER_S;
const RETRY_CAP_US = 30 * US_PER_S;
/** Partition counts up to this are split by a multinomial draw; above it record by record. */
const MULTINOMIAL_PARTITIONS = 64;

/** Records that travel together through the delivery stream. */
export interface Part {
  count: number;
  bytes: number;
  /** Reference creation time and spread of the records (see Spread). */
  originUs: number;
  spread: Spread;
  /** When the delivery stream took them in. */
  ingestUs: number;
}

/** Counters of one delivery stream for an interval (and summed for the run). */
export class FirehoseCounters {
  incomingRecords = 0;
  incomingBytes = 0;
  /** PutRecord / PutRecordBatch calls accepted (direct PUT). */
  incomingRequests = 0;
  throttledRecords = 0;
  throttledRequests = 0;
  /** Ingested bytes as billed: each record rounded up to the next 5 KB. */
  billedBytes = 0;
  transformInvocations = 0;
  transformErrors = 0;
  transformSucceededRecords = 0;
  /** Records the transform failed (ProcessingFailed, or invocations failed after their retries). */
  processingFailedRecords = 0;
  /** Records that found no room among the active partitions. */
  partitionExceededRecords = 0;
  objects = 0;
  objectBytes = 0;
  deliveredRecords = 0;
  deliveredBytes = 0;
  deliveryAttempts = 0;
  deliveryFailures = 0;
  /** Records sent to the backup bucket after their retry duration ran out. */
  backupRecords = 0;
  backupBytes = 0;
  /** Copies written to the backup bucket with backup mode "all" (not part of the ledger). */
  backupAllRecords = 0;
  /** Records lost: S3 delivery still failing after 24 hours. */
  lostRecords = 0;
  maxActivePartitions = 0;

  addTo(t: FirehoseCounters): void {
    for (const key of Object.keys(this) as (keyof FirehoseCounters)[]) {
      if (key === "maxActivePartitions") t.maxActivePartitions = Math.max(t.maxActivePartitions, this[key]);
      else (t[key] as number) += this[key] as number;
    }
  }
}

/** ingested = delivered + buffered + inDelivery + failed + backedUp + lost. */
export interface FirehoseLedger {
  ingested: number;
  delivered: number;
  buffered: number;
  inDelivery: number;
  failed: number;
  backedUp: number;
  lost: number;
  balanced: boolean;
}

/** Records waiting for a flush: a partition's buffer, or the transform's. */
class Buffer {
  parts: Part[] = [];
  records = 0;
  bytes = 0;
  oldestIngestUs = Number.POSITIVE_INFINITY;
  /** Bumped at each flush, so a stale interval timer does nothing. */
  token = 0;
  /** What a partition's buffer does with what it flushes (set once, when it is made). */
  flush: ((parts: Part[], trigger: Trigger) => void) | undefined;

  constructor(readonly partition: number) {}

  add(part: Part): void {
    this.parts.push(part);
    this.records += part.count;
    this.bytes += part.bytes;
    if (part.ingestUs < this.oldestIngestUs) this.oldestIngestUs = part.ingestUs;
  }

  take(): Part[] {
    const parts = this.parts;
    this.parts = [];
    this.records = 0;
    this.bytes = 0;
    this.oldestIngestUs = Number.POSITIVE_INFINITY;
    this.token++;
    return parts;
  }
}

/** What flushed a buffer. */
type Trigger = "size" | "interval";

/** One object (or batch) on its way to the destination. */
interface Delivery {
  id: number;
  partition: number;
  parts: Part[];
  records: number;
  /** Bytes as written (after format conversion). */
  bytes: number;
  oldestIngestUs: number;
  createdUs: number;
  trigger: Trigger;
  firstAttemptUs: number;
  attempts: number;
  nextBackoffUs: number;
  /** Redshift: the S3 part is done and the COPY is what is left. */
  copying: boolean;
}

/** A transform invocation's batch. */
interface Invocation {
  parts: Part[];
  records: number;
  bytes: number;
  oldestIngestUs: number;
  retriesLeft: number;
}

/** Columns of firehose-<name>-objects.csv: one row per object, when its fate is known. */
export const OBJECT_COLUMNS = [
  "Created",
  "Partition",
  "Trigger",
  "Records",
  "Bytes",
  "Attempts",
  "Finished",
  "Result",
] as const;

/** A delivery stream. */
export class DeliveryStream {
  readonly name: string;
  readonly interval = new FirehoseCounters();
  readonly totals = new FirehoseCounters();
  /** Ingest → delivered, and creation → delivered. */
  readonly deliveryLatency = new IntervalHistogram();
  readonly endToEnd = new IntervalHistogram();
  /** Largest DataFreshness seen at an interval's end, µs. */
  maxFreshnessUs = 0;
  /** The metric prefix of the destination (DeliveryToS3, …). */
  readonly metricPrefix: string;

  private readonly sim: Simulation;
  private readonly buffers = new Map<number, Buffer>();
  private readonly transformBuffer = new Buffer(-1);
  private readonly invocationQueue: Invocation[] = [];
  private readonly running = new Set<Invocation>();
  private readonly deliveries = new Set<Delivery>();
  private readonly partitionRng: RandomStream;
  private readonly transformRng: RandomStream;
  private readonly deliveryRng: RandomStream;
  private readonly partitionAlias: AliasTable | undefined;
  private readonly partitionProbabilities: Float64Array | undefined;
  private readonly partitionCounts: Float64Array | undefined;
  private readonly write: ProcessingModel;
  private readonly copy: ProcessingModel | undefined;
  private readonly transformModel: ProcessingModel | undefined;
  private readonly concurrency: number;
  private readonly sizeRatio: number;
  private nextDeliveryId = 0;
  private bufferedRecords = 0;
  private inDeliveryRecords = 0;
  private readonly billingRounding: number;

  constructor(
    readonly spec: FirehoseSpec,
    sim: Simulation,
    random: RandomStreams,
    /** Invocations in flight at once (AWS: 5 per shard of a source stream). */
    transformConcurrency: number,
    private readonly objects: TableSink | undefined,
  ) {
    this.name = spec.name;
    this.sim = sim;
    this.metricPrefix = DELIVERY_METRIC_PREFIX[spec.destination.type];
    const base = `firehose/${spec.name}`;
    this.partitionRng = random.stream(`${base}/partition`);
    this.transformRng = random.stream(`${base}/transform`);
    this.deliveryRng = random.stream(`${base}/delivery`);
    const model = (p: FirehoseSpec["destination"]["write"]) =>
      new ProcessingModel(p.baseUs, p.perRecordUs, p.perKiBUs, compileDistribution(noiseOf(p)));
    this.write = model(spec.destination.write);
    this.copy = spec.destination.copy ? model(spec.destination.copy) : undefined;
    this.transformModel = spec.transform ? model(spec.transform.duration) : undefined;
    this.concurrency = spec.transform?.concurrency ?? transformConcurrency;
    this.sizeRatio = spec.formatConversion?.sizeRatio ?? 1;
    this.billingRounding = FIREHOSE_BILLING.ingestRoundingBytes.value;
    const p = spec.partitioning;
    if (p) {
      const weights = Array.from({ length: p.partitions }, (_, i) =>
        p.dist === "zipf" ? 1 / (i + 1) ** p.exponent : 1,
      );
      const total = weights.reduce((a, b) => a + b, 0);
      this.partitionProbabilities = Float64Array.from(weights, (w) => w / total);
      this.partitionAlias = new AliasTable(this.partitionProbabilities);
      this.partitionCounts = new Float64Array(p.partitions);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Ingest

  /** Takes in `count` records (`bytes`) created at `originUs` (each `spread` before it). */
  ingest(count: number, bytes: number, originUs: number, spread: Spread): void {
    if (count <= 0) return;
    const now = this.sim.nowUs;
    const c = this.interval;
    c.incomingRecords += count;
    c.incomingBytes += bytes;
    // Each record is billed rounded up to the next 5 KB; cohorts use their mean record size.
    c.billedBytes += count * Math.ceil(bytes / count / this.billingRounding) * this.billingRounding;
    const part: Part = { count, bytes, originUs, spread, ingestUs: now };
    this.bufferedRecords += count;
    if (this.spec.transform) this.addToTransform(part);
    else this.route(part);
  }

  /** Records refused by the direct-PUT quotas. */
  throttled(records: number, requestRefused: boolean): void {
    this.interval.throttledRecords += records;
    if (requestRefused) this.interval.throttledRequests++;
  }

  /** A direct-PUT call accepted. */
  request(): void {
    this.interval.incomingRequests++;
  }

  // -------------------------------------------------------------------------------------------
  // Transform

  private addToTransform(part: Part): void {
    const t = this.spec.transform!;
    const buffer = this.transformBuffer;
    this.fill(buffer, part, t.bufferSize, t.bufferInterval, (parts) => this.invoke(parts));
  }

  private invoke(parts: Part[]): void {
    const inv: Invocation = {
      parts,
      records: countOf(parts),
      bytes: bytesOf(parts),
      oldestIngestUs: oldestOf(parts),
      retriesLeft: this.spec.transform!.retries,
    };
    this.invocationQueue.push(inv);
    this.startInvocations();
  }

  private startInvocations(): void {
    while (this.running.size < this.concurrency && this.invocationQueue.length > 0) {
      const inv = this.invocationQueue.shift()!;
      this.running.add(inv);
      this.runInvocation(inv);
    }
  }

  private runInvocation(inv: Invocation): void {
    const t = this.spec.transform!;
    this.interval.transformInvocations++;
    const took = this.transformModel!.sample(this.transformRng, inv.records, inv.bytes);
    const timedOut = took > t.timeout;
    const failed = timedOut || this.transformRng.next() < t.errorRate;
    this.sim.schedule(Math.min(took, t.timeout), () => {
      if (failed) {
        this.interval.transformErrors++;
        if (inv.retriesLeft > 0) {
          inv.retriesLeft--;
          this.runInvocation(inv);
          return;
        }
        this.fail(inv.records);
      } else {
        let failedRecords = 0;
        for (const part of inv.parts) {
          const bad = t.failedRecords > 0 ? binomial(this.transformRng, part.count, t.failedRecords) : 0;
          failedRecords += bad;
          const good = part.count - bad;
          if (good === 0) continue;
          const goodBytes = part.bytes - prefixBytes(part.count, part.bytes, bad);
          this.interval.transformSucceededRecords += good;
          this.route({ ...part, count: good, bytes: Math.round(goodBytes * t.sizeRatio) });
        }
        if (failedRecords > 0) this.fail(failedRecords);
      }
      this.running.delete(inv);
      this.startInvocations();
    });
  }

  /** Records sent to the error prefix (they leave the buffered count). */
  private fail(records: number): void {
    this.bufferedRecords -= records;
    this.interval.processingFailedRecords += records;
  }

  // -------------------------------------------------------------------------------------------
  // Partitions and buffers

  private route(part: Part): void {
    const p = this.spec.partitioning;
    if (!p) {
      this.toPartition(0, part);
      return;
    }
    if (part.count === 1) {
      this.toPartition(this.partitionAlias!.sample(this.partitionRng), part);
      return;
    }
    // Split the records over partitions: a multinomial draw over few partitions, else one by one.
    const counts = new Map<number, number>();
    if (p.partitions <= MULTINOMIAL_PARTITIONS) {
      multinomial(this.partitionRng, part.count, this.partitionProbabilities!, this.partitionCounts!);
      this.partitionCounts!.forEach((k, i) => {
        if (k > 0) counts.set(i, k);
      });
    } else {
      for (let i = 0; i < part.count; i++) {
        const k = this.partitionAlias!.sample(this.partitionRng);
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
    }
    let left = part.count;
    let bytesLeft = part.bytes;
    for (const [partition, k] of [...counts.entries()].sort((a, b) => a[0] - b[0])) {
      const bytes = k === left ? bytesLeft : Math.round((bytesLeft * k) / left);
      left -= k;
      bytesLeft -= bytes;
      this.toPartition(partition, { ...part, count: k, bytes });
    }
  }

  private toPartition(partition: number, part: Part): void {
    let buffer = this.buffers.get(partition);
    if (!buffer) {
      const max = this.spec.partitioning?.maxActivePartitions ?? 1;
      if (this.buffers.size >= max) {
        this.bufferedRecords -= part.count;
        this.interval.partitionExceededRecords += part.count;
        return;
      }
      const open = new Buffer(partition);
      open.flush = (parts, trigger) => {
        this.deliver(partition, parts, trigger);
        // A partition is active while its buffer holds records.
        if (trigger === "interval" && this.buffers.get(partition) === open) this.buffers.delete(partition);
      };
      buffer = open;
      this.buffers.set(partition, buffer);
      this.interval.maxActivePartitions = Math.max(this.interval.maxActivePartitions, this.buffers.size);
    }
    const b = this.spec.buffering;
    this.fill(buffer, part, b.size, b.interval, buffer.flush!);
    if (buffer.records === 0) this.buffers.delete(partition);
  }

  /**
   * Adds a part to a buffer, flushing when it reaches `sizeHint` bytes (the record that reaches it
   * is the last one in; a cohort is cut there) or `intervalUs` after its first record.
   */
  private fill(
    buffer: Buffer,
    part: Part,
    sizeHint: number,
    intervalUs: number,
    flush: (parts: Part[], trigger: Trigger) => void,
  ): void {
    let rest: Part | undefined = part;
    while (rest) {
      const room = sizeHint - buffer.bytes;
      let piece: Part = rest;
      rest = undefined;
      if (buffer.bytes + piece.bytes >= sizeHint) {
        // The fewest records that reach the hint.
        let k = Math.max(1, Math.ceil((room * piece.count) / Math.max(1, piece.bytes)));
        while (k > 1 && prefixBytes(piece.count, piece.bytes, k - 1) >= room) k--;
        while (k < piece.count && prefixBytes(piece.count, piece.bytes, k) < room) k++;
        if (k < piece.count) {
          const bytes = prefixBytes(piece.count, piece.bytes, k);
          rest = { ...piece, count: piece.count - k, bytes: piece.bytes - bytes };
          piece = { ...piece, count: k, bytes };
        }
        buffer.add(piece);
        flush(buffer.take(), "size");
        continue;
      }
      const first = buffer.records === 0;
      buffer.add(piece);
      if (first) this.armInterval(buffer, intervalUs, flush);
    }
  }

  private armInterval(
    buffer: Buffer,
    intervalUs: number,
    flush: (parts: Part[], trigger: Trigger) => void,
  ): void {
    const token = buffer.token;
    const wait = intervalUs > 0 ? intervalUs : ZERO_BUFFERING_FLUSH_US;
    this.sim.schedule(wait, () => {
      if (buffer.token !== token || buffer.records === 0) return;
      flush(buffer.take(), "interval");
    });
  }

  // -------------------------------------------------------------------------------------------
  // Delivery

  private deliver(partition: number, parts: Part[], trigger: Trigger): void {
    const now = this.sim.nowUs;
    const records = countOf(parts);
    const bytes = Math.round(bytesOf(parts) * this.sizeRatio);
    this.bufferedRecords -= records;
    this.inDeliveryRecords += records;
    const d: Delivery = {
      id: this.nextDeliveryId++,
      partition,
      parts,
      records,
      bytes,
      oldestIngestUs: oldestOf(parts),
      createdUs: now,
      trigger,
      firstAttemptUs: now,
      attempts: 0,
      nextBackoffUs: RETRY_FIRST_US,
      copying: false,
    };
    this.interval.objects++;
    this.interval.objectBytes += bytes;
    this.deliveries.add(d);
    this.attempt(d);
  }

  private attempt(d: Delivery): void {
    d.attempts++;
    this.interval.deliveryAttempts++;
    const model = d.copying ? this.copy! : this.write;
    const took = model.sample(this.deliveryRng, d.records, d.bytes);
    const randomFailure = this.deliveryRng.next() < this.spec.destination.failureRate;
    this.sim.schedule(took, (t) => {
      if (randomFailure || this.down(t)) {
        this.interval.deliveryFailures++;
        this.retryOrGiveUp(d, t);
        return;
      }
      if (this.copy && !d.copying) {
        // Redshift: the object is in S3; now the COPY.
        d.copying = true;
        this.attempt(d);
        return;
      }
      this.succeed(d, t);
    });
  }

  private down(t: number): boolean {
    for (const o of this.spec.destination.outages) if (t >= o.at && t < o.at + o.duration) return true;
    return false;
  }

  private retryOrGiveUp(d: Delivery, now: number): void {
    const wait = d.nextBackoffUs;
    if (now + wait - d.firstAttemptUs > this.spec.destination.retryDuration) {
      this.finish(d, now, this.spec.destination.type === "s3" ? "lost" : "backup");
      return;
    }
    d.nextBackoffUs = Math.min(RETRY_CAP_US, d.nextBackoffUs * 2);
    this.sim.schedule(wait, () => this.attempt(d));
  }

  private succeed(d: Delivery, now: number): void {
    const c = this.interval;
    c.deliveredRecords += d.records;
    c.deliveredBytes += d.bytes;
    const positions = positionsPerPiece(d.parts.length);
    // Parts taken in at one moment (one read of a source shard) share their delivery latency:
    // each run of them is one value with their summed count, as recording them one by one would be.
    let ingestUs = -1;
    let count = 0;
    for (const p of d.parts) {
      if (p.ingestUs !== ingestUs) {
        if (count > 0) this.deliveryLatency.record(now - ingestUs, count);
        ingestUs = p.ingestUs;
        count = 0;
      }
      count += p.count;
      this.endToEnd.recordSpread(now - p.originUs, p.count, p.spread, positions);
    }
    if (count > 0) this.deliveryLatency.record(now - ingestUs, count);
    if (this.spec.backup === "all") c.backupAllRecords += d.records;
    this.finish(d, now, "delivered");
  }

  private finish(d: Delivery, now: number, result: "delivered" | "backup" | "lost"): void {
    this.deliveries.delete(d);
    this.inDeliveryRecords -= d.records;
    if (result === "backup") {
      this.interval.backupRecords += d.records;
      this.interval.backupBytes += d.bytes;
    } else if (result === "lost") {
      this.interval.lostRecords += d.records;
    }
    this.objects?.write([
      d.createdUs / US_PER_S,
      d.partition,
      d.trigger,
      d.records,
      d.bytes,
      d.attempts,
      now / US_PER_S,
      result,
    ]);
  }

  // -------------------------------------------------------------------------------------------
  // State for metrics and the ledger

  /** Records in buffers (partitions and transform, invocations queued or running). */
  buffered(): number {
    return this.bufferedRecords;
  }

  /** Bytes in the partition buffers. */
  bufferedBytes(): number {
    let n = 0;
    for (const b of this.buffers.values()) n += b.bytes;
    return n;
  }

  /** Age of the oldest record in a partition buffer, µs (0 when empty). */
  bufferAgeUs(now: number): number {
    let oldest = Number.POSITIVE_INFINITY;
    for (const b of this.buffers.values()) oldest = Math.min(oldest, b.oldestIngestUs);
    return Number.isFinite(oldest) ? now - oldest : 0;
  }

  /** DataFreshness: age of the oldest record not yet delivered (or given up), µs. */
  freshnessUs(now: number): number {
    let oldest = Math.min(
      this.transformBuffer.oldestIngestUs,
      ...[...this.buffers.values()].map((b) => b.oldestIngestUs),
    );
    for (const inv of this.invocationQueue) oldest = Math.min(oldest, inv.oldestIngestUs);
    for (const inv of this.running) oldest = Math.min(oldest, inv.oldestIngestUs);
    for (const d of this.deliveries) oldest = Math.min(oldest, d.oldestIngestUs);
    return Number.isFinite(oldest) ? now - oldest : 0;
  }

  /** Records written and being retried. */
  inDelivery(): number {
    return this.inDeliveryRecords;
  }

  /** Active partitions now. */
  activePartitions(): number {
    return this.buffers.size;
  }

  /** Closes the interval: adds its counters to the totals and clears them. */
  closeInterval(now: number): void {
    this.maxFreshnessUs = Math.max(this.maxFreshnessUs, this.freshnessUs(now));
    this.interval.addTo(this.totals);
    Object.assign(this.interval, new FirehoseCounters());
    this.deliveryLatency.closeInterval();
    this.endToEnd.closeInterval();
  }

  /** The ledger now. */
  ledger(): FirehoseLedger {
    const t = new FirehoseCounters();
    this.totals.addTo(t);
    this.interval.addTo(t);
    const failed = t.processingFailedRecords + t.partitionExceededRecords;
    const ledger = {
      ingested: t.incomingRecords,
      delivered: t.deliveredRecords,
      buffered: this.bufferedRecords,
      inDelivery: this.inDeliveryRecords,
      failed,
      backedUp: t.backupRecords,
      lost: t.lostRecords,
    };
    const accounted =
      ledger.delivered + ledger.buffered + ledger.inDelivery + ledger.failed + ledger.backedUp + ledger.lost;
    return { ...ledger, balanced: accounted === ledger.ingested && this.countedMatches() };
  }

  /** The running counts agree with what the containers hold. */
  private countedMatches(): boolean {
    let held = this.transformBuffer.records;
    for (const b of this.buffers.values()) held += b.records;
    for (const inv of this.invocationQueue) held += inv.records;
    for (const inv of this.running) held += inv.records;
    let inDelivery = 0;
    for (const d of this.deliveries) inDelivery += d.records;
    return held === this.bufferedRecords && inDelivery === this.inDeliveryRecords;
  }
}

function countOf(parts: readonly Part[]): number {
  let n = 0;
  for (const p of parts) n += p.count;
  return n;
}

function bytesOf(parts: readonly Part[]): number {
  let n = 0;
  for (const p of parts) n += p.bytes;
  return n;
}

function oldestOf(parts: readonly Part[]): number {
  let oldest = Number.POSITIVE_INFINITY;
  for (const p of parts) oldest = Math.min(oldest, p.ingestUs);
  return oldest;
}
