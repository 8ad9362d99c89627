// A producer fleet: `instances` clients creating records at the profile's rate, batching them
// into PutRecords requests (or sending PutRecord calls), and resending what a shard throttles
// with the retry policy until it is accepted or dropped.
//
// Two front ends feed one wire. At record resolution every record is followed: each instance
// keeps its own batch buffer, in-flight limit and send queue. At cohort resolution the fleet is
// aggregated per tick: the records created in a tick travel as one cohort; a few representative
// clients, simulated request by request, tell it how long its records wait for their batch and an
// in-flight slot and how long the request takes, and the cohort carries that wait's distribution
// (a Spread) so latency percentiles stay right. From the wire on, both resolutions share the
// code: a record is a cohort of one.

import { AliasTable } from "../engine/alias-table.js";
import { multinomial, poisson } from "../engine/counts.js";
import { compileDistribution, type Sampler } from "../engine/distributions.js";
import type { RandomStream, RandomStreams } from "../engine/random.js";
import type { Simulation } from "../engine/simulation.js";
import { US_PER_S } from "../engine/time.js";
import { KINESIS } from "../data/kinesis-limits.js";
import { LatencyHistogram, maxOffset, NO_SPREAD, type Spread } from "../metrics/latency-histogram.js";
import { WriteCounters } from "../metrics/write-counters.js";
import type { ResolvedProducer } from "../scenario/schema.js";
import { KeySpace, type KeyRouting } from "./keys.js";
import { backoffDelay } from "./retry.js";
import type { Stream } from "./stream.js";
import { ArrivalClock, type RateFunction, rateFunction } from "./traffic.js";
import { type FlushSample, RepresentativeClient } from "./client.js";

/** Records travelling together: one record at record resolution, many at cohort resolution. */
export class Cohort {
  constructor(
    public count: number,
    /** Bytes, partition keys included (data only for unrouted cohort-resolution cohorts). */
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
}

/**
 * Per-instance state at record resolution. A batch is sent when its linger time is up (or it is
 * full) and an in-flight slot is free; while it waits for a slot it keeps taking records until
 * full. Full batches, and retries, queue for slots (retries first).
 */
interface Instance {
  buffer: Cohort[];
  bufferBytes: number;
  /** The open batch's linger time is up. */
  lingerDue: boolean;
  /** Bumped when a batch closes, so a stale linger timer does nothing. */
  batchToken: number;
  /** Closed batches waiting for an in-flight slot. */
  queue: Cohort[][];
  queuedRecords: number;
  inFlight: number;
}

/** Records created at cohort resolution that have not been sent yet. */
interface Unsent {
  sendUs: number;
  count: number;
}

/** Run-wide settings a producer needs. */
export interface ProducerContext {
  sim: Simulation;
  stream: Stream;
  random: RandomStreams;
  runEndUs: number;
  /** Cohort tick in µs, or undefined for record resolution. */
  tickUs: number | undefined;
  /** Test hook: lose the records of the first landing at or after this time without a trace. */
  leakAtUs?: number;
}

/** Largest cohort whose record sizes are drawn one by one; above it the sum is drawn as a normal. */
const EXACT_SIZE_SUM_LIMIT = 16;
/** Representative clients per fleet at cohort resolution (more: smoother latency tails). */
const REPRESENTATIVE_CLIENTS = 8;

/** A producer fleet. */
export class Producer {
  readonly name: string;
  /** Counters of the current interval and of the run. */
  readonly interval = new WriteCounters();
  readonly totals = new WriteCounters();
  /** Creation-to-acceptance latency of the current interval, and of the run. */
  readonly latency = new LatencyHistogram();
  readonly latencyTotal = new LatencyHistogram();
  /** Records handed to the wire (at cohort resolution, from their tick on), or backing off. */
  pendingRecords = 0;

  private readonly sim: Simulation;
  private readonly stream: Stream;
  private readonly rate: RateFunction;
  private readonly size: Sampler;
  private readonly keys: KeySpace;
  private readonly latencySampler: Sampler;
  private readonly traffic: RandomStream;
  private readonly routeRng: RandomStream;
  private readonly retryRng: RandomStream;
  private readonly latencyRng: RandomStream;
  private readonly stopUs: number;
  private readonly putRecordApi: boolean;
  /** Charged/actual bytes for PutRecord (each record rounded up to 1 KB for throttling). */
  private readonly roundingFactor: number;
  private routing: KeyRouting | undefined;
  private routingVersion = -1;
  private shardAlias: AliasTable | undefined;
  private shardCounts = new Float64Array(0);
  private leakAtUs: number;

