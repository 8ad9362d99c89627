// A Kinesis Client Library application: W workers share the shards through leases (one owner
// per shard), each leased shard has a record processor reading by polling or enhanced fan-out,
// and processors checkpoint every N records or T seconds. When a worker dies its leases expire
// after the lease duration and the next lease-taker run gives them to the live worker with the
// fewest leases; the new owner resumes from the last checkpoint, so the records processed since
// are processed again — duplicates, counted.

import { KCL_DEFAULTS } from "../../data/consumer-limits.js";
import { compileDistribution } from "../../engine/distributions.js";
import type { RandomStream } from "../../engine/random.js";
import { US_PER_MS } from "../../engine/time.js";
import { type KclSpec, noiseOf } from "../../scenario/consumers.js";
import type { Shard } from "../shard.js";
import {
  type Consumer,
  type ConsumerLedger,
  ConsumerMetrics,
  Lineage,
  ledgerOf,
  ProcessingModel,
  ShardCursor,
  startCursors,
} from "./consumer.js";
import type { ConsumerContext } from "./context.js";
import {
  type BatchHandler,
  type PollingReader,
  type PushReader,
  type Retrieval,
  readerFor,
} from "./readers.js";

/**
 * A shard's cursor in a KCL application. Processing resumes from the checkpoint after a lease
 * moves, so records can be fetched twice; `processedTo` remembers how far processing ever got,
 * and a record counts as unread only above it.
 */
export class LeaseCursor extends ShardCursor {
  processedTo: number;

  constructor(...args: ConstructorParameters<typeof ShardCursor>) {
    super(...args);
    this.processedTo = this.readSeq;
  }

  override expire(_records: number, toSeq: number): void {
    // Only records above processedTo were never processed: those are the ones lost.
    const lost = Math.max(0, toSeq - this.processedTo);
    this.readSeq = toSeq;
    if (this.checkpointSeq < toSeq) this.checkpointSeq = toSeq;
    this.processedTo = Math.max(this.processedTo, toSeq);
    this.onExpire(lost);
  }

  override get unread(): number {
    return this.log.nextSeq - this.processedTo;
  }
}

/** One shard's lease. */
interface Lease {
  shard: Shard;
  shardIndex: number;
  owner: number | undefined;
  cursor: LeaseCursor;
  reader: PollingReader | PushReader;
  /** Records processed since the last checkpoint, and when it was taken. */
  sinceCheckpoint: number;
  lastCheckpointUs: number;
}

/** A KCL application reading every shard of the stream. */
export class KclConsumer implements Consumer {
  readonly name: string;
  readonly kind = "kcl" as const;
  readonly metrics = new ConsumerMetrics();
  readonly leases: Lease[] = [];
  private readonly alive: boolean[];
  private readonly processing: ProcessingModel;
  private readonly rng: RandomStream;
  private readonly readRng: RandomStream;
  private readonly lineage: Lineage;
  private started = false;
  /** Lease moves, for the summary and tests: [time µs, shard, from, to]. */
  readonly moves: [number, number, number, number][] = [];

  constructor(
    readonly spec: KclSpec,
    private readonly context: ConsumerContext,
  ) {
    this.name = spec.name;
    this.alive = Array.from({ length: spec.workers }, () => true);
    this.rng = context.random.stream(`consumer/${spec.name}/processing`);
    this.processing = new ProcessingModel(
      spec.processing.baseUs,
      spec.processing.perRecordUs,
      spec.processing.perKiBUs,
      compileDistribution(noiseOf(spec.processing)),
    );
    this.readRng = context.random.stream(`consumer/${spec.name}/read`);
    this.lineage = new Lineage((shard) => this.beginLease(shard), true);
    this.lineage.follow(
      context.stream,
      (shard) => this.addLease(shard),
      () => this.started,
    );
  }

  /** A lease for a shard, without an owner until the shard may be read. */
  private addLease(shard: Shard): void {
    const spec = this.spec;
    const cursor = new LeaseCursor(shard.log, shard.number, shard.log.trimSeq, (n) => {
      this.metrics.interval.expired += n;
    });
    const lease: Lease = {
      shard,
      shardIndex: shard.number,
      owner: undefined,
      cursor,
      reader: undefined as never,
      sinceCheckpoint: 0,
      lastCheckpointUs: 0,
    };
    const handle = this.handler(lease);
    // At SHARD_END the processor checkpoints the end and the child leases may be taken.
    const onEnd = () => this.lineage.finish(shard);
    const retrieval: Retrieval =
      spec.retrieval === "polling"
        ? {
            polling: {
              intervalUs: spec.idleTimeBetweenReads,
              throttleBackoffUs: spec.idleTimeBetweenReads,
              maxRecords: spec.maxRecords,
            },
          }
        : "efo";
    lease.reader = readerFor(
      this.context,
      retrieval,
      shard,
      cursor,
      this.metrics,
      this.readRng,
      handle,
      onEnd,
    );
    this.leases.push(lease);
  }

