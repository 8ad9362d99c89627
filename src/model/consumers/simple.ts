// The plain consumers: an SDK reader polling every shard with GetRecords, and an enhanced
// fan-out consumer receiving every shard's records by push. Each processes a batch, then reads
// again; neither checkpoints. After a reshard they read a child once its parents are done
// (or at once, with `parentsFirst: false`, as a naive reader would).

import { compileDistribution } from "../../engine/distributions.js";
import type { RandomStream } from "../../engine/random.js";
import type { EfoSpec, PollingSpec } from "../../scenario/consumers.js";
import { noiseOf } from "../../scenario/consumers.js";
import type { Shard } from "../shard.js";
import type { LogEntry, ReadResult } from "../shard-log.js";
import {
  type Consumer,
  type ConsumerKind,
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

/** A polling (GetRecords) or enhanced fan-out consumer that processes what it reads. */
export class SimpleConsumer implements Consumer {
  readonly name: string;
  readonly kind: ConsumerKind;
  readonly metrics = new ConsumerMetrics();
  private readonly cursors: ShardCursor[] = [];
  private readonly readers = new Map<Shard, PollingReader | PushReader>();
  private readonly processing: ProcessingModel;
  private readonly rng: RandomStream;
  private readonly readRng: RandomStream;
  private readonly lineage: Lineage;
  private started = false;

  constructor(
    readonly spec: PollingSpec | EfoSpec,
    private readonly context: ConsumerContext,
    /** A service reading on someone's behalf (a delivery stream): its kind and what it does with records. */
    private readonly service?: { kind: ConsumerKind; sink: (pieces: readonly LogEntry[]) => void },
  ) {
    this.name = spec.name;
    this.kind = service?.kind ?? spec.type;
    this.rng = context.random.stream(`consumer/${spec.name}/processing`);
    this.readRng = context.random.stream(`consumer/${spec.name}/read`);
    const p = spec.processing;
    this.processing = new ProcessingModel(
      p.baseUs,
      p.perRecordUs,
      p.perKiBUs,
      compileDistribution(noiseOf(p)),
    );
    this.lineage = new Lineage(
      (shard) => this.readers.get(shard)!.start(this.context.sim.nowUs),
      spec.parentsFirst,
    );
    this.lineage.follow(
      context.stream,
      (shard) => this.addShard(shard),
      () => this.started,
    );
  }

  private addShard(shard: Shard): void {
    const cursor = new ShardCursor(shard.log, shard.number, shard.log.trimSeq, (n) => {
      this.metrics.interval.expired += n;
    });
    this.cursors.push(cursor);
    const spec = this.spec;
    const onEnd = () => this.lineage.finish(shard);
    const retrieval: Retrieval =
      spec.type === "polling"
        ? {
            polling: {
              intervalUs: spec.pollInterval,
              throttleBackoffUs: spec.throttleBackoff,
              maxRecords: spec.maxRecords,
            },
          }
        : "efo";
    const reader = readerFor(
      this.context,
      retrieval,
      shard,
      cursor,
      this.metrics,
      this.readRng,
      this.handle(cursor),
      onEnd,
    );
    this.readers.set(shard, reader);
  }

  start(): void {
    this.context.sim.at(this.spec.start, () => {
      this.started = true;
      startCursors(this.cursors, this.spec.startingPosition, this.metrics);
      for (const shard of this.readers.keys()) this.lineage.offer(shard);
    });
  }

  private handle(cursor: ShardCursor): BatchHandler {
    return (batch, _now, done) => {
      // A plain reader handles an aggregated record as one; a de-aggregating one each user record.
      const records = this.spec.deaggregate ? batch.users : batch.records;
      const time = this.processing.sample(this.rng, records, batch.bytes);
      // No processing time (a delivery stream's reader): finish now rather than via an event.
      if (time === 0) this.finish(cursor, batch, this.context.sim.nowUs, done);
      else this.context.sim.schedule(time, (t) => this.finish(cursor, batch, t, done));
    };
  }

  private finish(cursor: ShardCursor, batch: ReadResult, t: number, done: () => void): void {
    this.metrics.interval.processed += batch.users;
    this.metrics.recordProcessed(t, batch.pieces);
    this.service?.sink(batch.pieces);
    cursor.inMemory -= batch.users;
    cursor.checkpointSeq = cursor.readSeq;
    done();
  }

  ledger(): ConsumerLedger {
    return ledgerOf(this.context.acceptedRecords(), this.cursors, this.metrics);
  }

  unread(): number {
    return this.cursors.reduce((a, c) => a + c.unread, 0);
  }

  concurrency(): number {
    return 0;
  }
}