  // Record resolution.
  private readonly instances: Instance[] = [];
  private arrivals: ArrivalClock | undefined;
  // Cohort resolution.
  private readonly clients: RepresentativeClient[] = [];
  private tickCount = 0;
  private evenCarry = 0;
  private readonly unsent: Unsent[] = [];
  private unsentCount = 0;

  constructor(
    readonly spec: ResolvedProducer,
    private readonly context: ProducerContext,
  ) {
    this.name = spec.name;
    this.sim = context.sim;
    this.stream = context.stream;
    const base = `producer/${spec.name}`;
    this.traffic = context.random.stream(`${base}/traffic`);
    this.routeRng = context.random.stream(`${base}/route`);
    this.retryRng = context.random.stream(`${base}/retry`);
    this.latencyRng = context.random.stream(`${base}/latency`);
    this.stopUs = Math.min(spec.stop ?? context.runEndUs, context.runEndUs);
    this.rate = rateFunction(spec.rate, spec.start, this.stopUs, context.runEndUs);
    this.keys = new KeySpace(spec.partitionKey);
    const maxKeyBytes = Math.max(this.keys.randomKeyBytes, ...this.keys.keyBytes);
    const maxDataBytes = Math.max(0, this.stream.maxRecordSize - maxKeyBytes);
    this.size = compileDistribution({ ...spec.recordSize, clampMin: 0, clampMax: maxDataBytes });
    this.latencySampler = compileDistribution({ ...spec.latency, clampMin: 0 });
    this.putRecordApi = spec.api === "PutRecord";
    this.roundingFactor = this.putRecordApi ? kbRoundingFactor(this.size, this.keys.meanKeyBytes) : 1;
    this.leakAtUs = context.leakAtUs ?? Number.POSITIVE_INFINITY;
    if (context.tickUs === undefined) {
      this.arrivals = new ArrivalClock(this.rate, spec.arrivals, this.traffic, this.stopUs);
      for (let i = 0; i < spec.instances; i++) {
        this.instances.push({ buffer: [], bufferBytes: 0, lingerDue: false, batchToken: 0, queue: [], queuedRecords: 0, inFlight: 0 });
      }
    } else {
      const meanRecordBytes = this.size.mean + this.keys.meanKeyBytes;
      const maxRecordsPerBatch = this.putRecordApi
        ? 1
        : Math.max(1, Math.min(spec.batch.maxRecords, Math.floor(spec.batch.maxBytes / Math.max(1, meanRecordBytes))));
      const count = Math.min(spec.instances, REPRESENTATIVE_CLIENTS);
      for (let i = 0; i < count; i++) {
        const rng = context.random.stream(`${base}/client/${i}`);
        const settings = {
          arrivals: new ArrivalClock(this.rate, spec.arrivals, rng, this.stopUs, 1 / spec.instances),
          rate: this.rate,
          scale: 1 / spec.instances,
          maxRecordsPerBatch,
          lingerUs: this.putRecordApi ? 0 : spec.batch.linger,
          slots: spec.maxInFlight,
          latency: this.latencySampler,
          rng,
          evenArrivals: spec.arrivals === "even",
        };
        this.clients.push(new RepresentativeClient(settings, spec.start));
      }
    }
  }

  /** Starts producing. */
  start(): void {
    const tick = this.context.tickUs;
    if (tick === undefined) {
      this.scheduleArrival(this.spec.start);
    } else {
      const first = Math.floor(this.spec.start / tick) * tick;
      if (first < this.stopUs) this.sim.at(first, this.onTick);
    }
  }

  /** Records created but not yet accepted or dropped: buffered, queued, on the wire, backing off. */
  inFlightRecords(): number {
    let n = this.pendingRecords;
    for (const instance of this.instances) n += instance.buffer.length + instance.queuedRecords;
    return n;
  }

  /** Records sent and not yet answered, or waiting out a backoff. */
  wireRecords(): number {
    return this.inFlightRecords() - this.bufferedRecords();
  }

  /** Records created but not sent yet: in client buffers and send queues. */
  bufferedRecords(): number {
    let n = 0;
    for (const instance of this.instances) n += instance.buffer.length + instance.queuedRecords;
    const now = this.sim.nowUs;
    while (this.unsent.length > 0 && this.unsent[0]!.sendUs <= now) this.unsentCount -= this.unsent.shift()!.count;
    return n + this.unsentCount;
  }

