// A producer fleet: `instances` clients creating records at the profile's rate, batching them
// into PutRecords requests (or sending PutRecord calls) with a linger time and a limit of
// requests in flight, and resending what a shard throttles with the retry policy — holding the
// request's slot meanwhile, as an SDK send loop does — until it is accepted or dropped.
//
// One pipeline serves both resolutions; only what flows through it differs. At record
// resolution each instance is simulated and every record is a piece of its own, with its key and
// creation time: a row of its batch's columns (RecordColumns), with the same steps written for
// rows (arriveInColumns … retryColumns), unless a record must be an object of its own (per-key
// ordering, the SDK's retry quota). At cohort resolution the fleet is simulated as a few groups
// of instances acting in step, and each group receives, at the end of every tick, one piece
// holding the records created in that tick; a request's pieces are merged into one cohort and
// split over the shards by the key distribution when it lands. Sparse clients — each creating a
// record or two per linger time — are not pooled: their batches are modelled one by one, in
// aggregate (see SparseClients).

import { KINESIS, SDK_V3_STANDARD_RETRY } from "../data/kinesis-limits.js";
import { AliasTable } from "../engine/alias-table.js";
import { binomial, multinomial, poisson } from "../engine/counts.js";
import { compileDistribution, type Sampler } from "../engine/distributions.js";
import type { RandomStream, RandomStreams } from "../engine/random.js";
import type { Simulation } from "../engine/simulation.js";
import { US_PER_S } from "../engine/time.js";
import { IntervalHistogram, NO_SPREAD, type Spread } from "../metrics/latency-histogram.js";
import { sumOf, WriteCounters } from "../metrics/write-counters.js";
import type { ResolvedProducer } from "../scenario/schema.js";
import { type KeyRouting, KeySpace } from "./keys.js";
import { prefixBytes } from "./limiter.js";
import type { ClientTable, ProducerFleet } from "./producer-fleet.js";
import { type RecordColumns, RecordColumnsPool } from "./record-columns.js";
import { type DrawChunk, type DrawPlan, type DrawSource, InlineDraws, RecordDraws } from "./record-draws.js";
import { peakRate, pooledGroups, sparsePooling, sparseStretchUs } from "./resolution.js";
import { backoffDelay } from "./retry.js";
import { ArrivalClock, type RateFunction, rateFunction } from "./traffic.js";
import type { DeferredWriter, WriteTarget } from "./write-target.js";

/** Records travelling together: one record at record resolution, many at cohort resolution. */
export class Cohort {
  constructor(
    public count: number,
    /** Bytes, partition keys included. */
    public bytes: number,
    /** Reference time of the records' creation: each was created `offset` µs before it. */
    public originUs: number,
    public spread: Spread,
    /** Attempt this cohort is on (1 = first). */
    public attempt: number,
    /** Named key index, −1 for a random key (record resolution), −2 for a mix (cohorts). */
    public keyIndex: number,
    /** Hash-space position of a random key, in [0, 1). */
    public position: number,
    /** Open-shard index once routed (−1 before), valid for `topologyVersion`. */
    public shardIndex: number,
    public topologyVersion: number,
    public previousBackoffUs: number,
  ) {}

  /** Hash-space range (fractions) of the shard a cohort part was routed to, for re-routing after a reshard. */
  rangeLo = 0;
  rangeHi = 0;
}

/**
 * A client instance (record resolution) or a group of instances acting in step (cohort
 * resolution). A batch is sent when its linger time is up — or it is full — and an in-flight slot
 * is free; while it waits for a slot it keeps taking records until full. Full batches queue.
 */
interface Instance {
  buffer: Cohort[];
  bufferRecords: number;
  bufferBytes: number;
  /** The open batch's linger time is up. */
  lingerDue: boolean;
  /** Bumped when a batch closes, so a stale linger timer does nothing. */
  batchToken: number;
  /** Closed batches waiting for an in-flight slot. */
  queue: Cohort[][];
  queuedRecords: number;
  inFlight: number;
  /** The SDK's retry quota of this client, in tokens (PutRecord calls; see RetryPolicy.retryQuota). */
  retryTokens: number;
  /** Record resolution in columns (see Producer.columns): the open batch, and closed ones waiting
   *  for an in-flight slot (then `buffer` and `queue` stay empty). */
  records: RecordColumns | undefined;
  recordQueue: RecordColumns[];
}

/**
 * Cohort resolution for sparse clients, each creating fewer than a few records per linger time: a
 * client's batch opens with its first record and is sent when its linger time is up, so that
 * record waits the whole linger time and the few that join it less. The fleet is followed as
 * counts of clients — idle (no open batch), with a batch open, with a closed batch waiting for a
 * free in-flight slot — and each stretch's newly opened batches travel as one cohort of batches:
 * their opening records, and the records that joined them, drawn when they close.
 */
interface SparseClients {
  clients: number;
  /** Clients without an open batch: their next record opens one. */
  idle: number;
  /** In-flight slots held (one per client batch on the wire or backing off), of clients × maxInFlight. */
  inUse: number;
  /** The same by the start of the stretch their requests were first sent in, oldest first. */
  held: Map<number, number>;
  /** Opening records of batches still open. */
  openRecords: number;
  /** Closed batches whose clients' slots are all busy, oldest first; they keep taking records. */
  waiting: WaitingBatches[];
  waitingRecords: number;
  /** Batches opened within one stretch travel together. */
  stretchUs: number;
  /** The stream's topology the stretch length was chosen for: chosen again when shards change. */
  stretchTopology: number;
  /** Start and end of the current stretch. */
  stretchStartUs: number;
  stretchEndUs: number;
  /** The fleet's peak rate over the run, records/s (for the stretch length). */
  peak: number;
  /** Expected batches opened by clients that went idle during the current stretch, after its start. */
  carry: number;
}

/** Closed batches of sparse clients waiting for slots: their records so far, and since when more join. */
interface WaitingBatches {
  batches: number;
  /** When the batches opened: only requests sent by then can be what they wait for. */
  openUs: number;
  openers: Cohort;
  joined: Cohort | undefined;
  sinceUs: number;
}

/** In-flight slots a request holds until it is done, when it was first sent, and the start of
 *  the stretch it was sent in (sparse clients). */
interface SlotHold {
  slots: number;
  sentUs: number;
  stretchStartUs: number;
}

/** Numbers a shard in a landing request's parts (see Producer.landParts). */
const LAND_PART = 5;

/** A client's or group's request: one slot. */
const ONE_SLOT: SlotHold = { slots: 1, sentUs: 0, stretchStartUs: 0 };

/** Run-wide settings a producer needs. */
export interface ProducerContext {
  sim: Simulation;
  /** Where the producer's requests go. */
  target: WriteTarget;
  random: RandomStreams;
  runEndUs: number;
  /** Cohort tick in µs, or undefined for record resolution. */
  tickUs: number | undefined;
  /** Test hook: lose the records of the first landing at or after this time without a trace. */
  leakAtUs?: number;
  /** Test hook: every record an object of its own at record resolution, never columns. */
  recordsAsObjects?: boolean;
  /** Position of this producer in the scenario (keys of different producers are different keys). */
  index: number;
  /** Creates no records of its own: records come only through `inject` (an application's output). */
  external?: boolean;
  /** Where a producer in columns takes its records' draws from (see record-draws.ts), or
   *  undefined to draw them in its own thread. */
  drawSource?: (plan: DrawPlan) => DrawSource | undefined;
}

/** A tick's records of one group, created uniformly over [startUs, endUs), fed as they come. */
interface TickRecords {
  count: number;
  bytes: number;
  startUs: number;
  endUs: number;
  /** Where in its 1/count of the tick each record falls, in [0, 1): record j at (j + phase)/count. */
  phase: number;
  /** Records (and bytes) already handed to the group's batches. */
  fed: number;
  bytesFed: number;
}

/** Tokens a retry after a throttling error takes from the SDK's retry quota. */
const THROTTLING_RETRY_COST = SDK_V3_STANDARD_RETRY.throttlingRetryCost.value;

/** Pieces an open batch waiting for a slot holds before those already created are merged. */
const MERGE_WAITING_PIECES = 32;

/** A tick's last records that join a batch one by one, each at its own moment of creation. */
const FEW_RECORDS = 4;
/** Largest cohort whose record sizes are drawn one by one; above it the sum is drawn as a normal. */
const EXACT_SIZE_SUM_LIMIT = 16;

/** Sum of `count` sizes drawn from `size` (exact for a few records, a normal for many). */
export function sumOfSizes(size: Sampler, count: number, rng: RandomStream): number {
  // One size for every record (a constant): no draws to make.
  if (size.variance === 0) return count * Math.round(size.mean);
  if (count <= EXACT_SIZE_SUM_LIMIT) {
    let sum = 0;
    for (let i = 0; i < count; i++) sum += Math.round(size.sample(rng));
    return sum;
  }
  const sum = count * size.mean + Math.sqrt(count * size.variance) * rng.normal();
  return Math.max(0, Math.round(sum));
}

/** A producer fleet using an AWS SDK send loop. */
export class Producer implements ProducerFleet, DeferredWriter {
  readonly name: string;
  /** Counters of the current interval and of the run. */
  readonly interval = new WriteCounters();
  readonly totals = new WriteCounters();
  /** Creation-to-acceptance latency of the current interval, and of the run. */
  readonly latency = new IntervalHistogram();
  /** Records on the wire or waiting out a backoff. */
  pendingRecords = 0;
  /** The Kinesis Agent's own metrics (client: agent), one row per interval. */
  readonly clientTable?: ClientTable;
  /** Simulated instances: every instance (records) or groups of instances (cohorts). */
  readonly groups: number;
  /** Instances each simulated one stands for. */
  readonly instancesPerGroup: number;
  /** Even arrivals at cohort resolution: the fleet's fraction of a record carried between ticks,
   *  and each group's share and count of a tick's records. */
  private evenCarry = 0;
  private evenShares = new Float64Array(0);
  private evenCounts = new Float64Array(0);

