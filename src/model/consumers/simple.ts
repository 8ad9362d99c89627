// The plain consumers: an SDK reader polling every shard with GetRecords, and an enhanced
// fan-out consumer receiving every shard's records by push. Each processes a batch, then reads
// again; neither checkpoints.

import { EFO } from "../../data/consumer-limits.js";
import { compileDistribution, type Sampler } from "../../engine/distributions.js";
import type { RandomStream } from "../../engine/random.js";
import type { EfoSpec, PollingSpec } from "../../scenario/consumers.js";
import { noiseOf } from "../../scenario/consumers.js";
import {
  type Consumer,
  type ConsumerLedger,
  ConsumerMetrics,
  ledgerOf,
  ProcessingModel,
  ShardCursor,
  startCursors,
} from "./consumer.js";
import type { ConsumerContext } from "./context.js";
import { type BatchHandler, PollingReader, PushReader } from "./readers.js";

/** A polling (GetRecords) or enhanced fan-out consumer that processes what it reads. */
export class SimpleConsumer implements Consumer {
  readonly name: string;
  readonly kind: "polling" | "efo";
  readonly metrics = new ConsumerMetrics();
  private readonly cursors: ShardCursor[] = [];
  private readonly readers: (PollingReader | PushReader)[] = [];
  private readonly processing: ProcessingModel;
  private readonly rng: RandomStream;

  constructor(
    readonly spec: PollingSpec | EfoSpec,
    private readonly context: ConsumerContext,
  ) {
    this.name = spec.name;
    this.kind = spec.type;
    this.rng = context.random.stream(`consumer/${spec.name}/processing`);
    this.processing = new ProcessingModel(
      spec.processing.baseUs,
      spec.processing.perRecordUs,
      spec.processing.perKiBUs,
      compileDistribution(noiseOf(spec.processing)),
    );
    const readRng = context.random.stream(`consumer/${spec.name}/read`);
    for (const [i, shard] of context.stream.open.entries()) {
      const cursor = new ShardCursor(
        shard.log,
        i,
        spec.startingPosition === "LATEST" ? shard.log.nextSeq : shard.log.trimSeq,
        (n) => {
          this.metrics.interval.expired += n;
        },
      );
      this.cursors.push(cursor);
      if (spec.type === "polling") {
        const settings = {
          intervalUs: spec.pollInterval,
          throttleBackoffUs: spec.throttleBackoff,
          maxRecords: spec.maxRecords,
          latency: context.getRecordsLatency,
        };
        this.readers.push(
          new PollingReader(context.sim, shard, cursor, settings, this.metrics, readRng, this.handle(cursor)),
        );
      } else {
        this.readers.push(
          new PushReader(
            context.sim,
            shard,
            cursor,
            pushSettings(context.pushLatency),
            this.metrics,
            readRng,
            this.handle(cursor),
          ),
        );
      }
    }
  }

  start(): void {
    this.context.sim.at(this.spec.start, () => {
      startCursors(this.cursors, this.spec.startingPosition, this.metrics);
      for (const reader of this.readers) reader.start(this.spec.start);
    });
  }

  private handle(cursor: ShardCursor): BatchHandler {
    return (batch, _now, done) => {
      const time = this.processing.sample(this.rng, batch.records, batch.bytes);
      this.context.sim.schedule(time, (t) => {
        this.metrics.interval.processed += batch.records;
        this.metrics.recordProcessed(t, batch.pieces);
        cursor.inMemory -= batch.records;
        cursor.checkpointSeq = cursor.readSeq;
        done();
      });
    };
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

/** Enhanced fan-out settings from the stream's push-latency model. */
export function pushSettings(pushLatency: Sampler) {
  return {
    pushDelay: pushLatency,
    bytesPerSecond: EFO.bytesPerSecondPerConsumerShard.value,
    subscriptionUs: EFO.subscriptionLifetimeMs.value * 1000,
    // Time to subscribe again after the 5-minute subscription ends: not documented; a modelling
    // choice of one round trip.
    resubscribeUs: 100_000,
    maxRecords: 10_000,
  };
}