  /** Gives a shard's lease to the live worker with the fewest leases, and starts reading it. */
  private beginLease(shard: Shard): void {
    const lease = this.leases.find((l) => l.shard === shard)!;
    const counts = this.leaseCounts();
    let best: number | undefined;
    for (let w = 0; w < this.alive.length; w++) {
      if (this.alive[w] && (best === undefined || counts[w]! < counts[best]!)) best = w;
    }
    lease.owner = best;
    lease.lastCheckpointUs = this.context.sim.nowUs;
    if (best !== undefined) lease.reader.start(this.context.sim.nowUs);
  }

  start(): void {
    this.context.sim.at(this.spec.start, () => {
      this.started = true;
      startCursors(
        this.leases.map((l) => l.cursor),
        this.spec.startingPosition,
        this.metrics,
      );
      for (const lease of this.leases) lease.cursor.processedTo = lease.cursor.readSeq;
      for (const lease of [...this.leases]) this.lineage.offer(lease.shard);
    });
    for (const failure of this.spec.failures)
      this.context.sim.at(failure.at, () => this.kill(failure.worker));
  }

  /** Leases each worker holds now. */
  leaseCounts(): number[] {
    const counts = this.alive.map(() => 0);
    for (const lease of this.leases) if (lease.owner !== undefined) counts[lease.owner]!++;
    return counts;
  }

  private handler(lease: Lease): BatchHandler {
    return (batch, _now, done) => {
      const owner = lease.owner;
      const time = this.processing.sample(this.rng, batch.users, batch.bytes);
      this.context.sim.schedule(time, (t) => {
        // A batch whose worker died meanwhile was never finished: its records are fetched again.
        if (lease.owner !== owner || owner === undefined || !this.alive[owner]) return;
        const cursor = lease.cursor;
        const start = batch.endSeq - batch.users;
        const fresh = Math.max(0, batch.endSeq - Math.max(start, cursor.processedTo));
        const c = this.metrics.interval;
        c.processed += fresh;
        c.duplicates += batch.users - fresh;
        const replayBelow = cursor.processedTo;
        cursor.processedTo = Math.max(cursor.processedTo, batch.endSeq);
        cursor.inMemory -= batch.users;
        this.metrics.recordProcessed(t, batch.pieces, replayBelow);
        lease.sinceCheckpoint += batch.users;
        const every = this.spec.checkpoint;
        const due =
          (every.everyRecords !== undefined && lease.sinceCheckpoint >= every.everyRecords) ||
          (every.every !== undefined && t - lease.lastCheckpointUs >= every.every);
        if (due) {
          cursor.checkpointSeq = batch.endSeq;
          lease.sinceCheckpoint = 0;
          lease.lastCheckpointUs = t;
        }
        done();
      });
    };
  }

  /** A worker dies: its record processors stop; its leases expire and move to live workers. */
  private kill(worker: number): void {
    if (!this.alive[worker]) return;
    this.alive[worker] = false;
    const now = this.context.sim.nowUs;
    const taker = KCL_DEFAULTS.takerIntervalMs.value * US_PER_MS;
    const expiry = now + this.spec.failoverTime;
    // The first lease-taker run after the lease expires picks it up.
    const takeAt = Math.ceil(expiry / taker) * taker;
    for (const lease of this.leases) {
      if (lease.owner !== worker) continue;
      lease.reader.stop();
      this.context.sim.at(takeAt, () => this.take(lease, worker));
    }
  }

  private take(lease: Lease, from: number): void {
    const counts = this.leaseCounts();
    let best: number | undefined;
    for (let w = 0; w < this.alive.length; w++) {
      if (!this.alive[w] || w === from) continue;
      if (best === undefined || counts[w]! < counts[best]!) best = w;
    }
    lease.owner = best;
    if (best === undefined) return; // no live worker: the shard is not read any more
    const now = this.context.sim.nowUs;
    this.moves.push([now, lease.shardIndex, from, best]);
    // The new owner starts from the checkpoint; records fetched by the dead worker and not
    // finished are fetched again.
    const cursor = lease.cursor;
    cursor.inMemory = 0;
    cursor.readSeq = Math.max(cursor.checkpointSeq, cursor.log.trimSeq);
    lease.sinceCheckpoint = 0;
    lease.lastCheckpointUs = now;
    lease.reader.start(now);
  }

  ledger(): ConsumerLedger {
    return ledgerOf(
      this.context.acceptedRecords(),
      this.leases.map((l) => l.cursor),
      this.metrics,
    );
  }

  unread(): number {
    return this.leases.reduce((a, l) => a + l.cursor.unread, 0);
  }

  concurrency(): number {
    return 0;
  }
}
