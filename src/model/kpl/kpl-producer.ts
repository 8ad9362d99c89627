// A fleet of applications writing through the Kinesis Producer Library. Each instance runs the
// KPL's pipeline: user records are aggregated per predicted shard (its shard map, refreshed after a
// record lands where the map did not say) into Kinesis records; each shard's token bucket
// (RateLimit) holds them in the client; the collector packs them into PutRecords requests, sent
// on up to MaxConnections connections. A failed user record goes back into aggregation with half
// of RecordMaxBufferedTime as its deadline, beside new records, until RecordTtl expires it.
//
// Both resolutions share the pipeline. At record resolution every user record is its own piece
// and a Kinesis record's size is exact. At cohort resolution a group of instances acting in step
// receives each tick's records split over the predicted shards, and the sizes of the Kinesis
// records it forms are expectations over the shard's keys (see ExpectedAggregate).

import { KPL_INTERNALS } from "../../data/kinesis-limits.js";
import { AliasTable } from "../../engine/alias-table.js";
import { binomial, multinomial, poisson } from "../../engine/counts.js";
import { compileDistribution, type Sampler } from "../../engine/distributions.js";
import type { RandomStream } from "../../engine/random.js";
import type { Simulation } from "../../engine/simulation.js";
import { US_PER_MS } from "../../engine/time.js";
import { IntervalHistogram, NO_SPREAD, type Spread } from "../../metrics/latency-histogram.js";
import type { Cell } from "../../metrics/sink.js";
import type { KplSummary } from "../../metrics/summary.js";
import { sumOf, WriteCounters } from "../../metrics/write-counters.js";
import type { KplSettings, ResolvedProducer } from "../../scenario/schema.js";
import { type KeyRouting, KeySpace } from "../keys.js";
import { type ProducerContext, sumOfSizes } from "../producer.js";
import type { ClientTable, ProducerFleet } from "../producer-fleet.js";
import { groupsFor } from "../resolution.js";
import { round } from "../run-recorder.js";
import type { Member } from "../shard-log.js";
import { type Stream, usersIn } from "../stream.js";
import { ArrivalClock, type RateFunction, rateFunction } from "../traffic.js";
import {
  AggregateEstimate,
  accurateSize,
  ExpectedAggregate,
  fittingPrefix,
  type UserShape,
} from "./aggregation.js";
import { KplMetrics } from "./kpl-metrics.js";
import { ShardBucket } from "./shard-bucket.js";
import { ShardMap } from "./shard-map.js";

const MS = US_PER_MS;
const MIN_BUFFER_US = KPL_INTERNALS.minBufferTimeMs.value * MS;
const LIMITER_DRAIN_US = KPL_INTERNALS.limiterDrainMs.value * MS;
const SHARD_FLUSH_BYTES = KPL_INTERNALS.collectorShardFlushBytes.value;
const AGGREGATED_KEY_BYTES = KPL_INTERNALS.aggregatedPartitionKeyBytes.value;
/** Aggregators (instances × predicted shards) cohort resolution keeps at most, about. */
const AGGREGATOR_BUDGET = 4096;

/** A predicted shard as one number: its map version and its index under it (indices < 2²⁰). */
function shardKey(mapVersion: number, index: number): number {
  return mapVersion * 2 ** 20 + index;
}

/** User records travelling together: one at record resolution, many at cohort resolution. */
class Users {
  constructor(
    public count: number,
    /** Data bytes (after compression) and partition-key bytes. */
    public dataBytes: number,
    public keyBytes: number,
    /** Creation: each record was created `offset` µs before `originUs` (see Spread). */
    public originUs: number,
    public spread: Spread,
    /** Named key index, −1 for a fresh random key (record resolution), −2 for a mix (cohorts). */
    public keyIndex: number,
    /** Hash-space position of a random key, in [0, 1). */
    public position: number,
    /** When the oldest record must be sent (RecordMaxBufferedTime) and when it expires (RecordTtl). */
    public deadlineUs: number,
    public expiryUs: number,
  ) {}

  /** Sends so far (0: never sent). */
  attempts = 0;
  /** When the records entered the buffers (created, or their last attempt ended): BufferingTime. */
  enteredUs = 0;
  /** Predicted shard: index into the shard map's shards, under map version `mapVersion`. */
  predicted = -1;
  mapVersion = -1;

  get bytes(): number {
    return this.dataBytes + this.keyBytes;
  }

  /**
   * Records of the piece created by `t`. A new cohort piece's records are created evenly over its
   * span [origin − spread.hi, origin − spread.lo]: record j at (j + ½)/count of the way.
   */
  createdBy(t: number): number {
    const newest = this.originUs - this.spread.lo;
    if (this.attempts > 0 || t >= newest) return this.count;
    const oldest = this.originUs - this.spread.hi;
    if (t < oldest) return 0;
    return Math.min(this.count, Math.floor(((t - oldest) * this.count) / (newest - oldest) + 0.5));
  }

  /** When the k-th record (1-based) of a new piece is created. */
  createdAt(k: number): number {
    const newest = this.originUs - this.spread.lo;
    const oldest = this.originUs - this.spread.hi;
    return Math.ceil(oldest + ((k - 0.5) * (newest - oldest)) / this.count);
  }

  /**
   * Takes the `k` oldest of a new piece's records off it, returning them; what stays was created
   * after them, with later deadlines. `maxBufferedUs` and `ttlUs` give a record's deadline and
   * expiry from its creation. A retried piece is split evenly (its records all exist).
   */
  takeOldest(k: number, maxBufferedUs: number, ttlUs: number): Users {
    if (this.attempts > 0 || this.spread.hi === this.spread.lo) return this.splitOff(k);
    const oldest = this.originUs - this.spread.hi;
    const span = this.spread.hi - this.spread.lo;
    const boundary = oldest + Math.round((span * k) / this.count);
    const part = this.splitOff(k);
    part.originUs = boundary;
    part.spread = { lo: 0, hi: boundary - oldest };
    part.enteredUs = Math.round((oldest + boundary) / 2);
    this.spread = { lo: this.spread.lo, hi: this.originUs - boundary };
    const newest = this.originUs - this.spread.lo;
    const first = boundary + Math.round((newest - boundary) / (2 * this.count));
    this.deadlineUs = first + maxBufferedUs;
    this.expiryUs = first + ttlUs;
    this.enteredUs = Math.round((boundary + newest) / 2);
    return part;
  }