  private readonly sim: Simulation;
  private readonly stream: WriteTarget;
  private readonly rate: RateFunction;
  /** Record data sizes as the scenario gives them (record resolution draws from it). */
  private readonly size: Sampler;
  /** Data sizes of the records within the target's maximum record size (cohorts draw from it). */
  private readonly sentSize: Sampler;
  /**
   * Records over the target's maximum record size: their share and mean data size. The API
   * rejects them with a validation error, never retried: they count as rejected, not throttled.
   */
  private readonly oversize: { share: number; meanBytes: number };
  private readonly maxRecordBytes: number;
  private readonly keys: KeySpace;
  private readonly latencySampler: Sampler;
  private readonly traffic: RandomStream;
  private readonly routeRng: RandomStream;
  private readonly retryRng: RandomStream;
  private readonly latencyRng: RandomStream;
  private readonly stopUs: number;
  private readonly putRecordApi: boolean;
  /** The SDK's retry quota is modelled: single-record calls with a finite quota (sdk-v3-standard). */
  private readonly quotaApplies: boolean;
  /** Charged/actual bytes for PutRecord (each record rounded up to 1 KB for throttling). */
  private readonly roundingFactor: number;
  private readonly maxBatchRecords: number;
  private readonly maxBatchBytes: number;
  private readonly lingerUs: number;
  private routing: KeyRouting | undefined;
  private routingVersion = -1;
  private shardAlias: AliasTable | undefined;
  private shardCounts = new Float64Array(0);
  /** Cohort resolution: whole first-attempt requests may be taken in full by the stream, their
   *  shards drawn and written later (WriteTarget.takeWhole). */
  private readonly defers: boolean;
  /** Requests the stream took whole whose shards are not drawn yet: their records and bytes. */
  private readonly heldCounts: number[] = [];
  private readonly heldBytes: number[] = [];
  /** When they are settled: their split over the shards. */
  private settleSplit = new Float64Array(0);
  /** Record resolution in columns: a landing request's part on each shard — records and bytes
   *  offered, records and bytes accepted, charged bytes offered: LAND_PART numbers a shard — and
   *  the shards it reached, in the order it reached them; counted once a shard after its last
   *  record (see landPartsColumns). What a shard took whole is settled by its own write first. */
  private landParts = new Float64Array(0);
  private landShards = new Int32Array(0);
  /** The shards whose part of the landing request was taken whole (1), and each record's shard. */
  private landWhole = new Uint8Array(0);
  private landShardOf = new Int32Array(0);
  /** The second (plus one) in which each shard last refused a landing request's part whole, and
   *  how many shards did in `refusedSecond`. */
  private landRefused = new Float64Array(0);
  private refusedSecond = -1;
  private refusedShards = 0;
  private leakAtUs: number;
  private readonly instances: Instance[] = [];
  private arrivals: ArrivalClock | undefined;
  /** Added to key indices to make key ids unique across producers. */
  private readonly keyIdBase: number;
  /** Records carry partition keys (Kinesis streams); delivery streams take bare data blobs. */
  private readonly keyed: boolean;
  /** Injected batches so far (they go to the instances in turn). */
  private injected = 0;
  /** ordering: per-key — keys with a record in the pipeline, and the records waiting behind it. */
  private readonly perKey: boolean;
  private readonly keyHeld = new Set<number>();
  private readonly keyWaiting = new Map<number, { instance: Instance; record: Cohort }[]>();
  private keyWaitingRecords = 0;
  /** Cohort resolution for sparse clients (see SparseClients). */
  private readonly sparse: SparseClients | undefined;
  private readonly slotRng: RandomStream;
  /**
   * Record resolution without an object per record: batches as columns, used again once done.
   * Every producer at record resolution goes this way but those that need a record as an object
   * of its own: per-key ordering (a record waits behind its key's) and the SDK's retry quota
   * (credited per call). The two ways make the same draws in the same order and give the same
   * output (see test/model/record-columns.test.ts).
   */
  private readonly columns: RecordColumnsPool | undefined;

  constructor(
    readonly spec: ResolvedProducer,
    private readonly context: ProducerContext,
  ) {
    this.name = spec.name;
    this.sim = context.sim;
    this.stream = context.target;
    const base = `producer/${spec.name}`;
    this.traffic = context.random.stream(`${base}/traffic`);
    this.routeRng = context.random.stream(`${base}/route`);
    this.retryRng = context.random.stream(`${base}/retry`);
    this.latencyRng = context.random.stream(`${base}/latency`);
    this.slotRng = context.random.stream(`${base}/slots`);
    this.stopUs = Math.min(spec.stop ?? context.runEndUs, context.runEndUs);
    this.rate = rateFunction(spec.rate, spec.start, this.stopUs, context.runEndUs);
    this.keys = KeySpace.of(spec.partitionKey);
    this.keyed = this.stream.keyedRecords;
    this.perKey = spec.ordering === "per-key" && context.tickUs === undefined;
    this.size = compileDistribution({ ...spec.recordSize, clampMin: 0 });
    this.maxRecordBytes = this.stream.maxRecordSize;
    if (spec.client === "agent") this.clientTable = this.agentTable();
    // The limit counts data and partition key; cohorts use the mean key size.
    const cut = this.size.splitAt(this.maxRecordBytes - (this.keyed ? this.keys.meanKeyBytes : 0));
    this.oversize = { share: cut.above, meanBytes: cut.aboveMean };
    this.sentSize = cut.below ?? this.size;
    this.latencySampler = compileDistribution({ ...spec.latency, clampMin: 0 });
    this.putRecordApi = spec.api === "PutRecord" || spec.api === "SendMessage";
    this.quotaApplies = spec.api === "PutRecord" && Number.isFinite(spec.retry.retryQuota);
    this.roundingFactor =
      this.putRecordApi && this.stream.roundsSingleRecordCalls
        ? kbRoundingFactor(this.sentSize, this.keys.meanKeyBytes)
        : 1;
    this.leakAtUs = context.leakAtUs ?? Number.POSITIVE_INFINITY;
    // PutRecord's calls are charged per rounded record, so their bytes are not the limiter's.
    this.defers = context.tickUs !== undefined && !this.putRecordApi && this.stream.takeWhole !== undefined;
    this.keyIdBase = context.index * 2 ** 24;

    const tick = context.tickUs;
    const linger = this.putRecordApi ? 0 : spec.batch.linger;
    this.lingerUs = linger;
    const pooling =
      tick === undefined || context.external ? undefined : sparsePooling(spec, tick, context.runEndUs);
    if (pooling?.perClientBatches) {
      const peak = peakRate(spec, context.runEndUs) ?? 0;
      this.sparse = {
        clients: spec.instances,
        idle: spec.instances,
        inUse: 0,
        held: new Map(),
        openRecords: 0,
        waiting: [],
        waitingRecords: 0,
        stretchUs: this.chooseStretchUs(tick!, linger, peak),
        stretchTopology: this.stream.topologyVersion,
        stretchStartUs: 0,
        stretchEndUs: 0,
        peak,
        carry: 0,
      };
    }
    // Cohort resolution: the fleet is simulated as groups of instances acting in step — up to 64
    // groups at a 10 ms tick, fewer at coarser ones unless their requests would land as lumps —
    // each group as near a whole number of instances as the budget allows (100 instances: 50
    // groups of 2, not 64 of 1.56); see pooledGroups. Single-record clients are not grouped: each
    // is a queue of its own in front of its slots, and k of them pooled as one would wait less
    // than they do (a group of k half-busy PutRecord clients put p50 at 35 ms where each on its
    // own gives 56 ms).
    this.groups = this.sparse
      ? 1
      : tick === undefined || this.putRecordApi
        ? spec.instances
        : pooledGroups(spec, tick, this.stream.open.length, context.runEndUs);
    this.instancesPerGroup = spec.instances / this.groups;
    // A group of k instances in step sends one request of k batches from each of its slots.
    this.maxBatchRecords = this.putRecordApi
      ? 1
      : Math.max(1, Math.round(spec.batch.maxRecords * this.instancesPerGroup));
    this.maxBatchBytes = this.putRecordApi
      ? this.stream.maxRecordSize
      : spec.batch.maxBytes * this.instancesPerGroup;
    this.evenShares = new Float64Array(this.groups).fill(1 / this.groups);
    this.evenCounts = new Float64Array(this.groups);
    for (let i = 0; i < this.groups; i++) {
      this.instances.push({
        buffer: [],
        bufferRecords: 0,
        bufferBytes: 0,
        lingerDue: false,
        batchToken: 0,
        queue: [],
        queuedRecords: 0,
        inFlight: 0,
        retryTokens: spec.retry.retryQuota,
        records: undefined,
        recordQueue: [],
      });
    }
    if (tick === undefined)
      this.arrivals = new ArrivalClock(this.rate, spec.arrivals, this.traffic, this.stopUs);
    this.columns =
      tick === undefined &&
      !this.perKey &&
      !this.quotaApplies &&
      !context.external &&
      !context.recordsAsObjects
        ? new RecordColumnsPool(this.maxBatchRecords)
        : undefined;
  }

  /** Starts producing. */
  start(): void {
    if (this.context.external) return;
    const tick = this.context.tickUs;
    if (tick === undefined) {
      // The records' draws, made ahead (in a thread of their own where the run has one for them).
      const plan: DrawPlan = {
        seed: this.context.random.seed,
        stream: this.traffic.name,
        producer: this.spec,
        stopUs: this.stopUs,
        runEndUs: this.context.runEndUs,
        keyed: this.keyed,
        maxRecordBytes: this.maxRecordBytes,
      };
      // Records as objects (per-key ordering, the retry quota) draw in the producer's own thread.
      this.drawSource =
        (this.columns ? this.context.drawSource?.(plan) : undefined) ??
        new InlineDraws(new RecordDraws(this.arrivals!, this.traffic, this.keys, this.size, plan));
      this.drawn = this.drawSource.next();
      if (this.drawn.n > 0) this.sim.at(this.drawn.timeUs[0]!, this.onDrawn);
    } else {
      // Each tick event adds the records created during the tick that just ended.
      const first = Math.floor(this.spec.start / tick) * tick;
      if (first < this.stopUs) this.sim.at(first, this.sparse ? this.onSparseStretch : this.onTick);
    }
  }

