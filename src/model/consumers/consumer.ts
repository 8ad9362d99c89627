// What every consumer shares: counters and latency histograms per interval, a cursor per shard
// that the shard's log knows about, the processing-time model, and the consumer's ledger —
// accepted = processed + unread + expired + discarded (+ skipped before its starting position).

import type { Sampler } from "../../engine/distributions.js";
import type { RandomStream } from "../../engine/random.js";
import { IntervalHistogram, positionsPerPiece } from "../../metrics/latency-histogram.js";
import type { Shard } from "../shard.js";
import type { Cursor, LogEntry, ShardLog } from "../shard-log.js";
import type { Stream } from "../stream.js";

/** Kinds of consumer. */
export const CONSUMER_KINDS = ["polling", "efo", "kcl", "lambda", "firehose", "analytics"] as const;
/** One of CONSUMER_KINDS. */
export type ConsumerKind = (typeof CONSUMER_KINDS)[number];

/** Counters of one consumer for an interval (and summed for the run). */
export class ConsumerCounters {
  /** Records and bytes handed to the consumer (GetRecords responses, EFO events). */
  delivered = 0;
  deliveredBytes = 0;
  /** Kinesis records handed over: fewer than `delivered` when the KPL aggregated user records. */
  deliveredKinesis = 0;
  /** Records processed successfully for the first time. */
  processed = 0;
  /** Records processed again (KCL failover, Lambda retries of records already done). */
  duplicates = 0;
  /** Records that left retention before the consumer read or finished them. */
  expired = 0;
  /** Records given up after retries (Lambda), not sent anywhere. */
  discarded = 0;
  /** Records given up and reported to an on-failure destination (Lambda). */
  toDestination = 0;
  /** Records before the consumer's starting position (LATEST). */
  skipped = 0;
  /** GetRecords calls made, and those throttled (ReadProvisionedThroughputExceeded). */
  calls = 0;
  throttledCalls = 0;
  /** SubscribeToShard events received (EFO). */
  events = 0;
  /** Largest iterator age / MillisBehindLatest seen, ms. */
  iteratorAgeMaxMs = 0;
  millisBehindLatestMaxMs = 0;
  // Lambda
  invocations = 0;
  errors = 0;
  throttles = 0;
  concurrencyMax = 0;

  addTo(t: ConsumerCounters): void {
    t.delivered += this.delivered;
    t.deliveredBytes += this.deliveredBytes;
    t.deliveredKinesis += this.deliveredKinesis;
    t.processed += this.processed;
    t.duplicates += this.duplicates;
    t.expired += this.expired;
    t.discarded += this.discarded;
    t.toDestination += this.toDestination;
    t.skipped += this.skipped;
    t.calls += this.calls;
    t.throttledCalls += this.throttledCalls;
    t.events += this.events;
    t.iteratorAgeMaxMs = Math.max(t.iteratorAgeMaxMs, this.iteratorAgeMaxMs);
    t.millisBehindLatestMaxMs = Math.max(t.millisBehindLatestMaxMs, this.millisBehindLatestMaxMs);
    t.invocations += this.invocations;
    t.errors += this.errors;
    t.throttles += this.throttles;
    t.concurrencyMax = Math.max(t.concurrencyMax, this.concurrencyMax);
  }
}

/** A consumer's ledger: accepted = processed + unread + expired + discarded + toDestination + skipped. */
export interface ConsumerLedger {
  accepted: number;
  processed: number;
  unread: number;
  expired: number;
  discarded: number;
  toDestination: number;
  skipped: number;
  duplicates: number;
  balanced: boolean;
}

/** Time to process (or run a function on) a batch: (base + perRecord·n + perKiB·kB) × noise. */
export class ProcessingModel {
  constructor(
    private readonly baseUs: number,
    private readonly perRecordUs: number,
    private readonly perKiBUs: number,
    /** Multiplier with median 1 (constant 1 when the model has no variability). */
    private readonly noise: Sampler,
  ) {}

  /** Duration for a batch, µs (integer). */
  sample(rng: RandomStream, records: number, bytes: number): number {
    const mean = this.baseUs + this.perRecordUs * records + (this.perKiBUs * bytes) / 1024;
    return Math.max(0, Math.round(mean * this.noise.sample(rng)));
  }
}

/**
 * A consumer's position in one shard. `readSeq` is the next record to fetch; records fetched and
 * not yet finished are `inMemory`. The log expires unread records through it.
 */