  /** Takes the first `k` records off this piece (same times), returning them. */
  splitOff(k: number): Users {
    const data = Math.round((this.dataBytes * k) / this.count);
    const key = Math.round((this.keyBytes * k) / this.count);
    this.count -= k;
    this.dataBytes -= data;
    this.keyBytes -= key;
    const part = new Users(
      k,
      data,
      key,
      this.originUs,
      this.spread,
      this.keyIndex,
      this.position,
      this.deadlineUs,
      this.expiryUs,
    );
    part.attempts = this.attempts;
    part.enteredUs = this.enteredUs;
    part.predicted = this.predicted;
    part.mapVersion = this.mapVersion;
    return part;
  }
}

/** Kinesis records formed from user records: one at record resolution, `krs` at cohort resolution. */
class KinesisRecords {
  constructor(
    public krs: number,
    public users: Users[],
    public userCount: number,
    /** What the shard's limit counts: data blob plus partition key ("a" when aggregated). */
    public wireBytes: number,
    /** The blobs (KinesisRecordsDataPut; what the KPL's rate limiter counts). */
    public blobBytes: number,
    public predicted: number,
    public mapVersion: number,
    public deadlineUs: number,
    public expiryUs: number,
  ) {}
}

/** One shard's aggregation buffer in one instance (a Reducer of user records). */
/**
 * A buffer flushed when its earliest record deadline comes (see armDeadline): the Reducer's
 * aggregators and the Collector.
 */
interface DeadlineBuffer {
  items: readonly { deadlineUs: number }[];
  /** When its timer fires (Infinity: none armed), and the timer's token (a newer one cancels it). */
  timerAt: number;
  token: number;
  /** What the timer does: flush the buffer. */
  onDeadline: (t: number) => void;
}

interface Aggregator extends DeadlineBuffer {
  index: number;
  mapVersion: number;
  items: Users[];
  users: number;
  /** Record resolution: the KPL's running size estimate. */
  estimate: AggregateEstimate | undefined;
  /** Cohort resolution: the timer of the moment records yet to be created fill the buffer. */
  fillToken: number;
}

/** One shard's rate limiter in one instance. */
interface Limiter {
  bucket: ShardBucket;
  queue: KinesisRecords[];
}

/** An instance's collector (a Reducer of Kinesis records into PutRecords requests). */
interface Collector extends DeadlineBuffer {
  items: KinesisRecords[];
  krs: number;
  bytes: number;
  /** Blob bytes buffered per predicted shard (see shardKey). */
  shardBytes: Map<number, number>;
}

/** A KPL instance (record resolution) or a group of instances acting in step (cohorts). */
interface Instance {
  /** By predicted shard (see shardKey). */
  aggregators: Map<number, Aggregator>;
  limiters: Map<number, Limiter>;
  collector: Collector;
  inFlight: number;
  /** Requests formed but waiting for a connection. */
  waiting: KinesisRecords[][];
}

/** A fleet of KPL instances writing to one stream. */
export class KplProducer implements ProducerFleet {
  readonly name: string;
  readonly interval = new WriteCounters();
  readonly totals = new WriteCounters();
  readonly latency = new IntervalHistogram();
  /** User records in requests on the wire. */
  pendingRecords = 0;
  /** The KPL's own metrics, per interval (kpl-<name>.csv) and for the run. */
  readonly metrics = new KplMetrics();
  readonly clientTable: ClientTable;
  readonly groups: number;
  readonly instancesPerGroup: number;

  private readonly kpl: KplSettings;
  private readonly sim: Simulation;
  private readonly stream: Stream;
  private readonly rate: RateFunction;
  private readonly sentSize: Sampler;
  /** Record sizes as the scenario gives them: record resolution draws from it, oversize included. */
  private readonly fullSize: Sampler;
  private readonly oversize: { share: number; meanBytes: number };
  private readonly maxRecordBytes: number;
  private readonly keys: KeySpace;
  private readonly latencySampler: Sampler;
  private readonly traffic: RandomStream;
  private readonly routeRng: RandomStream;
  private readonly latencyRng: RandomStream;
  private readonly stopUs: number;
  private readonly keyIdBase: number;
  private readonly instances: Instance[] = [];
  private arrivals: ArrivalClock | undefined;
  private readonly map: ShardMap;
  /** Limits of a group's buffers: one instance's times the instances it stands for. */
  private readonly scale: number;
  private readonly maxConnections: number;
  private readonly collectionMaxCount: number;
  private readonly collectionMaxBytes: number;
  private readonly shardFlushBytes: number;
  private readonly collectionExtensionUs: number;
  /** User records in the clients' buffers (aggregators, limiters, collectors, waiting requests). */
  private buffered = 0;
  /** User records held by the rate limiters, and Kinesis records. */
  private heldUsers = 0;
  private heldKrs = 0;
  private pollScheduled = false;
  private leakAtUs: number;
  /** Cohort resolution: records join the buffers every `sliceUs` (the tick, or a quarter of
   *  RecordMaxBufferedTime if shorter, so that a coarse tick does not hold them past it). */
  private readonly sliceUs: number;
  private evenCarry = 0;
  private readonly evenShares: Float64Array;
  private readonly evenCounts: Float64Array;
  private shardCounts = new Float64Array(0);
  private aliasFor: { version: number; table: AliasTable } | undefined;
  /** Expected sizes per shard of a map version (cohort resolution). */
  private expected = new Map<number, ExpectedAggregate>();