  /** Whether its records travel as rows of columns, not objects (record resolution; see `columns`). */
  get recordsInColumns(): boolean {
    return this.columns !== undefined;
  }

  /** Records created but not yet accepted or dropped: buffered, queued, on the wire, backing off. */
  inFlightRecords(): number {
    return this.bufferedRecords() + this.pendingRecords;
  }

  /** Probability that one of this producer's records has its key in the hash-space range [lo, hi). */
  keyMassBetween(lo: number, hi: number): number {
    return this.keys.massBetween(lo, hi);
  }

  /** The partition key of a key id this producer gave its records, if it is one of its named keys. */
  partitionKeyOf(keyId: number): string | undefined {
    return keyId >= this.keyIdBase ? this.keys.nameOf(keyId - this.keyIdBase) : undefined;
  }

  /** Records created but not sent yet: in client buffers and send queues. */
  bufferedRecords(): number {
    let n = 0;
    for (const instance of this.instances) n += instance.bufferRecords + instance.queuedRecords;
    if (this.sparse) n += this.sparse.openRecords + this.sparse.waitingRecords;
    return n + this.keyWaitingRecords;
  }

  /** The run's counters so far, the open interval included. */
  totalsNow(): WriteCounters {
    return sumOf(this.totals, this.interval);
  }

  /** Closes the interval: adds its counters to the totals and clears them. */
  closeInterval(): void {
    this.interval.addTo(this.totals);
    this.interval.reset();
    this.latency.closeInterval();
  }

  /**
   * The Kinesis Agent's CloudWatch metrics (namespace AWSKinesisAgent) from the interval's
   * counters: data bytes of the lines put (keys not counted), lines in requests (retries again),
   * lines failed in a response, and calls that failed as a whole (never, in kinesim's model).
   */
  private agentTable(): ClientTable {
    const keyBytes = this.keyed ? this.keys.meanKeyBytes : 0;
    return {
      name: `agent-${this.name}`,
      columns: ["Time", "BytesSent", "RecordSendAttempts", "RecordSendErrors", "ServiceErrors"],
      row: (time: number) => {
        const c = this.interval;
        return [
          time,
          Math.round(c.acceptedBytes - c.accepted * keyBytes),
          c.putRecordsTotal,
          c.putRecordsThrottled,
          0,
        ];
      },
    };
  }

  /**
   * Hands the producer `count` records (`bytes` in all) that an application created — an
   * analytics application's window output — as if its clients had created them at `originUs`
   * (each `spread` before it). They are batched, sent and retried like the producer's own records.
   */
  inject(count: number, bytes: number, originUs: number, spread: Spread): void {
    if (count <= 0) return;
    const now = this.sim.nowUs;
    this.interval.produced += count;
    this.interval.producedBytes += bytes;
    const instance = this.instances[this.injected++ % this.instances.length]!;
    if (this.context.tickUs !== undefined) {
      this.addToBatch(instance, new Cohort(count, bytes, originUs, spread, 1, -2, 0, -1, -1, 0), now);
    } else {
      let left = bytes;
      for (let i = 0; i < count; i++) {
        const own = i === count - 1 ? left : Math.round(bytes / count);
        left -= own;
        const keyIndex = this.keys.sample(this.traffic);
        const position = keyIndex < 0 ? this.traffic.next() : 0;
        this.addToBatch(
          instance,
          new Cohort(1, own, originUs, spread, 1, keyIndex, position, -1, -1, 0),
          now,
        );
      }
    }
    this.pump(instance);
  }

  // -------------------------------------------------------------------------------------------
  // Creating records

  /** Record resolution: where the records' draws come from, the chunk being taken and the next
   *  record of it. */
  private drawSource: DrawSource | undefined;
  private drawn: DrawChunk | undefined;
  private drawnAt = 0;

  /**
   * Record resolution: the drawn record due now arrives, then each next at once while it is the
   * simulation's very next event, as ArrivalClock.chain (the first that is not is scheduled): the
   * same events in the same order as a chain of the clock's own draws.
   */
  private readonly onDrawn = (now: number): void => {
    const sim = this.sim;
    const columns = this.columns !== undefined;
    let chunk = this.drawn!;
    let i = this.drawnAt;
    for (let t = now; ; ) {
      if (columns) this.arriveInColumns(t, chunk, i);
      else this.arrive(t, chunk, i);
      i++;
      if (i === chunk.n) {
        if (chunk.last) return;
        chunk = this.drawSource!.next();
        this.drawn = chunk;
        i = 0;
        if (chunk.n === 0) return;
      }
      const at = chunk.timeUs[i]!;
      if (!sim.advanceTo(at)) {
        this.drawnAt = i;
        sim.at(at, this.onDrawn);
        return;
      }
      t = at;
    }
  };

  /** Record resolution: counts drawn record `i` of `chunk` as produced; returns its bytes, or −1
   *  when it is over the target's largest record (rejected). */
  private countDrawn(chunk: DrawChunk, i: number): number {
    const bytes = chunk.bytes[i]!;
    this.interval.produced++;
    this.interval.producedBytes += bytes;
    if (bytes > this.maxRecordBytes) {
      this.interval.rejected++;
      this.interval.rejectedBytes += bytes;
      return -1;
    }
    return bytes;
  }