export class ShardCursor implements Cursor {
  readSeq: number;
  /** Records fetched and not finished (processed, discarded, expired). */
  inMemory = 0;
  /** The earliest record the consumer may go back to (KCL: the checkpoint). */
  checkpointSeq: number;

  constructor(
    readonly log: ShardLog,
    readonly shardIndex: number,
    startSeq: number,
    protected readonly onExpire: (records: number) => void,
  ) {
    this.readSeq = startSeq;
    this.checkpointSeq = startSeq;
    log.attach(this);
  }

  /** Starts at the tip of the shard (LATEST): the records before it are skipped; returns how many. */
  moveToLatest(): number {
    const skipped = this.log.nextSeq - this.readSeq;
    this.readSeq = this.log.nextSeq;
    this.checkpointSeq = this.readSeq;
    return skipped;
  }

  retainFromSeq(): number {
    return Math.min(this.readSeq, this.checkpointSeq);
  }

  expire(records: number, toSeq: number): void {
    this.readSeq = toSeq;
    if (this.checkpointSeq < toSeq) this.checkpointSeq = toSeq;
    this.onExpire(records);
  }

  /** Records not yet finished: in the log beyond readSeq, or fetched and in progress. */
  get unread(): number {
    return this.log.nextSeq - this.readSeq + this.inMemory;
  }
}

/**
 * Per-key order of processed records: a record created before one of its key already processed
 * is out of order (a producer retry or a second request in flight let a later record overtake
 * it, or a reader took a child shard before its parent). Tracks named keys only: random keys are
 * unique to one record, and cohorts mix keys.
 */
export class KeyOrder {
  /** Latest creation time processed per key. */
  private readonly latest = new Map<number, number>();
  private readonly affected = new Set<number>();
  /** Records processed out of per-key order. */
  outOfOrder = 0;
  /** Records whose order was checked. */
  checked = 0;
  /** The most a record came after a later-created record of its key, µs. */
  maxDisplacementUs = 0;

  see(keyId: number, originUs: number, count: number): void {
    this.checked += count;
    const latest = this.latest.get(keyId);
    if (latest === undefined || originUs >= latest) {
      this.latest.set(keyId, originUs);
      return;
    }
    this.outOfOrder += count;
    this.affected.add(keyId);
    if (latest - originUs > this.maxDisplacementUs) this.maxDisplacementUs = latest - originUs;
  }

  /** Keys with at least one record out of order. */
  get keysAffected(): number {
    return this.affected.size;
  }
}

/** Interval and run metrics every consumer keeps. */
export class ConsumerMetrics {
  readonly interval = new ConsumerCounters();
  readonly totals = new ConsumerCounters();
  /** Record creation → processed. */
  readonly endToEnd = new IntervalHistogram();
  /** Arrival at the shard → delivered to the consumer (put-to-get delay). */
  readonly readDelay = new IntervalHistogram();
  /** Lambda function durations. */
  readonly duration = new IntervalHistogram();

  /** Per-key order as processed (record resolution: each named key's records one by one). */
  readonly order = new KeyOrder();

  /** Test hook: sees every batch of records as it is processed. */
  observer: ((nowUs: number, pieces: readonly LogEntry[]) => void) | undefined;

  /**
   * Records the end-to-end latency of records processed at `nowUs`, and their per-key order.
   * Records below `replayBelowSeq` in their shard were processed before (a KCL failover or an
   * application restart reads them again): duplicates, not reordering.
   */
  recordProcessed(nowUs: number, pieces: readonly LogEntry[], replayBelowSeq = -1): void {
    const positions = positionsPerPiece(pieces.length);
    for (const p of pieces) {
      if (p.members) {
        // An aggregated record: its user records, each with its key and creation time.
        const replay = p.firstSeq < replayBelowSeq;
        p.members.forEach((m, i) => {
          this.endToEnd.record(nowUs - m.originUs, 1);
          if (m.keyId >= 0 && !(replay && p.firstSeq + i < replayBelowSeq))
            this.order.see(m.keyId, m.originUs, 1);
        });
        continue;
      }
      this.endToEnd.recordSpread(nowUs - p.originUs, p.count, p.spread, positions);
      if (p.keyId >= 0 && p.firstSeq >= replayBelowSeq) this.order.see(p.keyId, p.originUs, p.count);
    }
    this.observer?.(nowUs, pieces);
  }