  /** Closes the interval: adds its counters to the totals and clears them. */
  closeInterval(): void {
    this.interval.addTo(this.totals);
    this.interval.reset();
    this.latencyTotal.add(this.latency);
    this.latency.reset();
  }

  // -------------------------------------------------------------------------------------------
  // Routing

  private currentRouting(): KeyRouting {
    if (this.routingVersion !== this.stream.topologyVersion) {
      this.routing = this.keys.route(this.stream);
      this.routingVersion = this.stream.topologyVersion;
      this.shardAlias = undefined;
      if (this.shardCounts.length !== this.stream.openCount) this.shardCounts = new Float64Array(this.stream.openCount);
    }
    return this.routing!;
  }

  // -------------------------------------------------------------------------------------------
  // Record resolution: arrivals, batching, in-flight slots

  private scheduleArrival(fromUs: number): void {
    const t = this.arrivals!.next(fromUs);
    if (t < this.stopUs) this.sim.at(Math.max(this.sim.nowUs, Math.round(t)), this.onArrival);
  }

  private readonly onArrival = (now: number): void => {
    const keyIndex = this.keys.sample(this.traffic);
    const position = keyIndex < 0 ? this.traffic.next() : 0;
    const bytes = Math.round(this.size.sample(this.traffic)) + this.keys.bytesOf(keyIndex);
    const record = new Cohort(1, bytes, now, NO_SPREAD, 1, keyIndex, position, -1, -1, 0);
    this.interval.produced++;
    this.interval.producedBytes += bytes;
    const instance = this.instances[this.instances.length === 1 ? 0 : this.traffic.int(this.instances.length)]!;
    if (this.putRecordApi) {
      this.queueBatch(instance, [record], false);
    } else {
      this.addToBatch(instance, record);
    }
    this.pump(instance);
    this.scheduleArrival(now);
  };

  private addToBatch(instance: Instance, record: Cohort): void {
    const batch = this.spec.batch;
    if (instance.buffer.length > 0 && instance.bufferBytes + record.bytes > batch.maxBytes) this.closeBatch(instance);
    instance.buffer.push(record);
    instance.bufferBytes += record.bytes;
    if (instance.buffer.length >= batch.maxRecords) {
      this.closeBatch(instance);
    } else if (instance.buffer.length === 1) {
      if (batch.linger === 0) {
        instance.lingerDue = true;
      } else {
        const token = instance.batchToken;
        this.sim.schedule(batch.linger, () => {
          if (instance.batchToken !== token) return;
          instance.lingerDue = true;
          this.pump(instance);
        });
      }
    }
  }

  /** Closes the open batch into the send queue. */
  private closeBatch(instance: Instance): void {
    const batch = instance.buffer;
    instance.buffer = [];
    instance.bufferBytes = 0;
    instance.lingerDue = false;
    instance.batchToken++;
    this.queueBatch(instance, batch, false);
  }

  private queueBatch(instance: Instance, batch: Cohort[], front: boolean): void {
    if (front) instance.queue.unshift(batch);
    else instance.queue.push(batch);
    instance.queuedRecords += batch.length;
  }

  /** Sends queued batches, then the open batch if its linger time is up, while slots are free. */
  private pump(instance: Instance): void {
    while (instance.inFlight < this.spec.maxInFlight) {
      const next = instance.queue.shift();
      if (next) {
        instance.queuedRecords -= next.length;
        this.sendRequest(instance, next);
      } else if (instance.lingerDue && instance.buffer.length > 0) {
        const batch = instance.buffer;
        instance.buffer = [];
        instance.bufferBytes = 0;
        instance.lingerDue = false;
        instance.batchToken++;
        this.sendRequest(instance, batch);
      } else {
        return;
      }
    }
  }

  private sendRequest(instance: Instance, batch: Cohort[]): void {
    instance.inFlight++;
    this.pendingRecords += batch.length;
    const latency = Math.round(this.latencySampler.sample(this.latencyRng));
    this.sim.schedule(latency, (now) => this.landRequest(instance, batch, now));
  }