  constructor(
    readonly spec: ResolvedProducer,
    private readonly context: ProducerContext,
  ) {
    if (!spec.kpl) throw new Error(`producer "${spec.name}" has no KPL settings`);
    this.kpl = spec.kpl;
    this.name = spec.name;
    this.sim = context.sim;
    const target = context.target as Stream;
    this.stream = target;
    const base = `producer/${spec.name}`;
    this.traffic = context.random.stream(`${base}/traffic`);
    this.routeRng = context.random.stream(`${base}/route`);
    this.latencyRng = context.random.stream(`${base}/latency`);
    this.stopUs = Math.min(spec.stop ?? context.runEndUs, context.runEndUs);
    this.rate = rateFunction(spec.rate, spec.start, this.stopUs, context.runEndUs);
    this.keys = KeySpace.of(spec.partitionKey);
    this.maxRecordBytes = target.maxRecordSize;
    // Compression shrinks the data the application hands the KPL; the record-size limit applies to it.
    const size = compileDistribution({ ...spec.recordSize, clampMin: 0 });
    this.fullSize = size;
    const ratio = this.kpl.compressionRatio;
    const cut = size.splitAt((this.maxRecordBytes - this.keys.meanKeyBytes) / ratio);
    this.oversize = { share: cut.above, meanBytes: cut.aboveMean * ratio };
    this.sentSize = cut.below ?? size;
    this.latencySampler = compileDistribution({ ...spec.latency, clampMin: 0 });
    this.leakAtUs = context.leakAtUs ?? Number.POSITIVE_INFINITY;
    this.keyIdBase = context.index * 2 ** 24;
    this.map = new ShardMap(this.sim, target, this.keys);

    const tick = context.tickUs;
    this.sliceUs =
      tick === undefined
        ? 0
        : Math.min(tick, Math.max(US_PER_MS, Math.floor(this.kpl.recordMaxBufferedTime / 4)));
    const shards = Math.max(1, target.openCount);
    this.groups =
      tick === undefined
        ? spec.instances
        : groupsFor(spec.instances, Math.max(1, Math.min(Math.floor(AGGREGATOR_BUDGET / shards), 64)));
    this.instancesPerGroup = spec.instances / this.groups;
    this.scale = this.instancesPerGroup;
    this.maxConnections = this.kpl.maxConnections;
    this.collectionMaxCount = Math.max(1, Math.round(this.kpl.collectionMaxCount * this.scale));
    this.collectionMaxBytes = this.kpl.collectionMaxSize * this.scale;
    this.shardFlushBytes = SHARD_FLUSH_BYTES * this.scale;
    this.collectionExtensionUs = Math.round(
      Math.min(
        KPL_INTERNALS.collectionBufferMaxMs.value * MS,
        KPL_INTERNALS.collectionBufferRatio.value * this.kpl.recordMaxBufferedTime,
      ),
    );
    this.evenShares = new Float64Array(this.groups).fill(1 / this.groups);
    this.evenCounts = new Float64Array(this.groups);
    for (let i = 0; i < this.groups; i++) {
      const instance: Instance = {
        aggregators: new Map(),
        limiters: new Map(),
        collector: {
          items: [],
          krs: 0,
          bytes: 0,
          shardBytes: new Map(),
          timerAt: Number.POSITIVE_INFINITY,
          token: 0,
          onDeadline: (t) => this.flushCollector(instance, t),
        },
        inFlight: 0,
        waiting: [],
      };
      this.instances.push(instance);
    }
    if (tick === undefined)
      this.arrivals = new ArrivalClock(this.rate, spec.arrivals, this.traffic, this.stopUs);
    this.clientTable = {
      name: `kpl-${spec.name}`,
      columns: KplMetrics.COLUMNS,
      row: (time: number, lengthS: number): Cell[] =>
        this.metrics.row(time, lengthS, this.buffered + this.pendingRecords, this.heldUsers, this.heldKrs),
    };
  }

  start(): void {
    if (this.context.tickUs === undefined) {
      this.arrivals!.schedule(this.sim, this.spec.start, this.onArrival);
    } else {
      // Each slice's records join the buffers at its start, to be created over it (see `createdBy`).
      const slice = this.sliceUs;
      const first = Math.floor(this.spec.start / slice) * slice;
      if (first < this.stopUs) this.sim.at(first, this.onTick);
    }
  }

  inFlightRecords(): number {
    return this.buffered + this.pendingRecords;
  }

  bufferedRecords(): number {
    return this.buffered;
  }

  totalsNow(): WriteCounters {
    return sumOf(this.totals, this.interval);
  }

  closeInterval(): void {
    this.interval.addTo(this.totals);
    this.interval.reset();
    this.latency.closeInterval();
  }

  clientSummary(): KplSummary {
    const m = this.metrics.totalsNow();
    const t = this.totalsNow();
    const per = (a: number, b: number, digits = 3) => (b > 0 ? round(a / b, digits) : 0);
    return {
      kinesisRecordsPut: t.incomingRecords,
      kinesisBytesPut: t.incomingBytes,
      userRecordsPerKinesisRecord: per(m.usersSent, m.krsSent),
      kinesisRecordsPerRequest: per(m.krsSent, m.requests),
      putRecordsRequests: m.requests,
      putPayloadUnits: m.putUnits,
      billedBytes1k: m.bytes1k,
      bufferingTimeMsMean: per(m.bufferingUs / US_PER_MS, m.buffered),
      requestTimeMsMean: per(m.requestUs / US_PER_MS, m.requests),
      errorsThrottled: m.errorsThrottled,
      errorsExpired: m.errorsExpired,
      requestTimeouts: round(m.errorsTimeout, 3),
      wrongShard: m.wrongShard,
      userRecordsExpired: m.expired,
      retriesPerRecord: per(m.retries, m.finished, 6),
      rateLimiterHeldMax: m.heldMax,
    };
  }

  keyMassBetween(lo: number, hi: number): number {
    return this.keys.massBetween(lo, hi);
  }