  /** Records the read delay of records delivered at `nowUs`. */
  recordDelivered(nowUs: number, pieces: readonly LogEntry[]): void {
    const c = this.interval;
    for (const p of pieces) {
      // A tick's cohorts joined in the log arrived over a span: their delays spread over it.
      if (p.arrivalSpreadUs > 0)
        this.readDelay.recordRange(nowUs - p.arrivalUs, p.count, 0, p.arrivalSpreadUs);
      else this.readDelay.record(nowUs - p.arrivalUs, p.count);
      c.delivered += p.count;
      c.deliveredBytes += p.bytes;
      c.deliveredKinesis += p.kinesisRecords;
    }
  }

  /** Adds the interval into the run totals and clears it. */
  closeInterval(): void {
    this.interval.addTo(this.totals);
    Object.assign(this.interval, new ConsumerCounters());
    this.endToEnd.closeInterval();
    this.readDelay.closeInterval();
    this.duration.closeInterval();
  }
}

/** What the run needs from every consumer. */
export interface Consumer {
  readonly name: string;
  readonly kind: ConsumerKind;
  readonly metrics: ConsumerMetrics;
  /** Starts reading (at time 0). */
  start(): void;
  /** The consumer's ledger now (counts from the cursors and the counters). */
  ledger(): ConsumerLedger;
  /** Unread records now (for the time series). */
  unread(): number;
  /** Lambda invocations running now, for the time series (0 for other kinds). */
  concurrency(): number;
}

/** Sums counters including the interval not yet closed. */
export function totalsNow(metrics: ConsumerMetrics): ConsumerCounters {
  const sum = new ConsumerCounters();
  metrics.totals.addTo(sum);
  metrics.interval.addTo(sum);
  return sum;
}

/**
 * Starts a consumer's cursors at its start time: at the tip for LATEST (counting what is skipped),
 * where they are (the oldest record kept) for TRIM_HORIZON.
 */
export function startCursors(
  cursors: readonly ShardCursor[],
  position: "LATEST" | "TRIM_HORIZON",
  metrics: ConsumerMetrics,
): void {
  if (position !== "LATEST") return;
  for (const cursor of cursors) metrics.interval.skipped += cursor.moveToLatest();
}

/** Builds a consumer's ledger from its cursors and counters; balanced when the books close. */
export function ledgerOf(
  accepted: number,
  cursors: readonly ShardCursor[],
  metrics: ConsumerMetrics,
): ConsumerLedger {
  const t = totalsNow(metrics);
  const unread = cursors.reduce((a, c) => a + c.unread, 0);
  const ledger: ConsumerLedger = {
    accepted,
    processed: t.processed,
    unread,
    expired: t.expired,
    discarded: t.discarded,
    toDestination: t.toDestination,
    skipped: t.skipped,
    duplicates: t.duplicates,
    balanced: false,
  };
  ledger.balanced = accepted === t.processed + unread + t.expired + t.discarded + t.toDestination + t.skipped;
  return ledger;
}

/**
 * Which shards a consumer may read: after a reshard, a child only once its parents are read to
 * their end — as the KCL and Lambda do, which keeps each partition key in order. A naive reader
 * (`parentsFirst` false) reads children at once.
 */
export class Lineage {
  private readonly finished = new Set<string>();
  private readonly waiting: Shard[] = [];
  private readonly known = new Set<string>();

  constructor(
    private readonly begin: (shard: Shard) => void,
    private readonly parentsFirst: boolean,
  ) {}

  /**
   * Calls `add` for every open shard now and for every shard a reshard creates later, and offers
   * the later ones for reading at once if the consumer has started by then.
   */
  follow(stream: Stream, add: (shard: Shard) => void, started: () => boolean): void {
    for (const shard of stream.open) add(shard);
    stream.onReshard((created) => {
      for (const shard of created) {
        add(shard);
        if (started()) this.offer(shard);
      }
    });
  }

  /** A shard the consumer should read (initial, or created by a reshard). */
  offer(shard: Shard): void {
    this.known.add(shard.id);
    if (!this.parentsFirst || this.parentsDone(shard)) this.begin(shard);
    else this.waiting.push(shard);
  }

  /** A shard read to its end: its children may start. */
  finish(shard: Shard): void {
    this.finished.add(shard.id);
    for (let i = 0; i < this.waiting.length; ) {
      const child = this.waiting[i]!;
      if (this.parentsDone(child)) {
        this.waiting.splice(i, 1);
        this.begin(child);
      } else {
        i++;
      }
    }
  }

  private parentsDone(shard: Shard): boolean {
    for (const parent of [shard.parentShardId, shard.adjacentParentShardId]) {
      if (parent !== undefined && this.known.has(parent) && !this.finished.has(parent)) return false;
    }
    return true;
  }
}