  /** Record resolution: drawn record `i` of `chunk` as an object of its own, with its own key,
   *  size and instance. */
  private arrive(now: number, chunk: DrawChunk, i: number): void {
    const bytes = this.countDrawn(chunk, i);
    if (bytes < 0) return;
    const keyIndex = chunk.keyIndex[i]!;
    const record = new Cohort(1, bytes, now, NO_SPREAD, 1, keyIndex, chunk.position[i]!, -1, -1, 0);
    const instance = this.instances[chunk.instance[i]!]!;
    if (this.perKey && keyIndex >= 0 && this.keyHeld.has(keyIndex)) {
      // A record of this key is on its way: this one waits behind it.
      const queue = this.keyWaiting.get(keyIndex) ?? [];
      queue.push({ instance, record });
      this.keyWaiting.set(keyIndex, queue);
      this.keyWaitingRecords++;
    } else {
      if (this.perKey && keyIndex >= 0) this.keyHeld.add(keyIndex);
      this.addToBatch(instance, record, now);
      this.pump(instance);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Record resolution in columns: the same pipeline as addToBatch, pump, transmit, land and retry
  // for records that are pieces of one, each kept as a row of its batch's columns.

  /** Record resolution in columns: drawn record `i` of `chunk`, with its own key, size and
   *  instance, counted as produced (as `arrive`). */
  private arriveInColumns(now: number, chunk: DrawChunk, i: number): void {
    const bytes = this.countDrawn(chunk, i);
    if (bytes < 0) return;
    const keyIndex = chunk.keyIndex[i]!;
    const position = chunk.position[i]!;
    const instance = this.instances[chunk.instance[i]!]!;
    // The open batch: closed first if this record would take it over its bytes.
    let closed = false;
    if (instance.bufferRecords > 0 && instance.bufferBytes + bytes > this.maxBatchBytes) {
      this.closeColumns(instance);
      closed = true;
    }
    let batch = instance.records;
    if (!batch) {
      batch = this.columns!.take();
      instance.records = batch;
    }
    batch.push(bytes, now, keyIndex, position);
    instance.bufferRecords++;
    instance.bufferBytes += bytes;
    if (batch.n === 1) this.armLinger(instance, now + this.lingerUs);
    if (instance.bufferRecords >= this.maxBatchRecords || instance.bufferBytes >= this.maxBatchBytes) {
      this.closeColumns(instance);
      closed = true;
    }
    // Every slot freed and every linger timer pumps, so before this record either no slot was free
    // or nothing waited: only a batch closed now, or a linger time already up (a zero linger, or
    // one that came while no slot was free), can give the pump something to send.
    if (closed || instance.lingerDue) this.pumpColumns(instance);
  }

  /** Closes the open batch into the send queue (as closeBatch). */
  private closeColumns(instance: Instance): void {
    instance.recordQueue.push(instance.records!);
    instance.queuedRecords += instance.bufferRecords;
    this.resetBuffer(instance);
  }

  /** Sends queued batches, then the open batch if its linger time is up, while slots are free (as pump). */
  private pumpColumns(instance: Instance): void {
    while (instance.inFlight < this.spec.maxInFlight) {
      let batch = instance.recordQueue.shift();
      if (batch) {
        instance.queuedRecords -= batch.n;
      } else if (instance.lingerDue && instance.bufferRecords > 0) {
        batch = instance.records!;
        this.resetBuffer(instance);
      } else {
        return;
      }
      instance.inFlight++;
      this.transmitColumns(instance, batch);
    }
  }

  /** Puts a request on the wire, its slot already held (as transmit and transmitRetry). */
  private transmitColumns(instance: Instance, batch: RecordColumns): void {
    const records = batch.n;
    this.pendingRecords += records;
    const latency = Math.round(this.latencySampler.sample(this.latencyRng));
    this.sim.schedule(latency, (t) => this.landColumns(instance, batch, records, t));
  }

  /**
   * A request lands (as land): each record goes to the shard its key routes to, in order; the
   * throttled stay in the batch, in order, for the retry, and the batch is used again once done.
   */
  private landColumns(instance: Instance, batch: RecordColumns, records: number, now: number): void {
    this.pendingRecords -= records;
    const attempt = batch.attempt;
    let throttled = 0;
    if (now >= this.leakAtUs) {
      this.leakAtUs = Number.POSITIVE_INFINITY; // lose this request's records, deliberately unaccounted
    } else if (!this.stream.admitRequest(now, records)) {
      // Refused as a whole (a request-rate quota): every record is throttled and retried.
      this.countAttempt(attempt, records, 0, 0);
      throttled = records;
    } else {
      const stream = this.stream;
      // A target that takes records one by one without counting them (a stream) has each shard's
      // part of the request counted once, after its last record.
      const landed =
        stream.writeRecord !== undefined && stream.countLanding !== undefined
          ? this.landPartsColumns(batch, records, now, attempt === 1)
          : this.landEachRecord(batch, records, now, attempt === 1, false);
      throttled = records - landed.accepted;
      this.countAttempt(attempt, records, landed.accepted, landed.acceptedBytes);
    }
    batch.n = throttled;
    if (throttled === 0 || !this.retryColumns(instance, batch, now)) {
      this.columns!.give(batch);
      instance.inFlight--;
      this.pumpColumns(instance);
    }
  }

  /** What a landing request's records came to: records and bytes accepted (the throttled are
   *  moved up in the batch, in order). */
  private readonly landed = { accepted: 0, acceptedBytes: 0 };

  /**
   * Lands a request's records on a target that counts each shard's part once (a stream; see
   * Stream.writeRecord): first each record's shard and each shard's part; then each part taken
   * whole where its shard can take all of it at once (Stream.writeWhole: no reader keeps its
   * records and its limiter has room for every one — what a call per record would decide); then,
   * in the request's order, every record of the other shards offered on its own, the accepted
   * timed and the throttled moved up in the batch, in order, for the retry.
   */
  private landPartsColumns(
    batch: RecordColumns,
    records: number,
    now: number,
    firstAttempt: boolean,
  ): { accepted: number; acceptedBytes: number } {
    const stream = this.stream;
    const shardOfKey = this.currentRouting().shardOfKey;
    const rounds = this.putRecordApi && stream.roundsSingleRecordCalls;
    const latency = this.latency;
    // A named key's position is a look-up in a table as large as the key space, for the logs
    // that keep records only.
    const positions = stream.keepsPositions !== false;
    const shards = stream.open.length;
    if (this.landShards.length !== shards) {
      this.landParts = new Float64Array(LAND_PART * shards);
      this.landShards = new Int32Array(shards);
      this.landWhole = new Uint8Array(shards);
      this.landRefused = new Float64Array(shards);
    }
    if (this.landShardOf.length < records)
      this.landShardOf = new Int32Array(Math.max(records, 2 * this.landShardOf.length));
    const parts = this.landParts;
    const whole = this.landWhole;
    const shardOf = this.landShardOf;
    // A shard that refused a part whole in this second will likely refuse again: its parts are
    // landed record by record; where that is half the shards or more (a stream over its limits),
    // the whole request is, in one pass, as is a retry (its records were throttled: they are
    // those of the shards that refuse).
    const second = Math.floor(now / US_PER_S);
    if (second !== this.refusedSecond) {
      this.refusedSecond = second;
      this.refusedShards = 0;
    }
    if (stream.writeWhole === undefined || !firstAttempt || 2 * this.refusedShards >= shards)
      return this.landEachRecord(batch, records, now, firstAttempt, true);
    let reached = 0;
    for (let i = 0; i < records; i++) {
      const k = batch.keyIndex[i]!;
      const bytes = batch.bytes[i]!;
      const shard = k >= 0 ? shardOfKey[k]! : stream.shardOfFraction(batch.position[i]!);
      shardOf[i] = shard;
      const j = LAND_PART * shard;
      if (parts[j] === 0) this.landShards[reached++] = shard;
      parts[j]! += 1;
      parts[j + 1]! += bytes;
      parts[j + 4]! += rounds ? Math.ceil(bytes / 1024) * 1024 : bytes;
    }
    for (let r = 0; r < reached; r++) {
      const shard = this.landShards[r]!;
      const j = LAND_PART * shard;
      if (this.landRefused[shard] === second + 1) continue;
      if (stream.writeWhole!(now, shard, parts[j]!, parts[j + 4]!)) {
        whole[shard] = 1;
        parts[j + 2] = parts[j]!;
        parts[j + 3] = parts[j + 1]!;
      } else {
        this.landRefused[shard] = second + 1;
        this.refusedShards++;
      }
    }
    let accepted = 0;
    let acceptedBytes = 0;
    for (let i = 0; i < records; i++) {
      const bytes = batch.bytes[i]!;
      const originUs = batch.originUs[i]!;
      const shard = shardOf[i]!;
      if (whole[shard] === 0) {
        if (this.writeOneColumn(batch, i, shard, now, rounds, positions) === 0) {
          batch.moveTo(i, i - accepted);
          continue;
        }
        const j = LAND_PART * shard;
        parts[j + 2]! += 1;
        parts[j + 3]! += bytes;
      }
      accepted++;
      acceptedBytes += bytes;
      latency.record(now - originUs, 1);
    }
    return this.countLandings(now, firstAttempt, reached, accepted, acceptedBytes);
  }

  /**
   * Lands a request's records one by one, in one pass: on a stream (`inParts`: each shard's part
   * counted once, as landPartsColumns) where no part is tried whole, or on a target that counts
   * each write itself (a delivery stream's direct PUT, a queue).
   */
  private landEachRecord(
    batch: RecordColumns,
    records: number,
    now: number,
    firstAttempt: boolean,
    inParts: boolean,
  ): { accepted: number; acceptedBytes: number } {
    const stream = this.stream;
    const shardOfKey = this.currentRouting().shardOfKey;
    const rounds = this.putRecordApi && stream.roundsSingleRecordCalls;
    const latency = this.latency;
    const positions = stream.keepsPositions !== false;
    const parts = this.landParts;
    let reached = 0;
    let accepted = 0;
    let acceptedBytes = 0;
    for (let i = 0; i < records; i++) {
      const k = batch.keyIndex[i]!;
      const bytes = batch.bytes[i]!;
      const originUs = batch.originUs[i]!;
      const named = k >= 0;
      const position = named ? (positions ? this.keys.positionOf(k) : -1) : batch.position[i]!;
      const shard = named ? shardOfKey[k]! : stream.shardOfFraction(position);
      const charged = rounds ? Math.ceil(bytes / 1024) * 1024 : bytes;
      // As write: keys are told apart across producers (key ids) for ordering checks.
      const keyId = named ? this.keyIdBase + k : -1;
      const ok = inParts
        ? stream.writeRecord!(now, shard, bytes, charged, originUs, keyId, position)
        : stream.write(now, shard, 1, bytes, charged, originUs, NO_SPREAD, keyId, position, firstAttempt);
      if (inParts) {
        const j = LAND_PART * shard;
        if (parts[j] === 0) this.landShards[reached++] = shard;
        parts[j]! += 1;
        parts[j + 1]! += bytes;
        if (ok > 0) {
          parts[j + 2]! += 1;
          parts[j + 3]! += bytes;
        }
      }
      if (ok > 0) {
        accepted++;
        acceptedBytes += bytes;
        latency.record(now - originUs, 1);
      } else batch.moveTo(i, i - accepted);
    }
    return this.countLandings(now, firstAttempt, reached, accepted, acceptedBytes);
  }

  /** Offers row `i` of a batch on its own to the open shard at `shard`, uncounted
   *  (Stream.writeRecord), with its key's id and position as `write` gives them (as landEachRecord
   *  does in its loop); returns 1 if the shard accepted it. */
  private writeOneColumn(
    batch: RecordColumns,
    i: number,
    shard: number,
    now: number,
    rounds: boolean,
    positions: boolean,
  ): number {
    const k = batch.keyIndex[i]!;
    const bytes = batch.bytes[i]!;
    const named = k >= 0;
    const position = named ? (positions ? this.keys.positionOf(k) : -1) : batch.position[i]!;
    const charged = rounds ? Math.ceil(bytes / 1024) * 1024 : bytes;
    // As write: keys are told apart across producers (key ids) for ordering checks.
    const keyId = named ? this.keyIdBase + k : -1;
    return this.stream.writeRecord!(now, shard, bytes, charged, batch.originUs[i]!, keyId, position);
  }

  /** Counts each shard's part of a landed request (the `reached` first of landShards) and clears
   *  the parts; returns what was accepted. */
  private countLandings(
    now: number,
    firstAttempt: boolean,
    reached: number,
    accepted: number,
    acceptedBytes: number,
  ): { accepted: number; acceptedBytes: number } {
    const stream = this.stream;
    const parts = this.landParts;
    for (let r = 0; r < reached; r++) {
      const shard = this.landShards[r]!;
      const j = LAND_PART * shard;
      stream.countLanding!(now, shard, firstAttempt, parts[j]!, parts[j + 1]!, parts[j + 2]!, parts[j + 3]!);
      // Five stores: cheaper than a call to fill a few numbers.
      parts[j] = 0;
      parts[j + 1] = 0;
      parts[j + 2] = 0;
      parts[j + 3] = 0;
      parts[j + 4] = 0;
      this.landWhole[shard] = 0;
    }
    this.landed.accepted = accepted;
    this.landed.acceptedBytes = acceptedBytes;
    return this.landed;
  }

  /**
   * Resends a request's throttled records as one request after one backoff, holding its slot
   * meanwhile (as retry; no retry quota on this path). Returns whether a retry was scheduled.
   */
  private retryColumns(instance: Instance, batch: RecordColumns, now: number): boolean {
    const policy = this.spec.retry;
    const attempt = batch.attempt;
    if (attempt >= policy.maxAttempts) {
      for (let i = 0; i < batch.n; i++) this.drop(1, batch.bytes[i]!);
      return false;
    }
    const delay = backoffDelay(policy, attempt - 1, batch.previousBackoffUs, this.retryRng);
    let kept = 0;
    for (let i = 0; i < batch.n; i++) {
      if (now + delay - batch.originUs[i]! > policy.recordTtl) {
        this.drop(1, batch.bytes[i]!);
        continue;
      }
      batch.moveTo(i, kept);
      kept++;
    }
    batch.n = kept;
    if (kept === 0) return false;
    batch.attempt = attempt + 1;
    batch.previousBackoffUs = delay;
    this.pendingRecords += kept;
    this.interval.retried += kept;
    this.sim.schedule(delay, () => {
      this.pendingRecords -= kept;
      this.transmitColumns(instance, batch);
    });
    return true;
  }

  /** ordering: per-key — a record of `piece`'s key is done (accepted or dropped): the next may go. */
  private releaseKey(piece: Cohort, now: number): void {
    const k = piece.keyIndex;
    if (k < 0) return;
    const queue = this.keyWaiting.get(k);
    const next = queue?.shift();
    if (!next) {
      this.keyHeld.delete(k);
      return;
    }
    if (queue!.length === 0) this.keyWaiting.delete(k);
    this.keyWaitingRecords--;
    this.addToBatch(next.instance, next.record, now);
    this.pump(next.instance);
  }

  /** Cohort resolution: each group receives the records its instances created in the last tick. */
  /**
   * Cohort resolution: at the start of each tick, each group receives the records its instances
   * will create during the tick, as one piece created uniformly over the tick. A batch the piece
   * opens starts with its first record, on average 1/(count+1) of the way into the tick.
   */
  private readonly onTick = (now: number): void => {
    const tick = this.context.tickUs!;
    const end = Math.min(now + tick, this.stopUs);
    const expected = this.rate.integral(now, end);
    // The fleet's records of the tick: a whole number carried over from tick to tick for even
    // arrivals, a Poisson count otherwise (independent Poisson counts per group are a Poisson total
    // dealt out at random). They fall on the groups at random, as records go to random clients at
    // record resolution: one draw per record when there are fewer records than groups.
    let total: number;
    if (this.spec.arrivals === "even") {
      this.evenCarry += expected;
      total = Math.floor(this.evenCarry);
      this.evenCarry -= total;
    } else total = poisson(this.traffic, expected);
    const counts = this.evenCounts;
    counts.fill(0);
    if (this.groups === 1) counts[0] = total;
    else if (total < this.groups) for (let i = 0; i < total; i++) counts[this.traffic.int(this.groups)]!++;
    else multinomial(this.traffic, total, this.evenShares, counts);
    for (let g = 0; g < this.groups && total > 0; g++) {
      const made = this.tally(counts[g]!);
      if (!made) continue;
      const { count, bytes } = made;
      const instance = this.instances[g]!;
      this.feed(
        instance,
        { count, bytes, startUs: now, endUs: end, phase: this.traffic.next(), fed: 0, bytesFed: 0 },
        now,
      );
    }
    // Only the groups fed this tick have anything new to send (the others sent what they could
    // when their linger timers fired or their responses came back).
    for (let g = 0; g < this.groups; g++) if (counts[g]! > 0) this.pump(this.instances[g]!);
    if (end < this.stopUs) this.sim.at(end, this.onTick);
  };

  /**
   * Cohort resolution: hands a group the records it creates over [startUs, endUs), uniformly, as
   * they come. Whenever they would fill the open batch, the part that fills it joins at the moment
   * its last record is created — an event then — so a full batch is never sent before its records
   * exist (a batch of 500 at 40,000 records/s fills in 12.5 ms, about a 10 ms tick). Records that do
   * not fill a batch join at once; a linger timer that fires before they are all created sends only
   * those created by then (see `pump`).
   */
  private feed(instance: Instance, p: TickRecords, t: number): void {
    // Record j of the tick is created at (j + phase)/n of it; the phase is drawn per group and tick,
    // so that groups do not act in lockstep (real clients' records come at random moments).
    const length = p.endUs - p.startUs;
    const createdAt = (j: number) => p.startUs + ((j + p.phase) / p.count) * length;
    while (p.fed < p.count) {
      const left = p.count - p.fed;
      const leftBytes = p.bytes - p.bytesFed;
      // Records that fill the open batch (as addToBatch counts them: by records and by bytes).
      if (instance.bufferRecords > 0 && instance.bufferBytes + leftBytes / left > this.maxBatchBytes)
        this.closeBatch(instance);
      const room = Math.min(
        this.maxBatchRecords - instance.bufferRecords,
        Math.max(
          1,
          Math.floor(((this.maxBatchBytes - instance.bufferBytes) * left) / Math.max(1, leftBytes)),
        ),
      );
      if (room > left) {
        // The rest of the tick fits without filling the batch: it joins now. A few records join
        // one by one, each at its own moment of creation rather than spread over the tick, so that
        // a client that sends each record at once sends it then, not at the tick's end.
        if (left <= FEW_RECORDS) {
          while (p.fed < p.count) {
            const at = Math.round(createdAt(p.fed));
            const piece = this.tickPiece(p, 1, at, at);
            this.addToBatch(instance, piece, at);
          }
          return;
        }
        const first = Math.round(createdAt(p.fed));
        this.addToBatch(instance, this.tickPiece(p, left, first, Math.round(createdAt(p.count - 1))), first);
        return;
      }
      // Filled when its `room`-th record is created; kept strictly before the tick's end so that it
      // comes before the next tick's records.
      const fillUs = Math.min(Math.ceil(createdAt(p.fed + room - 1)), p.endUs - 1);
      if (fillUs > t) {
        this.sim.at(fillUs, (now) => {
          this.feed(instance, p, now);
          this.pump(instance);
        });
        return;
      }
      const first = Math.min(Math.round(createdAt(p.fed)), fillUs);
      this.addToBatch(instance, this.tickPiece(p, room, first, fillUs), first);
    }
  }

  /** The next `k` records of a tick's records, created between `firstUs` and `lastUs`. */
  private tickPiece(p: TickRecords, k: number, firstUs: number, lastUs: number): Cohort {
    const bytes =
      k === p.count - p.fed
        ? p.bytes - p.bytesFed
        : Math.round((p.bytes * (p.fed + k)) / p.count) - p.bytesFed;
    p.fed += k;
    p.bytesFed += bytes;
    // A piece created at one moment (a record joining on its own) shares the frozen NO_SPREAD.
    const spread = lastUs > firstUs ? { lo: 0, hi: lastUs - firstUs } : NO_SPREAD;
    return new Cohort(k, bytes, lastUs, spread, 1, -2, 0, -1, -1, 0);
  }

  /** Sum of `count` record sizes (data only). */
  private sumSizes(count: number): number {
    return sumOfSizes(this.sentSize, count, this.traffic);
  }

  // -------------------------------------------------------------------------------------------
  // Sparse clients (cohort resolution): batches of single clients, in aggregate

  /** Length of a sparse fleet's stretches for the open shards now (see sparseStretchUs). */
  private chooseStretchUs(tickUs: number, lingerUs: number, peak: number): number {
    let busiest = 0;
    for (const share of this.currentRouting().shardProbabilities) busiest = Math.max(busiest, share);
    const recordBytes = this.sentSize.mean + (this.keyed ? this.keys.meanKeyBytes : 0);
    return sparseStretchUs(tickUs, lingerUs, peak * busiest, recordBytes);
  }

  /** Idle clients that get a record in this stretch open a batch each; they close a linger time on. */
  private readonly onSparseStretch = (now: number): void => {
    const s = this.sparse!;
    if (s.stretchTopology !== this.stream.topologyVersion) {
      // Shards were added or taken away: lumps on the busiest shard change with them.
      s.stretchTopology = this.stream.topologyVersion;
      s.stretchUs = this.chooseStretchUs(this.context.tickUs!, this.lingerUs, s.peak);
    }
    const end = Math.min(now + s.stretchUs, this.stopUs);
    s.stretchStartUs = now;
    s.stretchEndUs = end;
    const perClient = this.rate.integral(now, end) / s.clients;
    // Each idle client gets a record with probability 1 − e^(−perClient); its first opens a batch
    // (the others join it, and are drawn with those that join later). Clients that went idle during
    // the last stretch, after it began, add theirs from then on.
    let hit = s.idle > 0 && perClient > 0 ? binomial(this.traffic, s.idle, -Math.expm1(-perClient)) : 0;
    if (s.carry > 0) hit = Math.min(s.idle, hit + poisson(this.traffic, s.carry));
    s.carry = 0;
    // Batches waiting for a slot take the records their clients created meanwhile.
    for (const w of s.waiting) {
      const since = this.joined(w.batches, w.sinceUs, now);
      w.sinceUs = now;
      if (!since) continue;
      s.waitingRecords += since.count;
      w.joined = w.joined ? mergePieces([w.joined, since], now) : since;
    }
    const openers = this.created(hit, end, end - now);
    if (openers) {
      s.idle -= openers.count;
      s.openRecords += openers.count;
      const from = Math.round((now + end) / 2);
      this.sim.at(from + this.lingerUs, (t) => {
        s.openRecords -= openers.count;
        this.sendBatches(openers.count, openers, this.joined(openers.count, from, t), t);
      });
    }
    if (end < this.stopUs) this.sim.at(end, this.onSparseStretch);
  };

  /**
   * `count` records created over the `spanUs` before `originUs`, less those over the maximum record
   * size (see `tally`); undefined when none is left.
   */
  private created(count: number, originUs: number, spanUs: number): Cohort | undefined {
    const made = this.tally(count);
    return made && new Cohort(made.count, made.bytes, originUs, { lo: 0, hi: spanUs }, 1, -2, 0, -1, -1, 0);
  }

  /**
   * Counts `count` records created at cohort resolution: those over the maximum record size are
   * rejected by the API at once (see `oversize`); returns the others and their bytes, if any.
   */
  private tally(count: number): { count: number; bytes: number } | undefined {
    if (count <= 0) return undefined;
    this.interval.produced += count;
    if (this.oversize.share > 0) {
      const rejected = binomial(this.traffic, count, this.oversize.share);
      const rejectedBytes = Math.round(
        rejected * (this.oversize.meanBytes + (this.keyed ? this.keys.meanKeyBytes : 0)),
      );
      this.interval.rejected += rejected;
      this.interval.rejectedBytes += rejectedBytes;
      this.interval.producedBytes += rejectedBytes;
      count -= rejected;
      if (count === 0) return undefined;
    }
    const bytes = this.sumSizes(count) + (this.keyed ? Math.round(count * this.keys.meanKeyBytes) : 0);
    this.interval.producedBytes += bytes;
    return { count, bytes };
  }

  /** Records that joined `batches` open batches over [fromUs, toUs): each client's, a Poisson count. */
  private joined(batches: number, fromUs: number, toUs: number): Cohort | undefined {
    if (toUs <= fromUs) return undefined;
    const mean = (batches * this.rate.integral(fromUs, toUs)) / this.sparse!.clients;
    return this.created(poisson(this.traffic, mean), toUs, toUs - fromUs);
  }

  /**
   * Closed batches go to the service: those whose client has a free in-flight slot now (a client
   * is busy with the share of all slots in use), the others when one of their client's requests is
   * done. Opening records and joined ones travel as separate pieces: they waited differently.
   */
  private sendBatches(batches: number, openers: Cohort, joined: Cohort | undefined, now: number): void {
    const s = this.sparse!;
    const slotsPerClient = this.spec.maxInFlight;
    const slots = s.clients * slotsPerClient;
    // A client's earlier requests were sent before this batch opened: it waits if those hold all
    // its slots still (retrying, as a rule), a share of clients as those requests hold slots.
    const openUs = now - this.lingerUs;
    const old = this.heldSince(openUs);
    const blocked = old > 0 ? Math.min(1, (old / slots) ** slotsPerClient) : 0;
    let busy = blocked > 0 ? binomial(this.slotRng, batches, blocked) : 0;
    // Every slot in use (waiting batches released together can take them all): every batch waits.
    busy = Math.min(batches, Math.max(busy, batches - (slots - s.inUse)));
    if (busy > 0) {
      const all = busy === batches;
      const waiting: WaitingBatches = {
        batches: busy,
        openUs,
        openers: all ? openers : splitOff(openers, busy),
        joined: joined && !all ? this.share(joined, busy / batches) : joined,
        sinceUs: now,
      };
      s.waiting.push(waiting);
      s.waitingRecords += waiting.openers.count + (waiting.joined?.count ?? 0);
      if (all) return;
      if (waiting.joined === joined) joined = undefined;
    }
    this.transmitBatches(batches - busy, [openers, ...(joined ? [joined] : [])]);
  }

  /** Takes a binomial share of a piece's records off it (undefined when none; the piece itself when all). */
  private share(piece: Cohort, p: number): Cohort | undefined {
    const k = binomial(this.slotRng, piece.count, p);
    return k === 0 ? undefined : k === piece.count ? piece : splitOff(piece, k);
  }

  /** Client batches on the wire: they hold a slot each until their request is done. */
  private transmitBatches(batches: number, pieces: Cohort[]): void {
    const s = this.sparse!;
    const now = this.sim.nowUs;
    const hold: SlotHold = { slots: batches, sentUs: now, stretchStartUs: s.stretchStartUs };
    s.inUse += batches;
    s.held.set(s.stretchStartUs, (s.held.get(s.stretchStartUs) ?? 0) + batches);
    s.idle += batches;
    if (now < s.stretchEndUs)
      s.carry += batches * -Math.expm1(-this.rate.integral(now, s.stretchEndUs) / s.clients);
    const request = [oneCohort(pieces, now)];
    const records = request[0]!.count;
    if (records === 0) {
      this.releaseWaiting(hold, now);
      return;
    }
    this.pendingRecords += records;
    const latency = Math.round(this.latencySampler.sample(this.latencyRng));
    const instance = this.instances[0]!;
    this.sim.schedule(latency, (t) => this.land(instance, request, records, t, hold));
  }

  /** Slots held by requests first sent at or before `us`. */
  private heldSince(us: number): number {
    const s = this.sparse!;
    let n = 0;
    for (const [start, slots] of s.held) {
      if (start > us) break;
      n += slots;
    }
    return n;
  }

  /**
   * A request is done and its slots come free: waiting batches of its clients go, with the records
   * that joined them while they waited. A waiting batch waits for one of the requests its client
   * sent before the batch opened; this request is that one with its share of those requests' slots.
   */
  private releaseWaiting(hold: SlotHold, now: number): void {
    const s = this.sparse!;
    s.inUse -= hold.slots;
    const left0 = (s.held.get(hold.stretchStartUs) ?? 0) - hold.slots;
    if (left0 > 0) s.held.set(hold.stretchStartUs, left0);
    else s.held.delete(hold.stretchStartUs);
    let left = hold.slots;
    for (let i = 0; i < s.waiting.length; ) {
      const w = s.waiting[i]!;
      // Once none of the requests sent before they opened is left, nothing holds them back.
      const others = this.heldSince(w.openUs);
      if (others > 0) {
        // Waiting batches are kept oldest first, and what was sent before one opened only grows
        // with its age: every later one is held back too. Only this request's slots can release
        // them, and only those that opened after it was sent (a storm keeps thousands waiting).
        if (left === 0) break;
        if (hold.sentUs > w.openUs) {
          i = openedSince(s.waiting, hold.sentUs, i);
          continue;
        }
      }
      const go =
        others === 0
          ? w.batches
          : Math.min(left, binomial(this.slotRng, w.batches, hold.slots / (others + hold.slots)));
      if (go === 0) {
        i++;
        continue;
      }
      left = Math.max(0, left - go);
      const all = go === w.batches;
      const before = w.openers.count + (w.joined?.count ?? 0);
      const openers = all ? w.openers : splitOff(w.openers, go);
      const joined = w.joined && !all ? this.share(w.joined, go / w.batches) : w.joined;
      if (joined === w.joined) w.joined = undefined;
      w.batches -= go;
      if (all) s.waiting.splice(i, 1);
      else i++;
      s.waitingRecords -= all ? before : openers.count + (joined?.count ?? 0);
      const since = this.joined(go, w.sinceUs, now);
      this.transmitBatches(go, [openers, ...(joined ? [joined] : []), ...(since ? [since] : [])]);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Batching and in-flight slots

  /** Adds a piece to the open batch, closing full batches; `createdUs` starts the linger time. */
  private addToBatch(instance: Instance, piece: Cohort, createdUs: number): void {
    let rest: Cohort | undefined = piece;
    while (rest) {
      if (instance.bufferRecords > 0 && instance.bufferBytes + rest.bytes / rest.count > this.maxBatchBytes)
        this.closeBatch(instance);
      const roomRecords = this.maxBatchRecords - instance.bufferRecords;
      const roomBytes = this.maxBatchBytes - instance.bufferBytes;
      const fits = Math.min(
        rest.count,
        roomRecords,
        Math.max(1, Math.floor((roomBytes * rest.count) / Math.max(1, rest.bytes))),
      );
      let part: Cohort = rest;
      rest = undefined;
      if (fits < part.count) {
        rest = part;
        part = splitOff(part, fits);
      }
      instance.buffer.push(part);
      instance.bufferRecords += part.count;
      instance.bufferBytes += part.bytes;
      if (instance.buffer.length === 1) this.startLinger(instance, createdUs, part);
      if (instance.bufferRecords >= this.maxBatchRecords || instance.bufferBytes >= this.maxBatchBytes)
        this.closeBatch(instance);
    }
  }

  /**
   * Starts the linger timer of a batch opened by `piece`, whose first record was created at
   * `createdUs`. At cohort resolution, a timer that would end after the piece's tick ends on the
   * nearest tick boundary instead, so a batch holds whole ticks' pieces (its timer was scheduled
   * before the next tick's event, so it fires first); one that ends within the tick is kept.
   */
  private startLinger(instance: Instance, createdUs: number, piece: Cohort): void {
    const tick = this.context.tickUs;
    const exact = createdUs + this.lingerUs;
    const tickEnd = piece.originUs;
    const due =
      tick === undefined || exact <= tickEnd ? exact : Math.max(tickEnd, Math.round(exact / tick) * tick);
    this.armLinger(instance, due);
  }

  /** The open batch's linger time is up at `due`: now, or by a timer that pumps the instance's
   *  batches (as columns or as pieces, as the producer keeps them) unless the batch closed before. */
  private armLinger(instance: Instance, due: number): void {
    if (due <= this.sim.nowUs) {
      instance.lingerDue = true;
      return;
    }
    const token = instance.batchToken;
    this.sim.at(due, () => {
      if (instance.batchToken !== token) return;
      instance.lingerDue = true;
      if (this.columns) this.pumpColumns(instance);
      else this.pump(instance);
    });
  }

  /**
   * Closes the open batch into the send queue. A closed batch waits there unchanged until a slot
   * frees, and its cohort pieces travel merged: those whose records all exist are merged now, as
   * sending would merge them (the same records and creation times, referred to this moment), so
   * that a long queue of waiting batches holds one piece each.
   */
  private closeBatch(instance: Instance): void {
    const batch = instance.buffer;
    if (batch.length > 1 && batch[0]!.keyIndex === -2) mergeCreatedPrefix(batch, this.sim.nowUs);
    instance.queue.push(batch);
    instance.queuedRecords += instance.bufferRecords;
    this.resetBuffer(instance);
  }

  /** Opens a new batch: the closed one is the caller's. */
  private resetBuffer(instance: Instance): void {
    if (this.columns) instance.records = undefined;
    else instance.buffer = [];
    instance.bufferRecords = 0;
    instance.bufferBytes = 0;
    instance.lingerDue = false;
    instance.batchToken++;
  }

  /** Sends queued batches, then the open batch if its linger time is up, while slots are free. */
  private pump(instance: Instance): void {
    while (instance.inFlight < this.spec.maxInFlight) {
      const next = instance.queue.shift();
      if (next) {
        instance.queuedRecords -= countOf(next);
      } else if (instance.lingerDue && instance.bufferRecords > 0) {
        const batch = instance.buffer;
        this.resetBuffer(instance);
        // Cohort resolution: records of this tick not yet created wait for the next batch.
        const later = this.context.tickUs === undefined ? undefined : notYetCreated(batch, this.sim.nowUs);
        if (later)
          for (const piece of later) this.addToBatch(instance, piece, piece.originUs - piece.spread.hi);
        if (batch.length === 0) return;
        instance.inFlight++;
        this.transmit(instance, batch);
        continue;
      } else {
        return;
      }
      instance.inFlight++;
      this.transmit(instance, next);
    }
    // Every slot is busy: the open batch keeps taking pieces while it waits (up to a full batch).
    // Its pieces whose records all exist travel merged in the end and are never split again (only
    // records created after a send are held back), so they are merged now: a long wait keeps one
    // piece instead of hundreds alive.
    const buffer = instance.buffer;
    if (buffer.length >= MERGE_WAITING_PIECES && buffer[0]!.keyIndex === -2)
      mergeCreatedPrefix(buffer, this.sim.nowUs, MERGE_WAITING_PIECES);
  }

  /** Puts a request on the wire (its slot is already held). Cohort pieces travel merged. */
  private transmit(instance: Instance, batch: Cohort[]): void {
    const now = this.sim.nowUs;
    const request = batch.length > 1 && batch[0]!.keyIndex === -2 ? [mergePieces(batch, now)] : batch;
    const records = countOf(request);
    this.pendingRecords += records;
    const latency = Math.round(this.latencySampler.sample(this.latencyRng));
    this.sim.schedule(latency, (t) => this.land(instance, request, records, t, ONE_SLOT));
  }

  // -------------------------------------------------------------------------------------------
  // The service: routing, limits, retries

  /** A request lands; it holds its in-flight slots until it is done (one per client batch in it). */
  private land(instance: Instance, request: Cohort[], records: number, now: number, hold: SlotHold): void {
    this.pendingRecords -= records;
    let rejected: Cohort[] | undefined;
    if (now >= this.leakAtUs) {
      this.leakAtUs = Number.POSITIVE_INFINITY; // lose this request's records, deliberately unaccounted
    } else if (!this.stream.admitRequest(now, records)) {
      // Refused as a whole (a request-rate quota): every record is throttled and retried.
      for (const piece of request) this.countAttempt(piece.attempt, piece.count, 0, 0);
      rejected = [...request];
    } else {
      const routing = this.currentRouting();
      for (const piece of request) {
        if (
          piece.keyIndex === -2 &&
          (piece.shardIndex < 0 || piece.topologyVersion !== this.stream.topologyVersion)
        ) {
          if (
            this.defers &&
            piece.attempt === 1 &&
            this.stream.takeWhole!(now, piece.count, piece.bytes, this)
          ) {
            // Taken in full whatever its split: counted as offerSplit would count it.
            this.heldCounts.push(piece.count);
            this.heldBytes.push(piece.bytes);
            this.countAttempt(1, piece.count, piece.count, piece.bytes);
            this.recordLatency(now, piece, piece.count);
            if (this.quotaApplies) this.creditQuota(instance, 1, piece.count);
            continue;
          }
          // What the stream holds is drawn and charged first: it landed before this piece.
          this.stream.settleDeferred?.(now);
          rejected = this.offerSplit(piece, routing, now, rejected, instance);
          continue;
        }
        this.stream.settleDeferred?.(now);
        if (piece.keyIndex !== -2) {
          piece.shardIndex =
            piece.keyIndex >= 0
              ? routing.shardOfKey[piece.keyIndex]!
              : this.stream.shardOfFraction(piece.position);
          piece.topologyVersion = this.stream.topologyVersion;
        }
        const accepted = this.offer(piece.shardIndex, piece.count, piece.bytes, piece, now);
        if (accepted > 0) {
          this.recordLatency(now, piece, accepted);
          if (this.quotaApplies) this.creditQuota(instance, piece.attempt, accepted);
        }
        if (accepted < piece.count) {
          shrink(piece, accepted);
          rejected ??= [];
          rejected.push(piece);
        } else if (this.perKey) this.releaseKey(piece, now);
      }
    }
    if (rejected && this.retry(instance, rejected, now, hold)) return;
    if (this.sparse) {
      this.releaseWaiting(hold, now);
      return;
    }
    instance.inFlight--;
    this.pump(instance);
  }

  /** Splits an unrouted cohort over the open shards and offers each part; collects the rejected. */
  private offerSplit(
    piece: Cohort,
    routing: KeyRouting,
    now: number,
    rejected: Cohort[] | undefined,
    instance: Instance,
  ): Cohort[] | undefined {
    // A throttled part whose shard was split or merged since: its records belong to that shard's
    // hash range, so they go to the shards that hold it now, by the key distribution there.
    const counts =
      piece.shardIndex >= 0 && piece.rangeHi > piece.rangeLo
        ? this.splitWithin(piece.count, piece.rangeLo, piece.rangeHi)
        : this.splitOverShards(piece.count, routing);
    const version = this.stream.topologyVersion;
    let acceptedTotal = 0;
    let acceptedBytes = 0;
    eachPart(counts, piece.count, piece.bytes, (s, k, bytes) => {
      const accepted = this.write(s, k, bytes, piece, now);
      acceptedTotal += accepted;
      acceptedBytes += prefixBytes(k, bytes, accepted);
      if (accepted < k) {
        const shard = this.stream.open[s]!;
        const left = k - accepted;
        const part = new Cohort(
          left,
          bytes - prefixBytes(k, bytes, accepted),
          piece.originUs,
          piece.spread,
          piece.attempt,
          -2,
          0,
          s,
          version,
          piece.previousBackoffUs,
        );
        part.rangeLo = shard.startFraction;
        part.rangeHi = s + 1 < this.stream.open.length ? this.stream.open[s + 1]!.startFraction : 1;
        rejected ??= [];
        rejected.push(part);
      }
    });
    // Every part landed at the same time with the same creation times: one count, one latency record.
    this.countAttempt(piece.attempt, piece.count, acceptedTotal, acceptedBytes);
    if (acceptedTotal > 0) {
      this.recordLatency(now, piece, acceptedTotal);
      if (this.quotaApplies) this.creditQuota(instance, piece.attempt, acceptedTotal);
    }
    return rejected;
  }

  /**
   * Draws the shards of the records the stream took whole since the last time and writes each
   * shard's records and bytes at once; every shard had room for all of them. Their counts are one
   * multinomial split of their sum (the sum of independent multinomial splits with the same
   * probabilities is the multinomial split of the sum). Their bytes: each request's records share
   * its bytes equally (as a request split on landing gives them), so a shard's bytes are those of
   * the records it was dealt out of that mix — drawn shard by shard with the mean and variance of
   * such a draw without replacement (a normal, kept within what is left). Requests of one record
   * size leave no variance: their bytes are then exact.
   */
  settleDeferred(nowUs: number): void {
    const held = this.heldCounts.length;
    if (held === 0) return;
    const routing = this.currentRouting();
    let n = 0;
    let total = 0;
    for (let r = 0; r < held; r++) {
      n += this.heldCounts[r]!;
      total += this.heldBytes[r]!;
    }
    // The variance of a record's bytes across the mix of requests (each request's records alike).
    const mean = total / n;
    let squares = 0;
    for (let r = 0; r < held; r++) {
      const d = this.heldBytes[r]! / this.heldCounts[r]! - mean;
      squares += this.heldCounts[r]! * d * d;
    }
    const variance = squares / n;
    this.heldCounts.length = 0;
    this.heldBytes.length = 0;
    if (this.settleSplit.length !== this.shardCounts.length)
      this.settleSplit = new Float64Array(this.shardCounts.length);
    const counts = this.splitOverShards(n, routing, this.settleSplit);
    let countLeft = n;
    let bytesLeft = total;
    for (let s = 0; s < counts.length; s++) {
      const k = counts[s]!;
      if (k === 0) continue;
      let bytes = bytesLeft;
      if (k < countLeft) {
        const expected = (bytesLeft * k) / countLeft;
        const spread =
          variance > 0
            ? Math.sqrt((variance * k * (countLeft - k)) / (countLeft - 1)) * this.routeRng.normal()
            : 0;
        bytes = Math.min(bytesLeft, Math.max(0, Math.round(expected + spread)));
      }
      countLeft -= k;
      bytesLeft -= bytes;
      // No reader keeps these records (the stream defers only then): when they were created does not matter.
      const accepted = this.stream.write(nowUs, s, k, bytes, bytes, nowUs, NO_SPREAD, -1, -1, true);
      if (accepted !== k)
        throw new Error(
          `invariant broken at ${nowUs} µs: shard ${s} throttled ${k - accepted} of ${k} records taken in full`,
        );
    }
  }

  /** Offers `count` records of `piece` to an open shard and counts the attempt; returns how many it accepted. */
  private offer(shardIndex: number, count: number, bytes: number, piece: Cohort, now: number): number {
    const accepted = this.write(shardIndex, count, bytes, piece, now);
    this.countAttempt(piece.attempt, count, accepted, prefixBytes(count, bytes, accepted));
    return accepted;
  }

  /** Writes `count` records of `piece` to an open shard (not counted); returns how many it accepted. */
  private write(shardIndex: number, count: number, bytes: number, piece: Cohort, now: number): number {
    const charged =
      this.putRecordApi && this.stream.roundsSingleRecordCalls
        ? count === 1
          ? Math.ceil(bytes / 1024) * 1024
          : Math.round(bytes * this.roundingFactor)
        : bytes;
    // Keys are told apart across producers for ordering checks; cohorts carry no single key.
    const k = piece.keyIndex;
    const keyId = k >= 0 ? this.keyIdBase + k : -1;
    const position = k >= 0 ? this.keys.positionOf(k) : k === -1 ? piece.position : -1;
    return this.stream.write(
      now,
      shardIndex,
      count,
      bytes,
      charged,
      piece.originUs,
      piece.spread,
      keyId,
      position,
      piece.attempt === 1,
    );
  }

  private recordLatency(now: number, piece: Cohort, accepted: number): void {
    this.latency.recordSpread(now - piece.originUs, accepted, piece.spread);
  }

  /**
   * Resends a request's throttled records as one request after one backoff, holding the
   * request's in-flight slot meanwhile. Returns whether a retry was scheduled.
   */
  private retry(instance: Instance, pieces: Cohort[], now: number, hold: SlotHold): boolean {
    const policy = this.spec.retry;
    const attempt = pieces[0]!.attempt;
    const cost = this.quotaApplies ? THROTTLING_RETRY_COST * countOf(pieces) : 0;
    // The SDK refuses a retry its client's quota cannot pay for: the call fails, the record is lost.
    if (attempt >= policy.maxAttempts || cost > instance.retryTokens) {
      for (const piece of pieces) {
        this.drop(piece.count, piece.bytes);
        if (this.perKey) this.releaseKey(piece, now);
      }
      return false;
    }
    instance.retryTokens -= cost;
    const delay = backoffDelay(policy, attempt - 1, pieces[0]!.previousBackoffUs, this.retryRng);
    const kept: Cohort[] = [];
    for (const piece of pieces) {
      // A piece's age is that of its middle record.
      if (now + delay - piece.originUs + (piece.spread.lo + piece.spread.hi) / 2 > policy.recordTtl) {
        this.drop(piece.count, piece.bytes);
        if (this.perKey) this.releaseKey(piece, now);
        continue;
      }
      piece.attempt = attempt + 1;
      piece.previousBackoffUs = delay;
      kept.push(piece);
    }
    if (kept.length === 0) return false;
    const records = countOf(kept);
    this.pendingRecords += records;
    this.interval.retried += records;
    this.sim.schedule(delay, () => {
      this.pendingRecords -= records;
      this.transmitRetry(instance, kept, hold);
    });
    return true;
  }

  /** Resends routed pieces as they are (no merging: each keeps its shard). */
  private transmitRetry(instance: Instance, pieces: Cohort[], hold: SlotHold): void {
    const records = countOf(pieces);
    this.pendingRecords += records;
    const latency = Math.round(this.latencySampler.sample(this.latencyRng));
    this.sim.schedule(latency, (t) => this.land(instance, pieces, records, t, hold));
  }

  /**
   * A successful PutRecord call pays its client's quota back: the cost of the retry it took, or 1
   * token for a success at the first attempt, up to the quota's size (SMITHY StandardRetryStrategy).
   */
  private creditQuota(instance: Instance, attempt: number, records: number): void {
    const gain = attempt > 1 ? THROTTLING_RETRY_COST : 1;
    instance.retryTokens = Math.min(this.spec.retry.retryQuota, instance.retryTokens + gain * records);
  }

  private currentRouting(): KeyRouting {
    if (this.routingVersion !== this.stream.topologyVersion) {
      this.routing = this.keys.route(this.stream);
      this.routingVersion = this.stream.topologyVersion;
      this.shardAlias = undefined;
      if (this.shardCounts.length !== this.stream.openCount)
        this.shardCounts = new Float64Array(this.stream.openCount);
    }
    return this.routing!;
  }

  /** Splits `n` records over the open shards by the key routing's probabilities. */
  /** Splits `n` records of the hash range [lo, hi) over the open shards that hold it now. */
  private splitWithin(n: number, lo: number, hi: number): Float64Array {
    const counts = this.shardCounts;
    const open = this.stream.open;
    const probs = new Float64Array(open.length);
    for (let s = 0; s < open.length; s++) {
      const start = open[s]!.startFraction;
      const end = s + 1 < open.length ? open[s + 1]!.startFraction : 1;
      const a = Math.max(lo, start);
      const b = Math.min(hi, end);
      if (b > a) probs[s] = this.keys.massBetween(a, b);
    }
    const total = probs.reduce((x, y) => x + y, 0);
    if (!(total > 0)) return this.splitOverShards(n, this.currentRouting());
    for (let s = 0; s < probs.length; s++) probs[s] = probs[s]! / total;
    multinomial(this.routeRng, n, probs, counts);
    return counts;
  }

  private splitOverShards(n: number, routing: KeyRouting, counts = this.shardCounts): Float64Array {
    if (n <= 12 * counts.length) {
      // Up to about a dozen records per shard: drawing each record's shard (O(n), ~7 ns each) is
      // cheaper than a chain of binomials (O(shards), ~100 ns each, with a power or logarithms).
      this.shardAlias ??= new AliasTable(routing.shardProbabilities);
      counts.fill(0);
      for (let i = 0; i < n; i++) {
        const s = this.shardAlias.sample(this.routeRng);
        counts[s] = counts[s]! + 1;
      }
    } else {
      multinomial(this.routeRng, n, routing.shardProbabilities, counts);
    }
    return counts;
  }

  // -------------------------------------------------------------------------------------------
  // Accounting

  private countAttempt(attempt: number, count: number, accepted: number, acceptedBytes: number): void {
    const c = this.interval;
    const rejected = count - accepted;
    if (attempt === 1) {
      c.firstAttempts += count;
      c.firstAttemptsThrottled += rejected;
    }
    if (this.putRecordApi) {
      c.putRecordCalls += count;
      c.putRecordSuccessful += accepted;
    } else {
      c.putRecordsTotal += count;
      c.putRecordsSuccessful += accepted;
      c.putRecordsThrottled += rejected;
    }
    c.accepted += accepted;
    c.acceptedBytes += acceptedBytes;
    c.incomingRecords += accepted;
    c.incomingBytes += acceptedBytes;
    c.throttled += rejected;
  }

  private drop(count: number, bytes: number): void {
    this.interval.dropped += count;
    this.interval.droppedBytes += bytes;
  }
}

/**
 * Calls `part(shard, k, bytes)` for every shard given records in `counts` (of `count` records and
 * `bytes` in all), in shard order, each part's bytes in proportion to its records and the last
 * part taking what rounding left.
 */
function eachPart(
  counts: Float64Array,
  count: number,
  bytes: number,
  part: (shard: number, k: number, bytes: number) => void,
): void {
  let bytesLeft = bytes;
  let countLeft = count;
  for (let s = 0; s < counts.length; s++) {
    const k = counts[s]!;
    if (k === 0) continue;
    const share = k === countLeft ? bytesLeft : Math.round((bytesLeft * k) / countLeft);
    bytesLeft -= share;
    countLeft -= k;
    part(s, k, share);
  }
}

function countOf(pieces: readonly Cohort[]): number {
  let n = 0;
  for (const piece of pieces) n += piece.count;
  return n;
}

/** Removes the first `accepted` records from a piece (it keeps the rest). */
function shrink(piece: Cohort, accepted: number): void {
  const bytes = prefixBytes(piece.count, piece.bytes, accepted);
  piece.count -= accepted;
  piece.bytes -= bytes;
}

/** Takes the first `k` records off `piece` (same creation times), returning them as a new piece. */
function splitOff(piece: Cohort, k: number): Cohort {
  const bytes = Math.round((piece.bytes * k) / piece.count);
  piece.count -= k;
  piece.bytes -= bytes;
  return new Cohort(
    k,
    bytes,
    piece.originUs,
    piece.spread,
    piece.attempt,
    piece.keyIndex,
    piece.position,
    piece.shardIndex,
    piece.topologyVersion,
    piece.previousBackoffUs,
  );
}

/** The first waiting entry from `from` on that opened at or after `us` (entries are oldest first). */
function openedSince(waiting: readonly WaitingBatches[], us: number, from: number): number {
  let lo = from;
  let hi = waiting.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (waiting[mid]!.openUs < us) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Takes out of `batch` the records created after `nowUs` (cohort pieces created over a span that
 * reaches past now are split, uniformly); returns them, or undefined when there are none.
 */
export function notYetCreated(batch: Cohort[], nowUs: number): Cohort[] | undefined {
  // Pieces join a batch in the order of their creation times: walk back from the newest to the
  // first piece wholly created, and cut there (the pieces before it were created earlier still).
  let i = batch.length - 1;
  while (i >= 0 && batch[i]!.originUs - batch[i]!.spread.lo > nowUs) i--;
  if (i === batch.length - 1) return undefined;
  // batch[i + 1] is the oldest piece not wholly created: split it at `nowUs`.
  const later = batch.splice(i + 1);
  const piece = later[0]!;
  const newest = piece.originUs - piece.spread.lo;
  const oldest = piece.originUs - piece.spread.hi;
  const created = oldest >= nowUs ? 0 : Math.floor((piece.count * (nowUs - oldest)) / (newest - oldest));
  if (created > 0) {
    // The first `created` records stay in the batch, created over [oldest, now].
    const rest = splitOff(piece, piece.count - created);
    rest.spread = { lo: piece.spread.lo, hi: piece.originUs - nowUs };
    piece.spread = { lo: 0, hi: nowUs - oldest };
    piece.originUs = nowUs;
    batch.push(piece);
    later[0] = rest;
  }
  return later;
}

/**
 * Sparse clients' batches as one cohort with `nowUs` as origin: their opening records (the first
 * piece) at the middle of their creation times, the records that joined them (the others) uniformly
 * between then and now — one piece on the wire and in the shards' logs instead of two or three.
 */
function oneCohort(pieces: readonly Cohort[], nowUs: number): Cohort {
  const openers = pieces[0]!;
  let count = 0;
  let bytes = 0;
  for (const p of pieces) {
    count += p.count;
    bytes += p.bytes;
  }
  const openedUs = openers.originUs - (openers.spread.lo + openers.spread.hi) / 2;
  const hi = Math.max(0, Math.round(nowUs - openedUs));
  const spread = { lo: 0, hi, atHi: count > 0 ? openers.count / count : 0 };
  return new Cohort(count, bytes, nowUs, spread, 1, -2, 0, -1, -1, 0);
}

/** Replaces the longest prefix of cohort pieces whose records all exist by `nowUs` with its merge,
 *  if it has `atLeast` pieces (a few at a time are not worth a new piece). */
export function mergeCreatedPrefix(buffer: Cohort[], nowUs: number, atLeast = 2): void {
  let n = 0;
  while (n < buffer.length && buffer[n]!.originUs - buffer[n]!.spread.lo <= nowUs) n++;
  if (n >= atLeast) buffer.splice(0, n, mergePieces(buffer.slice(0, n), nowUs));
}

/** Merges cohort pieces into one whose creation times span theirs, with `nowUs` as origin. */
export function mergePieces(pieces: readonly Cohort[], nowUs: number): Cohort {
  let count = 0;
  let bytes = 0;
  let oldest = Number.POSITIVE_INFINITY;
  let newest = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i]!;
    count += p.count;
    bytes += p.bytes;
    const from = p.originUs - p.spread.hi;
    const to = p.originUs - p.spread.lo;
    if (from < oldest) oldest = from;
    if (to > newest) newest = to;
  }
  const first = pieces[0]!;
  return new Cohort(
    count,
    bytes,
    nowUs,
    { lo: nowUs - newest, hi: nowUs - oldest },
    first.attempt,
    -2,
    0,
    -1,
    -1,
    first.previousBackoffUs,
  );
}

/** E[charged bytes] / E[actual bytes] when each record is rounded up to the next KB. */
function kbRoundingFactor(size: Sampler, meanKeyBytes: number): number {
  const kb = KINESIS.putRecordKbRoundingBytes.value;
  const points = 1024;
  let actual = 0;
  let charged = 0;
  for (let i = 0; i < points; i++) {
    const bytes = Math.round(size.quantile((i + 0.5) / points)) + meanKeyBytes;
    actual += bytes;
    charged += Math.ceil(bytes / kb) * kb;
  }
  return actual > 0 ? charged / actual : 1;
}