  private landRequest(instance: Instance, batch: Cohort[], now: number): void {
    instance.inFlight--;
    this.pendingRecords -= batch.length;
    if (now >= this.leakAtUs) {
      this.leakAtUs = Number.POSITIVE_INFINITY; // lose this request's records, deliberately unaccounted
    } else {
      const routing = this.currentRouting();
      let rejected: Cohort[] | undefined;
      for (const record of batch) {
        const shard = record.keyIndex >= 0 ? routing.shardOfKey[record.keyIndex]! : this.stream.shardOfFraction(record.position);
        const charged = this.putRecordApi ? Math.ceil(record.bytes / 1024) * 1024 : record.bytes;
        const accepted = this.stream.write(now, shard, 1, record.bytes, charged);
        this.countAttempt(record.attempt, 1, accepted, accepted === 1 ? record.bytes : 0);
        if (accepted === 1) {
          this.latency.record(now - record.originUs, 1);
        } else {
          (rejected ??= []).push(record);
        }
      }
      if (rejected) this.retryRecords(instance, rejected, now);
    }
    this.pump(instance);
  }

  /** Resends the throttled records of one request as one request after one backoff. */
  private retryRecords(instance: Instance, records: Cohort[], now: number): void {
    const attempt = records[0]!.attempt;
    const policy = this.spec.retry;
    if (attempt >= policy.maxAttempts) {
      for (const record of records) this.drop(record.count, record.bytes);
      return;
    }
    const delay = backoffDelay(policy, attempt - 1, records[0]!.previousBackoffUs, this.retryRng);
    const kept: Cohort[] = [];
    for (const record of records) {
      if (now + delay - record.originUs > policy.recordTtl) {
        this.drop(record.count, record.bytes);
        continue;
      }
      record.attempt = attempt + 1;
      record.previousBackoffUs = delay;
      kept.push(record);
    }
    if (kept.length === 0) return;
    this.pendingRecords += kept.length;
    this.interval.retried += kept.length;
    this.sim.schedule(delay, () => {
      this.pendingRecords -= kept.length;
      this.queueBatch(instance, kept, true);
      this.pump(instance);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Cohort resolution: per-tick fleet cohorts

  private readonly onTick = (now: number): void => {
    const tick = this.context.tickUs!;
    const end = Math.min(now + tick, this.stopUs);
    const expected = this.rate.integral(now, end);
    let count: number;
    if (this.spec.arrivals === "even") {
      this.evenCarry += expected;
      count = Math.floor(this.evenCarry);
      this.evenCarry -= count;
    } else {
      count = poisson(this.traffic, expected);
    }
    const client = this.clients[this.tickCount++ % this.clients.length]!;
    for (const c of this.clients) c.advanceTo(end);
    if (count > 0) {
      const dataBytes = this.sumSizes(count);
      this.interval.produced += count;
      this.interval.producedBytes += dataBytes + Math.round(count * this.keys.meanKeyBytes);
      this.sendCohort(now, end - now, count, dataBytes, client.last);
    }
    if (now + tick < this.stopUs) this.sim.at(now + tick, this.onTick);
  };

  /** Sum of `count` record sizes (data only). */
  private sumSizes(count: number): number {
    if (count <= EXACT_SIZE_SUM_LIMIT) {
      let sum = 0;
      for (let i = 0; i < count; i++) sum += Math.round(this.size.sample(this.traffic));
      return sum;
    }
    const sum = count * this.size.mean + Math.sqrt(count * this.size.variance) * this.traffic.normal();
    return Math.max(0, Math.round(sum));
  }

  /**
   * Sends a tick's records as one cohort. Its records wait for their batch and a slot as the
   * representative client's latest request did: the batch's first record waited from the batch
   * start to the send, later ones from their creation (uniform over the batch's open time).
   */
  private sendCohort(tickStartUs: number, tickUs: number, count: number, dataBytes: number, sample: FlushSample | undefined): void {
    let spread: Spread = NO_SPREAD;
    let meanWait = 0;
    let serviceUs = Math.round(this.latencySampler.mean);
    if (sample) {
      const first = sample.sendUs - sample.startUs;
      const lo = sample.sendUs - sample.closeUs;
      const pFirst = 1 / sample.records;
      spread = sample.records === 1 ? { pPoint: 1, point: first, lo: first, hi: first } : { pPoint: pFirst, point: first, lo, hi: first };
      meanWait = pFirst * first + (1 - pFirst) * ((lo + first) / 2);
      serviceUs = sample.serviceUs;
    }
    const origin = Math.max(this.sim.nowUs, Math.round(tickStartUs + tickUs / 2 + meanWait));
    const cohort = new Cohort(count, dataBytes, origin, spread, 1, -2, 0, -1, -1, 0);
    this.pendingRecords += count;
    if (origin > this.sim.nowUs) {
      // Not sent yet: counted as buffered until its send time.
      this.unsent.push({ sendUs: origin, count });
      this.unsentCount += count;
    }
    this.sim.at(origin + serviceUs, (t) => this.landCohort(cohort, t));
  }

  /** A fresh cohort arrives at the service: split over shards, then offered to each. */
  private landCohort(cohort: Cohort, now: number): void {
    this.pendingRecords -= cohort.count;
    this.bufferedRecords(); // retire unsent entries whose send time has passed
    if (now >= this.leakAtUs) {
      this.leakAtUs = Number.POSITIVE_INFINITY; // lose this cohort, deliberately unaccounted
      return;
    }
    const routing = this.currentRouting();
    const counts = this.splitOverShards(cohort.count, routing);
    let bytesLeft = cohort.bytes;
    let countLeft = cohort.count;
    for (let s = 0; s < counts.length; s++) {
      const k = counts[s]!;
      if (k === 0) continue;
      const dataBytes = k === countLeft ? bytesLeft : Math.round((bytesLeft * k) / countLeft);
      bytesLeft -= dataBytes;
      countLeft -= k;
      const bytes = dataBytes + Math.round(k * routing.meanKeyBytes[s]!);
      this.offerPiece(new Cohort(k, bytes, cohort.originUs, cohort.spread, 1, -2, 0, s, this.stream.topologyVersion, 0), now);
    }
  }

  /** Splits `n` records over the open shards by the key routing's probabilities. */
  private splitOverShards(n: number, routing: KeyRouting): Float64Array {
    const counts = this.shardCounts;
    const shards = counts.length;
    if (n * 4 < shards) {
      // Few records over many shards: draw each record's shard (O(n)) instead of O(shards).
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

  /** Offers a routed piece to its shard; the throttled part is retried or dropped. */
  private offerPiece(piece: Cohort, now: number): void {
    if (piece.topologyVersion !== this.stream.topologyVersion) {
      // The shard set changed while the piece was away; route it again (resharding).
      this.splitRoutedPiece(piece, now);
      return;
    }
    const charged = Math.round(piece.bytes * this.roundingFactor);
    const accepted = this.stream.write(now, piece.shardIndex, piece.count, piece.bytes, charged);
    const acceptedBytes = accepted === piece.count ? piece.bytes : Math.round((piece.bytes * accepted) / piece.count);
    this.countAttempt(piece.attempt, piece.count, accepted, acceptedBytes);
    if (accepted > 0) this.latency.recordSpread(now - piece.originUs, accepted, piece.spread);
    if (accepted === piece.count) return;
    piece.count -= accepted;
    piece.bytes -= acceptedBytes;
    this.retryPiece(piece, now);
  }

  private splitRoutedPiece(piece: Cohort, now: number): void {
    const fresh = new Cohort(piece.count, piece.bytes, piece.originUs, piece.spread, piece.attempt, -2, 0, -1, -1, piece.previousBackoffUs);
    const routing = this.currentRouting();
    const counts = this.splitOverShards(fresh.count, routing);
    let bytesLeft = fresh.bytes;
    let countLeft = fresh.count;
    for (let s = 0; s < counts.length; s++) {
      const k = counts[s]!;
      if (k === 0) continue;
      const bytes = k === countLeft ? bytesLeft : Math.round((bytesLeft * k) / countLeft);
      bytesLeft -= bytes;
      countLeft -= k;
      this.offerPiece(new Cohort(k, bytes, fresh.originUs, fresh.spread, fresh.attempt, -2, 0, s, this.stream.topologyVersion, fresh.previousBackoffUs), now);
    }
  }

  private retryPiece(piece: Cohort, now: number): void {
    const policy = this.spec.retry;
    if (piece.attempt >= policy.maxAttempts) {
      this.drop(piece.count, piece.bytes);
      return;
    }
    const delay = backoffDelay(policy, piece.attempt - 1, piece.previousBackoffUs, this.retryRng);
    if (now + delay - piece.originUs + maxOffset(piece.spread) / 2 > policy.recordTtl) {
      this.drop(piece.count, piece.bytes);
      return;
    }
    piece.attempt++;
    piece.previousBackoffUs = delay;
    this.pendingRecords += piece.count;
    this.interval.retried += piece.count;
    const latency = Math.round(this.latencySampler.sample(this.latencyRng));
    this.sim.schedule(delay + latency, (t) => {
      this.pendingRecords -= piece.count;
      this.offerPiece(piece, t);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Shared accounting

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
    c.throttled += rejected;
  }

  private drop(count: number, bytes: number): void {
    this.interval.dropped += count;
    this.interval.droppedBytes += bytes;
  }
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