  partitionKeyOf(keyId: number): string | undefined {
    return keyId >= this.keyIdBase ? this.keys.nameOf(keyId - this.keyIdBase) : undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Creating user records

  /** Record resolution: the user records arriving from now on while nothing else comes between. */
  private readonly onArrival = (now: number): void => {
    this.arrivals!.chain(this.sim, now, this.arrive, this.onArrival);
  };

  /** Record resolution: one user record, with its own key, size and instance. */
  private readonly arrive = (now: number): void => {
    const keyIndex = this.keys.sample(this.traffic);
    const position = keyIndex < 0 ? this.traffic.next() : 0;
    const data = Math.round(this.sentSizeSample() * this.kpl.compressionRatio);
    const keyBytes = this.keys.bytesOf(keyIndex);
    this.interval.produced++;
    this.interval.producedBytes += data + keyBytes;
    this.metrics.interval.received++;
    if (data + keyBytes > this.maxRecordBytes) {
      // The KPL refuses a record over the maximum size when it is added.
      this.interval.rejected++;
      this.interval.rejectedBytes += data + keyBytes;
      return;
    }
    const users = new Users(
      1,
      data,
      keyBytes,
      now,
      NO_SPREAD,
      keyIndex,
      position,
      now + this.kpl.recordMaxBufferedTime,
      now + this.kpl.recordTtl,
    );
    users.enteredUs = now;
    const instance =
      this.instances[
        this.instances.length === 1
          ? 0
          : this.spec.keyAffinity && keyIndex >= 0
            ? keyIndex % this.instances.length
            : this.traffic.int(this.instances.length)
      ]!;
    this.buffered++;
    this.predict(users);
    this.aggregate(instance, users, now);
  };

  /** Record resolution draws from the whole distribution and refuses records over the limit one by one. */
  private sentSizeSample(): number {
    return Math.max(0, Math.round(this.fullSize.sample(this.traffic)));
  }

  /**
   * Cohort resolution: at the start of each slice each group receives the records its instances
   * will create during it, split over the shards the map predicts, each shard's part as one piece
   * whose records are created evenly over the slice; the buffers send none before it exists.
   */
  private readonly onTick = (now: number): void => {
    const startUs = now;
    const end = Math.min(now + this.sliceUs, this.stopUs);
    const expected = this.rate.integral(startUs, end) / this.groups;
    if (this.spec.arrivals === "even") {
      this.evenCarry += expected * this.groups;
      const total = Math.floor(this.evenCarry);
      this.evenCarry -= total;
      if (this.groups === 1) this.evenCounts[0] = total;
      else multinomial(this.traffic, total, this.evenShares, this.evenCounts);
    }
    const map = this.map.current();
    const routing = map.routing;
    for (const [g, instance] of this.instances.entries()) {
      let count = this.spec.arrivals === "even" ? this.evenCounts[g]! : poisson(this.traffic, expected);
      if (count === 0) continue;
      this.interval.produced += count;
      this.metrics.interval.received += count;
      if (this.oversize.share > 0) {
        const rejected = binomial(this.traffic, count, this.oversize.share);
        const rejectedBytes = Math.round(rejected * (this.oversize.meanBytes + this.keys.meanKeyBytes));
        this.interval.rejected += rejected;
        this.interval.rejectedBytes += rejectedBytes;
        this.interval.producedBytes += rejectedBytes;
        count -= rejected;
        if (count === 0) continue;
      }
      const counts = this.splitOverShards(count, routing, map.version);
      for (let s = 0; s < counts.length; s++) {
        const n = counts[s]!;
        if (n === 0) continue;
        const data = Math.round(sumOfSizes(this.sentSize, n, this.traffic) * this.kpl.compressionRatio);
        const keyBytes = Math.round(n * routing.meanKeyBytes[s]!);
        this.interval.producedBytes += data + keyBytes;
        // Created evenly over the slice: record j at (j + ½)/n of the way.
        const oldest = Math.round(startUs + (end - startUs) / (2 * n));
        const users = new Users(
          n,
          data,
          keyBytes,
          end,
          { lo: 0, hi: end - startUs },
          -2,
          0,
          oldest + this.kpl.recordMaxBufferedTime,
          oldest + this.kpl.recordTtl,
        );
        users.enteredUs = Math.round(end - (end - startUs) / 2);
        users.predicted = s;
        users.mapVersion = map.version;
        this.buffered += n;
        this.aggregate(instance, users, now);
      }
    }
    if (end < this.stopUs) this.sim.at(end, this.onTick);
  };

  /** Predicts the shard of a record-resolution piece from the KPL's shard map. */
  private predict(users: Users): void {
    const map = this.map.current();
    users.mapVersion = map.version;
    users.predicted =
      users.keyIndex >= 0 ? map.routing.shardOfKey[users.keyIndex]! : map.shardOfFraction(users.position);
  }

  private splitOverShards(n: number, routing: KeyRouting, version: number): Float64Array {
    const shards = routing.shardProbabilities.length;
    if (this.shardCounts.length !== shards) this.shardCounts = new Float64Array(shards);
    const counts = this.shardCounts;
    if (shards === 1) {
      counts[0] = n;
      return counts;
    }
    if (n <= 12 * shards) {
      if (this.aliasFor?.version !== version)
        this.aliasFor = { version, table: new AliasTable(routing.shardProbabilities) };
      counts.fill(0);
      for (let i = 0; i < n; i++) {
        const s = this.aliasFor.table.sample(this.routeRng);
        counts[s] = counts[s]! + 1;
      }
    } else multinomial(this.routeRng, n, routing.shardProbabilities, counts);
    return counts;
  }

  // -------------------------------------------------------------------------------------------
  // Aggregation

  private aggregate(instance: Instance, users: Users, now: number): void {
    if (!this.kpl.aggregationEnabled) {
      // Each user record is a Kinesis record of its own, at once.
      this.toLimiter(instance, this.solo(users), now);
      return;
    }
    const key = shardKey(users.mapVersion, users.predicted);
    let agg = instance.aggregators.get(key);
    if (!agg) {
      const created: Aggregator = {
        index: users.predicted,
        mapVersion: users.mapVersion,
        items: [],
        users: 0,
        estimate: this.context.tickUs === undefined ? new AggregateEstimate() : undefined,
        timerAt: Number.POSITIVE_INFINITY,
        token: 0,
        onDeadline: (t) => this.flushAggregator(instance, created, false, t),
        fillToken: 0,
      };
      agg = created;
      instance.aggregators.set(key, agg);
    }
    if (agg.estimate) {
      agg.items.push(users);
      agg.users += users.count;
      agg.estimate.add(this.shapeOf(users));
      if (agg.users >= this.kpl.aggregationMaxCount || agg.estimate.bytes >= this.kpl.aggregationMaxSize)
        this.flushAggregator(instance, agg, true, now);
      else this.armDeadline(agg, now, users.deadlineUs);
      return;
    }
    agg.items.push(users);
    agg.users += users.count;
    this.checkFill(instance, agg, now);
  }

  /**
   * Cohort resolution: a group's buffer is full when `trigger` of its records exist (the
   * instances' buffers fill in step). Flushes it as often as it is full now, then sets the deadline
   * and a timer for when the records yet to be created will fill it.
   */
  private checkFill(instance: Instance, agg: Aggregator, now: number): void {
    const trigger = Math.max(1, Math.round(this.scale * this.fillOf(agg).trigger));
    let created = 0;
    for (const u of agg.items) created += u.createdBy(now);
    while (created >= trigger) {
      this.flushAggregator(instance, agg, true, now);
      created = 0;
      for (const u of agg.items) created += u.createdBy(now);
    }
    this.armDeadline(agg, now);
    if (agg.users < trigger) return;
    // Records still to come fill it: when the one that does is created (pieces are created one
    // after the other, oldest first).
    let need = trigger - created;
    let fillAt = Number.POSITIVE_INFINITY;
    for (const u of agg.items) {
      const future = u.count - u.createdBy(now);
      if (future <= 0) continue;
      if (need <= future) {
        fillAt = u.createdAt(u.count - future + need);
        break;
      }
      need -= future;
    }
    if (fillAt === Number.POSITIVE_INFINITY) return;
    const token = ++agg.fillToken;
    this.sim.at(Math.max(now, fillAt), (t) => {
      if (agg.fillToken === token) this.checkFill(instance, agg, t);
    });
  }

  /** A user record's shape for the size rules (record resolution). */
  private shapeOf(u: Users): UserShape {
    return {
      dataBytes: u.dataBytes,
      keyId: u.keyIndex,
      keyBytes: u.keyBytes,
      hashKeyBytes: u.keyIndex >= 0 ? this.keys.hashKeyBytesOf(u.keyIndex) : 0,
    };
  }

  private expectedFor(mapVersion: number, index: number): ExpectedAggregate {
    const key = shardKey(mapVersion, index);
    let e = this.expected.get(key);
    if (!e) {
      const keys = this.map.shardKeys(mapVersion, index);
      e = new ExpectedAggregate(keys, this.sentSize.mean * this.kpl.compressionRatio);
      this.expected.set(key, e);
    }
    return e;
  }

  private fillOf(agg: Aggregator): { trigger: number; keep: number } {
    return this.expectedFor(agg.mapVersion, agg.index).fill(
      this.kpl.aggregationMaxSize,
      this.kpl.aggregationMaxCount,
    );
  }

  /**
   * The Reducer's and the Collector's deadline rule: a buffer is flushed at its earliest record
   * deadline, at least 50 ms from now, the timer only ever moved earlier. `added` is the deadline
   * of the one item just added, when the others' are armed already: adding a record then does not
   * look at every record the buffer holds.
   */
  private armDeadline(buffer: DeadlineBuffer, now: number, added?: number): void {
    if (buffer.items.length === 0) {
      buffer.token++;
      buffer.timerAt = Number.POSITIVE_INFINITY;
      return;
    }
    let deadline = added ?? Number.POSITIVE_INFINITY;
    if (added === undefined) for (const item of buffer.items) deadline = Math.min(deadline, item.deadlineUs);
    const at = Math.ceil(Math.max(deadline, now + MIN_BUFFER_US));
    if (at >= buffer.timerAt) return;
    buffer.timerAt = at;
    const token = ++buffer.token;
    this.sim.at(at, (t) => {
      if (buffer.token !== token) return;
      buffer.timerAt = Number.POSITIVE_INFINITY;
      buffer.onDeadline(t);
    });
  }

  /**
   * Flushes an aggregation buffer: its records sorted by deadline, the longest prefix that fits
   * AggregationMaxSize/Count becomes a Kinesis record (several for a group); the rest stay.
   */
  private flushAggregator(instance: Instance, agg: Aggregator, full: boolean, now: number): void {
    agg.token++;
    agg.timerAt = Number.POSITIVE_INFINITY;
    if (agg.items.length === 0) return;
    agg.items.sort((a, b) => a.deadlineUs - b.deadlineUs);
    let kr: KinesisRecords;
    if (agg.estimate) {
      const shapes = agg.items.map((u) => this.shapeOf(u));
      const n = fittingPrefix(shapes, this.kpl.aggregationMaxSize, this.kpl.aggregationMaxCount);
      const taken = agg.items.splice(0, n);
      agg.users -= n;
      agg.estimate.clear();
      for (const u of agg.items) agg.estimate.add(this.shapeOf(u));
      const blob = accurateSize(shapes, n);
      const first = taken[0]!;
      const wire = n === 1 ? first.dataBytes + first.keyBytes : blob + AGGREGATED_KEY_BYTES;
      kr = this.kinesisRecords(1, taken, n, wire, blob);
    } else {
      // Records not created yet stay in the buffer.
      const future: Users[] = [];
      for (let i = agg.items.length - 1; i >= 0; i--) {
        const u = agg.items[i]!;
        const created = u.createdBy(now);
        if (created === u.count) continue;
        if (created === 0) agg.items.splice(i, 1);
        else agg.items[i] = u.takeOldest(created, this.kpl.recordMaxBufferedTime, this.kpl.recordTtl);
        future.push(u);
        agg.users -= u.count;
      }
      if (agg.items.length === 0) {
        agg.items.push(...future);
        agg.users += future.reduce((a, u) => a + u.count, 0);
        this.armDeadline(agg, now);
        return;
      }
      kr = this.flushGroup(agg, full);
      for (const u of future) {
        agg.items.push(u);
        agg.users += u.count;
      }
      if (!full) this.checkFill(instance, agg, now);
    }
    this.armDeadline(agg, now);
    this.toLimiter(instance, kr, now);
  }

  /**
   * Cohort resolution: what a group's buffer for one shard sends. Full (the size or count limit
   * reached in step): one Kinesis record per instance, each of the records one holds. On its
   * deadline: the instances' buffers hold the records at random — as many Kinesis records as
   * instances with a record, those holding one record sent without aggregation.
   */
  private flushGroup(agg: Aggregator, full: boolean): KinesisRecords {
    const e = this.expectedFor(agg.mapVersion, agg.index);
    const { keep } = this.fillOf(agg);
    const k = this.scale;
    const u = agg.users;
    let krs: number;
    let take: number;
    if (full) {
      krs = Math.max(1, Math.round(k));
      take = Math.min(u, krs * keep);
    } else {
      take = u;
      const holding = k <= 1 ? 1 : Math.round(k * (1 - (1 - 1 / k) ** u));
      krs = Math.min(u, Math.max(Math.ceil(u / keep), holding));
    }
    const taken = takeUsers(agg.items, take, {
      maxBufferedUs: this.kpl.recordMaxBufferedTime,
      ttlUs: this.kpl.recordTtl,
    });
    agg.users -= take;
    // Records alone in their instance's buffer: expected u(1 − 1/k)^(u−1); all of them when krs = u.
    const singles =
      krs >= take ? take : Math.min(krs - 1, Math.round(k <= 1 ? 0 : take * (1 - 1 / k) ** (take - 1)));
    const aggregated = krs - singles;
    const perAggregate = aggregated > 0 ? (take - singles) / aggregated : 0;
    let data = 0;
    let keyBytes = 0;
    for (const p of taken) {
      data += p.dataBytes;
      keyBytes += p.keyBytes;
    }
    const singleBytes = take > 0 ? (singles * (data + keyBytes)) / take : 0;
    const singleBlob = take > 0 ? (singles * data) / take : 0;
    const aggregateBlob = aggregated * e.accurate(perAggregate);
    const blob = Math.round(singleBlob + aggregateBlob);
    const wire = Math.round(singleBytes + aggregateBlob + aggregated * AGGREGATED_KEY_BYTES);
    return this.kinesisRecords(krs, taken, take, wire, blob);
  }

  /** Kinesis records holding one user record each (aggregation off, or a lone record). */
  private solo(users: Users): KinesisRecords {
    return this.kinesisRecords(users.count, [users], users.count, users.bytes, users.dataBytes);
  }

  private kinesisRecords(
    krs: number,
    users: Users[],
    userCount: number,
    wire: number,
    blob: number,
  ): KinesisRecords {
    let deadline = Number.POSITIVE_INFINITY;
    let expiry = Number.POSITIVE_INFINITY;
    for (const u of users) {
      deadline = Math.min(deadline, u.deadlineUs);
      expiry = Math.min(expiry, u.expiryUs);
    }
    const first = users[0]!;
    return new KinesisRecords(
      krs,
      users,
      userCount,
      wire,
      blob,
      first.predicted,
      first.mapVersion,
      deadline,
      expiry,
    );
  }

  // -------------------------------------------------------------------------------------------
  // Rate limiting

  private toLimiter(instance: Instance, kr: KinesisRecords, now: number): void {
    const key = shardKey(kr.mapVersion, kr.predicted);
    let limiter = instance.limiters.get(key);
    if (!limiter) {
      const rate = this.kpl.rateLimit / 100;
      limiter = {
        bucket: new ShardBucket(
          this.stream.recordsPerSecondLimit * this.scale,
          this.stream.bytesPerSecondLimit * this.scale,
          rate,
        ),
        queue: [],
      };
      instance.limiters.set(key, limiter);
    }
    limiter.queue.push(kr);
    this.heldUsers += kr.userCount;
    this.heldKrs += kr.krs;
    this.drain(instance, limiter, now);
    // Held means still waiting once the bucket has let through what it could.
    const m = this.metrics.interval;
    if (this.heldUsers > m.heldMax) m.heldMax = this.heldUsers;
  }

  /** Passes the limiter's Kinesis records on in order while its bucket has tokens. */
  private drain(instance: Instance, limiter: Limiter, now: number): void {
    const queue = limiter.queue;
    const expired: KinesisRecords[] = [];
    while (queue.length > 0) {
      const kr = queue[0]!;
      if (kr.expiryUs < now) {
        // Expired while held: its records go back to the buffers unless they expired themselves
        // (once the queue is drained: a retry can come back to this limiter).
        queue.shift();
        this.heldUsers -= kr.userCount;
        this.heldKrs -= kr.krs;
        this.buffered -= kr.userCount;
        this.metrics.interval.errorsExpired += kr.krs;
        expired.push(kr);
        continue;
      }
      const n = limiter.bucket.take(now, kr.krs, kr.blobBytes / kr.krs);
      if (n === 0) break;
      const passed = n === kr.krs ? queue.shift()! : splitKinesisRecords(kr, n);
      this.heldUsers -= passed.userCount;
      this.heldKrs -= passed.krs;
      this.toCollector(instance, passed, now);
    }
    if (queue.length > 0 && !this.pollScheduled) {
      this.pollScheduled = true;
      this.sim.schedule(LIMITER_DRAIN_US, this.poll);
    }
    for (const kr of expired) this.retry(instance, kr.users, now);
  }

  /** Every 25 ms while a limiter holds records: drain them all. */
  private readonly poll = (now: number): void => {
    this.pollScheduled = false;
    for (const instance of this.instances)
      for (const limiter of instance.limiters.values())
        if (limiter.queue.length > 0) this.drain(instance, limiter, now);
  };

  // -------------------------------------------------------------------------------------------
  // Collection

  private toCollector(instance: Instance, kr: KinesisRecords, now: number): void {
    if (this.kpl.aggregationEnabled)
      kr.deadlineUs = Math.min(Math.max(kr.deadlineUs, now + this.collectionExtensionUs), kr.expiryUs);
    const c = instance.collector;
    c.items.push(kr);
    c.krs += kr.krs;
    c.bytes += kr.wireBytes;
    const key = shardKey(kr.mapVersion, kr.predicted);
    const shardBytes = (c.shardBytes.get(key) ?? 0) + kr.blobBytes;
    c.shardBytes.set(key, shardBytes);
    if (
      c.krs >= this.collectionMaxCount ||
      c.bytes >= this.collectionMaxBytes ||
      shardBytes >= this.shardFlushBytes
    )
      this.flushCollector(instance, now);
    else this.armDeadline(c, now, kr.deadlineUs);
  }

  /** Sends the collector's Kinesis records, by deadline, as one PutRecords request within its limits. */
  private flushCollector(instance: Instance, now: number): void {
    const c = instance.collector;
    c.token++;
    c.timerAt = Number.POSITIVE_INFINITY;
    if (c.items.length === 0) return;
    c.items.sort((a, b) => a.deadlineUs - b.deadlineUs);
    const request: KinesisRecords[] = [];
    let krs = 0;
    let bytes = 0;
    while (c.items.length > 0) {
      const kr = c.items[0]!;
      const roomCount = this.collectionMaxCount - krs;
      const each = kr.wireBytes / kr.krs;
      const roomBytes = Math.floor((this.collectionMaxBytes - bytes) / Math.max(1, each));
      const fits = Math.min(kr.krs, roomCount, roomBytes);
      if (fits <= 0 && request.length > 0) break;
      const part = fits >= kr.krs ? c.items.shift()! : splitKinesisRecords(kr, Math.max(1, fits));
      request.push(part);
      krs += part.krs;
      bytes += part.wireBytes;
      const key = shardKey(part.mapVersion, part.predicted);
      c.shardBytes.set(key, (c.shardBytes.get(key) ?? 0) - part.blobBytes);
      if (part !== kr) break;
    }
    c.krs -= krs;
    c.bytes -= bytes;
    for (const [key, b] of c.shardBytes) if (b <= 0.5) c.shardBytes.delete(key);
    this.armDeadline(instance.collector, now);
    this.send(instance, request, now);
  }

  // -------------------------------------------------------------------------------------------
  // Requests

  private send(instance: Instance, request: KinesisRecords[], now: number): void {
    if (instance.inFlight < this.maxConnections) this.transmit(instance, request, now);
    else instance.waiting.push(request);
  }

  private transmit(instance: Instance, request: KinesisRecords[], now: number): void {
    instance.inFlight++;
    let users = 0;
    const m = this.metrics.interval;
    for (const kr of request) {
      users += kr.userCount;
      m.krsSent += kr.krs;
      m.usersSent += kr.userCount;
      for (const u of kr.users) {
        m.bufferingUs += (now - u.enteredUs) * u.count;
        m.buffered += u.count;
        u.attempts++;
      }
    }
    m.requests += this.scale;
    this.buffered -= users;
    this.pendingRecords += users;
    const latency = Math.round(this.latencySampler.sample(this.latencyRng));
    if (latency >= this.kpl.requestTimeout) {
      // No answer in time: every record goes back to the buffers (whether AWS wrote them is not
      // known to the client; kinesim takes it that it did not).
      this.sim.schedule(this.kpl.requestTimeout, (t) => {
        this.pendingRecords -= users;
        m.requestUs += this.kpl.requestTimeout * this.scale;
        this.metrics.interval.errorsTimeout += this.scale;
        for (const kr of request) {
          this.countFirstAttempts(kr.users, []);
          this.retry(instance, kr.users, t);
        }
        this.released(instance, t);
      });
      return;
    }
    this.sim.schedule(latency, (t) => {
      this.pendingRecords -= users;
      this.metrics.interval.requestUs += latency * this.scale;
      this.land(instance, request, t);
    });
  }

  private released(instance: Instance, now: number): void {
    instance.inFlight--;
    while (instance.inFlight < this.maxConnections && instance.waiting.length > 0)
      this.transmit(instance, instance.waiting.shift()!, now);
  }

  /** The response: each Kinesis record accepted by its shard, or throttled. */
  private land(instance: Instance, request: KinesisRecords[], now: number): void {
    const leak = now >= this.leakAtUs;
    if (leak)
      this.leakAtUs = Number.POSITIVE_INFINITY; // lose this request, deliberately unaccounted
    else for (const kr of request) this.write(instance, kr, now);
    this.released(instance, now);
  }

  private write(instance: Instance, kr: KinesisRecords, now: number): void {
    const stale = kr.mapVersion !== this.stream.topologyVersion;
    if (this.context.tickUs === undefined) {
      // The Kinesis record carries its first user record's hash key: that decides its shard.
      const first = kr.users[0]!;
      const s =
        first.keyIndex >= 0
          ? this.map.currentRouting().shardOfKey[first.keyIndex]!
          : this.stream.shardOfFraction(first.position);
      this.writePart(instance, s, kr.krs, kr.users, kr.userCount, kr.wireBytes, kr.blobBytes, stale, now);
      return;
    }
    if (!stale) {
      this.writePart(
        instance,
        kr.predicted,
        kr.krs,
        kr.users,
        kr.userCount,
        kr.wireBytes,
        kr.blobBytes,
        false,
        now,
      );
      return;
    }
    // Cohorts predicted under an old map land on the shards that now hold the old shard's range,
    // by the keys' mass there.
    const [lo, hi] = this.map.rangeOf(kr.mapVersion, kr.predicted);
    const probs = this.map.massWithin(lo, hi);
    const counts = new Float64Array(probs.length);
    multinomial(this.routeRng, kr.krs, probs, counts);
    let krsLeft = kr.krs;
    let usersLeft = kr.userCount;
    let wireLeft = kr.wireBytes;
    let blobLeft = kr.blobBytes;
    const pieces = kr.users;
    for (let s = 0; s < counts.length; s++) {
      const n = counts[s]!;
      if (n === 0) continue;
      const users = usersIn(krsLeft, usersLeft, n);
      const wire = n === krsLeft ? wireLeft : Math.round((wireLeft * n) / krsLeft);
      const blob = n === krsLeft ? blobLeft : Math.round((blobLeft * n) / krsLeft);
      const part = takeUsers(pieces, users);
      krsLeft -= n;
      usersLeft -= users;
      wireLeft -= wire;
      blobLeft -= blob;
      // A Kinesis record lands on the shard of its first user record's key, which lies here; each
      // other user record it holds lies here with the keys' mass (a record of one user is right).
      const rightShare = (n + (users - n) * probs[s]!) / users;
      this.writePart(instance, s, n, part, users, wire, blob, true, now, rightShare);
    }
  }

  /**
   * Writes `krs` Kinesis records holding `users` to open shard `s`; counts what was accepted and
   * retries the rest. `stale`: sent under an old shard map, so some user records may belong to
   * another shard (`rightShare` of them belong here, at cohort resolution).
   */
  private writePart(
    instance: Instance,
    s: number,
    krs: number,
    users: Users[],
    userCount: number,
    wire: number,
    blob: number,
    stale: boolean,
    now: number,
    rightShare = 1,
  ): void {
    let oldest = Number.POSITIVE_INFINITY;
    let newest = Number.NEGATIVE_INFINITY;
    let firstAttempt = true;
    for (const u of users) {
      oldest = Math.min(oldest, u.originUs - u.spread.hi);
      newest = Math.max(newest, u.originUs - u.spread.lo);
      if (u.attempts > 1) firstAttempt = false;
    }
    const first = users[0]!;
    const record = this.context.tickUs === undefined;
    const keyId =
      record && krs === 1 && userCount === 1 && first.keyIndex >= 0 ? this.keyIdBase + first.keyIndex : -1;
    const position = record
      ? first.keyIndex >= 0
        ? this.keys.positionOf(first.keyIndex)
        : first.position
      : -1;
    const members: Member[] | undefined =
      record && userCount > 1
        ? users.map((u) => ({
            keyId: u.keyIndex >= 0 ? this.keyIdBase + u.keyIndex : -1,
            originUs: u.originUs,
          }))
        : undefined;
    const accepted = this.stream.write(
      now,
      s,
      krs,
      wire,
      wire,
      newest,
      { lo: 0, hi: newest - oldest },
      keyId,
      position,
      firstAttempt,
      userCount,
      members,
    );
    const c = this.interval;
    const m = this.metrics.interval;
    c.putRecordsTotal += krs;
    c.putRecordsSuccessful += accepted;
    c.putRecordsThrottled += krs - accepted;
    c.throttled += krs - accepted;
    m.errorsThrottled += krs - accepted;
    const acceptedUsers = usersIn(krs, userCount, accepted);
    const acceptedWire = accepted === krs ? wire : Math.round((wire * accepted) / krs);
    const acceptedBlob = accepted === krs ? blob : Math.round((blob * accepted) / krs);
    const ok = takeUsers(users, acceptedUsers);
    const throttled = users;
    this.countFirstAttempts(ok, throttled);
    if (accepted > 0) {
      c.incomingRecords += accepted;
      c.incomingBytes += acceptedWire;
      m.krsPut += accepted;
      m.krsDataPut += acceptedBlob;
      const each = acceptedWire / accepted;
      m.putUnits += accepted * Math.ceil(each / PUT_UNIT_BYTES);
      m.bytes1k += accepted * Math.ceil(each / 1024) * 1024;
      let landed = ok;
      if (stale) {
        // Sent under an old map: the map is refreshed; records whose hash key is not in this
        // shard's range landed on the wrong shard and are sent again (the copy stays).
        this.map.invalidate(now, this.latencyRng, this.latencySampler);
        const [right, wrong] = this.splitRightShard(ok, s, rightShare);
        landed = right;
        if (wrong.length > 0) {
          let n = 0;
          for (const u of wrong) n += u.count;
          m.wrongShard += n;
          this.retry(instance, wrong, now);
        }
      }
      for (const u of landed) this.accept(u, now);
    }
    if (throttled.length > 0) {
      if (this.kpl.failIfThrottled) for (const u of throttled) this.fail(u);
      else this.retry(instance, throttled, now);
    }
  }

  /** Splits accepted pieces into those whose hash key lies in open shard `s` and the others. */
  private splitRightShard(pieces: Users[], s: number, rightShare: number): [Users[], Users[]] {
    if (this.context.tickUs === undefined) {
      const lo = this.stream.open[s]!.startFraction;
      const hi = s + 1 < this.stream.open.length ? this.stream.open[s + 1]!.startFraction : 1;
      const right: Users[] = [];
      const wrong: Users[] = [];
      for (const u of pieces) {
        const p = u.keyIndex >= 0 ? this.keys.positionOf(u.keyIndex) : u.position;
        (p >= lo && p < hi ? right : wrong).push(u);
      }
      return [right, wrong];
    }
    let total = 0;
    for (const u of pieces) total += u.count;
    const rightCount = Math.round(total * rightShare);
    const right = takeUsers(pieces, rightCount);
    return [right, pieces];
  }

  private countFirstAttempts(ok: readonly Users[], throttled: readonly Users[]): void {
    const c = this.interval;
    for (const u of ok) if (u.attempts === 1) c.firstAttempts += u.count;
    for (const u of throttled)
      if (u.attempts === 1) {
        c.firstAttempts += u.count;
        c.firstAttemptsThrottled += u.count;
      }
  }

  private accept(u: Users, now: number): void {
    const c = this.interval;
    c.accepted += u.count;
    c.acceptedBytes += u.bytes;
    this.latency.recordSpread(now - u.originUs, u.count, u.spread);
    const m = this.metrics.interval;
    m.usersPut += u.count;
    m.usersDataPut += u.dataBytes;
    m.finished += u.count;
    m.retries += (u.attempts - 1) * u.count;
  }

  private fail(u: Users): void {
    this.interval.dropped += u.count;
    this.interval.droppedBytes += u.bytes;
    const m = this.metrics.interval;
    m.finished += u.count;
    m.retries += Math.max(0, u.attempts - 1) * u.count;
  }

  /**
   * Sends failed user records back to aggregation (the Retrier): those past RecordTtl fail as
   * expired; the others get a deadline of half RecordMaxBufferedTime from now, capped by expiry.
   */
  private retry(instance: Instance, pieces: Users[], now: number): void {
    const ttl = this.kpl.recordTtl;
    for (const piece of pieces) {
      let u = piece;
      // The part of the piece created more than RecordTtl ago has expired.
      const oldest = u.originUs - u.spread.hi;
      const newest = u.originUs - u.spread.lo;
      let expired = 0;
      if (now > newest + ttl) expired = u.count;
      else if (now > oldest + ttl && newest > oldest)
        expired = Math.min(u.count, Math.floor((u.count * (now - ttl - oldest)) / (newest - oldest)));
      if (expired > 0) {
        const gone = expired === u.count ? u : u.splitOff(expired);
        this.metrics.interval.expired += gone.count;
        this.fail(gone);
        if (gone === u) continue;
        // The rest were created after now − ttl.
        const newOldest = now - ttl;
        u.spread = { lo: u.spread.lo, hi: Math.max(u.spread.lo, u.originUs - newOldest) };
        u.expiryUs = newOldest + ttl;
        u = piece;
      }
      // What survives has not expired now (a piece's expiry is its oldest record's, and rounding
      // may leave a few of those): it must not come straight back to the limiter as expired.
      u.expiryUs = Math.max(u.expiryUs, now);
      u.deadlineUs = Math.min(now + Math.round(this.kpl.recordMaxBufferedTime / 2), u.expiryUs);
      u.enteredUs = now;
      this.interval.retried += u.count;
      this.buffered += u.count;
      this.repredict(u);
      this.aggregate(instance, u, now);
    }
  }

  /** A retried piece's shard under the map as it is now. */
  private repredict(u: Users): void {
    const map = this.map.current();
    if (u.mapVersion === map.version) return;
    if (this.context.tickUs === undefined) {
      this.predict(u);
      return;
    }
    // A cohort predicted under an old map: its records lie in the old shard's range; the new map
    // puts them on the shards holding it now — the largest part of the mass, for the whole piece.
    const [lo, hi] = this.map.rangeOf(u.mapVersion, u.predicted);
    const probs = this.map.massWithin(lo, hi);
    let best = 0;
    for (let s = 1; s < probs.length; s++) if (probs[s]! > probs[best]!) best = s;
    u.predicted = best;
    u.mapVersion = map.version;
  }
}

/** PUT payload unit (25 KB). */
const PUT_UNIT_BYTES = 25 * 1024;

/**
 * Takes the first `n` user records off `pieces` (splitting one if needed), returning them. With
 * `timing`, a new piece is split in time (the records that stay are the newer ones).
 */
function takeUsers(pieces: Users[], n: number, timing?: { maxBufferedUs: number; ttlUs: number }): Users[] {
  const taken: Users[] = [];
  let left = n;
  while (left > 0 && pieces.length > 0) {
    const p = pieces[0]!;
    if (p.count <= left) {
      taken.push(pieces.shift()!);
      left -= p.count;
    } else {
      taken.push(timing ? p.takeOldest(left, timing.maxBufferedUs, timing.ttlUs) : p.splitOff(left));
      left = 0;
    }
  }
  return taken;
}

/** Takes the first `n` of a cohort's Kinesis records off it (their share of its user records). */
function splitKinesisRecords(kr: KinesisRecords, n: number): KinesisRecords {
  const users = usersIn(kr.krs, kr.userCount, n);
  const wire = Math.round((kr.wireBytes * n) / kr.krs);
  const blob = Math.round((kr.blobBytes * n) / kr.krs);
  const taken = takeUsers(kr.users, users);
  kr.krs -= n;
  kr.userCount -= users;
  kr.wireBytes -= wire;
  kr.blobBytes -= blob;
  return new KinesisRecords(
    n,
    taken,
    users,
    wire,
    blob,
    kr.predicted,
    kr.mapVersion,
    kr.deadlineUs,
    kr.expiryUs,
  );
}
