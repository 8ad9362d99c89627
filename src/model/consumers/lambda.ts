// A Lambda event source mapping on a Kinesis stream. Per shard, a poller reads with GetRecords
// (or receives by enhanced fan-out) and deals records into `parallelizationFactor` lanes by
// partition key, so a key always goes to the same lane and stays in order. Each lane invokes
// the function with batches of up to `batchSize` records and 6 MB (after a batching window),
// one at a time, within the function's concurrency limit. A failed batch is retried — by default
// until its records expire, blocking the lane — or, as configured, bisected, retried from the
// reported failed item, or discarded after `maximumRetryAttempts` or `maximumRecordAgeInSeconds`
// (to the on-failure destination when there is one).

import { LAMBDA_ESM } from "../../data/consumer-limits.js";
import { multinomial } from "../../engine/counts.js";
import { compileDistribution } from "../../engine/distributions.js";
import type { RandomStream } from "../../engine/random.js";
import { US_PER_MS, US_PER_S } from "../../engine/time.js";
import { type LambdaSpec, noiseOf } from "../../scenario/consumers.js";
import type { Shard } from "../shard.js";
import { LogEntry, type ReadResult } from "../shard-log.js";
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
import { type PollingReader, type PushReader, type Retrieval, readerFor } from "./readers.js";

/** Wait after a throttled invocation or a failed batch before trying again (a modelling choice: AWS does not document it). */
const RETRY_DELAY_US = US_PER_S;
/** The payload is JSON with base64 data: 4/3 of the record bytes count against the 6 MB. */
const PAYLOAD_FACTOR = 4 / 3;

/** How an invocation run by real code ended. */
export interface InvocationOutcome {
  /** Virtual time the code took (its awaits), µs; the modelled duration is added to it. */
  elapsedUs: number;
  /** −1: the batch succeeded; else the index of the first failed record (0: the whole batch). */
  failedAt: number;
}

/** Runs the function's real code on a batch of a shard, and calls `done` once when it ends. */
export type FunctionInvoker = (
  shard: Shard,
  pieces: readonly LogEntry[],
  done: (outcome: InvocationOutcome) => void,
) => void;

/** Records waiting in a lane, in order. */
interface Batch {
  pieces: LogEntry[];
  records: number;
  bytes: number;
  /** Retries so far (bisection does not count). */
  retries: number;
}

interface Lane {
  shard: ShardState;
  /** Entries waiting for a batch: `queue[head]` onwards (taken from the front without shifting). */
  queue: LogEntry[];
  head: number;
  queuedRecords: number;
  queuedBytes: number;
  /** Batches to run before new ones are formed (bisected halves, the remainder after a reported failure). */
  pending: Batch[];
  busy: boolean;
  /** When the lane became able to invoke with what it holds (for the batching window). */
  readySinceUs: number;
  waking: boolean;
}

interface ShardState {
  shard: Shard;
  cursor: ShardCursor;
  lanes: Lane[];
  reader: PollingReader | PushReader;
  poisonSeq: number;
  /** The reader is waiting for the lanes to drain before fetching more. */
  parked: (() => void) | undefined;
  /** The reader reached the end of a closed shard. */
  readerDone: boolean;
  /** Everything of the shard is finished: its children may start. */
  finished?: boolean;
}

/** A Lambda function reading the stream through an event source mapping. */
export class LambdaConsumer implements Consumer {
  readonly name: string;
  readonly kind = "lambda" as const;
  readonly metrics = new ConsumerMetrics();
  private readonly shards: ShardState[] = [];
  private readonly states = new Map<Shard, ShardState>();
  private readRng!: RandomStream;
  private lineage!: Lineage;
  private started = false;
  private readonly durationModel: ProcessingModel;
  private readonly rng: RandomStream;
  private readonly laneRng: RandomStream;
  private running = 0;
  private readonly limit: number;
  private readonly maxPayload = LAMBDA_ESM.payloadMaxBytes.value;
  private readonly laneCounts: Float64Array;
  private readonly laneShareCache = new Map<Shard, Float64Array>();
  /** Real handler code, when a user's function runs instead of the error and poison model. */
  private invoker: FunctionInvoker | undefined;

  constructor(
    readonly spec: LambdaSpec,
    private readonly context: ConsumerContext,
  ) {
    this.name = spec.name;
    this.rng = context.random.stream(`consumer/${spec.name}/function`);
    this.laneRng = context.random.stream(`consumer/${spec.name}/lanes`);
    this.durationModel = new ProcessingModel(
      spec.duration.baseUs,
      spec.duration.perRecordUs,
      spec.duration.perKiBUs,
      compileDistribution(noiseOf(spec.duration)),
    );
    this.limit = spec.reservedConcurrency ?? spec.accountConcurrency;
    this.laneCounts = new Float64Array(spec.parallelizationFactor);
    this.readRng = context.random.stream(`consumer/${spec.name}/read`);
    this.lineage = new Lineage((shard) => this.states.get(shard)!.reader.start(context.sim.nowUs), true);
    this.lineage.follow(
      context.stream,
      (shard) => this.addShard(shard),
      () => this.started,
    );
    // Poison records are named by the index of the shard at the start (hash-key order).
    spec.poisonRecords.forEach((poison) => {
      const shard = context.stream.open[poison.shard];
      const state = shard ? this.states.get(shard) : undefined;
      if (!state || !shard) return;
      shard.log.onAppend(() => {
        if (
          state.poisonSeq === Number.POSITIVE_INFINITY &&
          context.sim.nowUs >= poison.at &&
          shard.log.nextSeq > 0
        ) {
          state.poisonSeq = shard.log.nextSeq - 1;
        }
      });
    });
  }

  private addShard(shard: Shard): void {
    const spec = this.spec;
    const cursor = new ShardCursor(shard.log, shard.number, shard.log.trimSeq, (n) => {
      this.metrics.interval.expired += n;
    });
    const state: ShardState = {
      shard,
      cursor,
      lanes: [],
      reader: undefined as never,
      poisonSeq: Number.POSITIVE_INFINITY,
      parked: undefined,
      readerDone: false,
    };
    for (let l = 0; l < spec.parallelizationFactor; l++) {
      state.lanes.push({
        shard: state,
        queue: [],
        head: 0,
        queuedRecords: 0,
        queuedBytes: 0,
        pending: [],
        busy: false,
        readySinceUs: 0,
        waking: false,
      });
    }
    const handle = (batch: ReadResult, now: number, done: () => void) => this.deal(state, batch, now, done);
    const onEnd = () => {
      state.readerDone = true;
      this.maybeFinish(state);
    };
    const retrieval: Retrieval = spec.efo
      ? "efo"
      : {
          polling: {
            intervalUs: 0,
            caughtUp: { belowRecords: spec.batchSize, waitUs: LAMBDA_ESM.pollIntervalMs.value * US_PER_MS },
            throttleBackoffUs: RETRY_DELAY_US,
            maxRecords: 10_000,
          },
        };
    state.reader = readerFor(
      this.context,
      retrieval,
      shard,
      cursor,
      this.metrics,
      this.readRng,
      handle,
      onEnd,
    );
    this.shards.push(state);
    this.states.set(shard, state);
  }

  /** A shard is done once its reader reached the end and every lane has drained. */
  private maybeFinish(state: ShardState): void {
    if (!state.readerDone || state.finished) return;
    if (state.lanes.some((l) => l.busy || l.waking || l.queuedRecords > 0 || l.pending.length > 0)) return;
    state.finished = true;
    this.lineage.finish(state.shard);
  }

  start(): void {
    this.context.sim.at(this.spec.start, () => {
      this.started = true;
      startCursors(
        this.shards.map((s) => s.cursor),
        this.spec.startingPosition,
        this.metrics,
      );
      for (const state of [...this.shards]) this.lineage.offer(state.shard);
    });
  }

  /**
   * A poller's batch of records: dealt into lanes by key. The poller then waits until the lanes
   * have room — about one batch per lane — and polls again: at once if it read a full batch or
   * more (more records are probably waiting), after a second otherwise (the reader's caught-up
   * wait: Lambda polls a caught-up shard once per second). Pushed events are taken as they come.
   */
  private deal(state: ShardState, batch: ReadResult, now: number, done: () => void): void {
    // What was read lives in the lanes now (they age it against retention themselves): the shard's
    // log need not keep it for this mapping.
    state.cursor.checkpointSeq = state.cursor.readSeq;
    for (const piece of batch.pieces) this.dealPiece(state, piece, now);
    for (const lane of state.lanes) this.wake(lane);
    if (this.queued(state) < this.spec.batchSize * this.spec.parallelizationFactor) done();
    else state.parked = done;
  }

  /**
   * How a shard's records spread over its lanes at cohort resolution: a lane takes the keys of its
   * slice of the shard's hash range (as a record's lane is chosen at record resolution), so a
   * skewed key distribution loads some lanes more than others.
   */
  private laneSharesOf(shard: Shard): Float64Array {
    let shares = this.laneShareCache.get(shard);
    if (shares) return shares;
    const lanes = this.spec.parallelizationFactor;
    const width = shard.shareOfSpace / lanes;
    shares = new Float64Array(lanes);
    let total = 0;
    for (let l = 0; l < lanes; l++) {
      shares[l] = this.context.keyMass(
        shard.startFraction + l * width,
        shard.startFraction + (l + 1) * width,
      );
      total += shares[l]!;
    }
    for (let l = 0; l < lanes; l++) shares[l] = total > 0 ? shares[l]! / total : 1 / lanes;
    this.laneShareCache.set(shard, shares);
    return shares;
  }

  private dealPiece(state: ShardState, piece: LogEntry, now: number): void {
    const lanes = state.lanes;
    // Aggregated records (KPL) all carry the partition key "a": one key, so one lane — the reason
    // parallelizationFactor does nothing for them.
    if (lanes.length === 1 || piece.kinesisRecords < piece.count) {
      this.enqueue(lanes[0]!, piece, now);
      return;
    }
    if (piece.position >= 0) {
      // One key (or one random key): its lane is fixed by its place within the shard's hash range,
      // which spreads a shard's keys evenly over its lanes (its place in the whole hash space
      // would not: every key of a shard lies within that shard's slice of it).
      const within = (piece.position - state.shard.startFraction) / state.shard.shareOfSpace;
      this.enqueue(
        lanes[Math.max(0, Math.min(lanes.length - 1, Math.floor(within * lanes.length)))]!,
        piece,
        now,
      );
      return;
    }
    // A cohort of many keys: split over the lanes, keeping each part in order.
    multinomial(this.laneRng, piece.count, this.laneSharesOf(state.shard), this.laneCounts);
    let seq = piece.firstSeq;
    for (let l = 0; l < lanes.length; l++) {
      const k = this.laneCounts[l]!;
      if (k === 0) continue;
      const part = new LogEntry(
        seq,
        k,
        Math.round((piece.bytes * k) / piece.count),
        piece.arrivalUs,
        piece.originUs,
        piece.spread,
        piece.keyId,
        -1,
        Math.min(k, Math.max(1, Math.round((piece.kinesisRecords * k) / piece.count))),
        undefined,
        piece.arrivalSpreadUs,
      );
      seq += k;
      this.enqueue(lanes[l]!, part, now);
    }
  }

  private enqueue(lane: Lane, piece: LogEntry, now: number): void {
    if (lane.queuedRecords === 0 && lane.pending.length === 0 && !lane.busy) lane.readySinceUs = now;
    lane.queue.push(piece);
    lane.queuedRecords += piece.count;
    lane.queuedBytes += piece.bytes;
  }

  private queued(state: ShardState): number {
    let n = 0;
    for (const lane of state.lanes) n += lane.queuedRecords;
    return n;
  }

  /** Invokes the function for a lane if it can: idle, records waiting, window passed, concurrency free. */
  private wake(lane: Lane): void {
    if (lane.busy || lane.waking) return;
    const now = this.context.sim.nowUs;
    let batch = lane.pending.shift();
    if (!batch) {
      if (lane.queuedRecords === 0) return;
      const windowEnd = lane.readySinceUs + this.spec.maximumBatchingWindowInSeconds * US_PER_S;
      if (now < windowEnd && !this.fullBatchQueued(lane)) {
        lane.waking = true;
        this.context.sim.at(windowEnd, () => {
          lane.waking = false;
          this.wake(lane);
        });
        return;
      }
      batch = this.takeBatch(lane);
    }
    if (this.running >= this.limit) {
      // Throttled: the batch waits and is retried; throttles do not count as retries.
      this.metrics.interval.throttles++;
      lane.pending.unshift(batch);
      lane.waking = true;
      this.context.sim.schedule(RETRY_DELAY_US, () => {
        lane.waking = false;
        this.wake(lane);
      });
    } else {
      this.invoke(lane, batch, now);
    }
    // Only now that the lane is busy may the poller fetch more (it can call back into wake).
    this.unpark(lane.shard);
  }

  private fullBatchQueued(lane: Lane): boolean {
    if (lane.queuedRecords >= this.spec.batchSize) return true;
    return lane.queuedBytes * PAYLOAD_FACTOR >= this.maxPayload;
  }

  /**
   * Takes up to batchSize Kinesis records and 6 MB of payload from the front of a lane. Lambda
   * does not de-aggregate: an aggregated record (KPL) counts once against batchSize and is never
   * split between batches.
   */
  private takeBatch(lane: Lane): Batch {
    const pieces: LogEntry[] = [];
    let records = 0;
    let kinesisRecords = 0;
    let bytes = 0;
    const queue = lane.queue;
    while (lane.head < queue.length && kinesisRecords < this.spec.batchSize) {
      const head = queue[lane.head]!;
      const usersPerRecord = head.count / head.kinesisRecords;
      const bytesPerRecord = head.bytes / head.kinesisRecords;
      let take = Math.min(head.kinesisRecords, this.spec.batchSize - kinesisRecords);
      const room = Math.floor((this.maxPayload / PAYLOAD_FACTOR - bytes) / bytesPerRecord);
      take = Math.min(take, Math.max(kinesisRecords === 0 ? 1 : 0, room));
      if (take <= 0) break;
      if (take === head.kinesisRecords) {
        pieces.push(head);
        lane.head++;
        records += head.count;
        kinesisRecords += take;
        bytes += head.bytes;
        continue;
      }
      // Part of the head piece fills the batch (log entries are shared: never changed in place).
      const users = Math.max(1, Math.round(take * usersPerRecord));
      const [part, rest] = cut(head, users);
      queue[lane.head] = rest;
      pieces.push(part);
      records += users;
      kinesisRecords += take;
      bytes += part.bytes;
      break;
    }
    lane.queuedRecords -= records;
    lane.queuedBytes -= bytes;
    // The taken front is dropped once it is most of the array (shifting one by one was O(queue)).
    if (lane.head === queue.length) {
      queue.length = 0;
      lane.head = 0;
    } else if (lane.head > 1024 && 2 * lane.head > queue.length) {
      queue.splice(0, lane.head);
      lane.head = 0;
    }
    return { pieces, records, bytes, retries: 0 };
  }

  private unpark(state: ShardState): void {
    if (state.parked && this.queued(state) < this.spec.batchSize * this.spec.parallelizationFactor) {
      const next = state.parked;
      state.parked = undefined;
      next();
    }
  }

  /**
   * Runs real handler code for every invocation from now on: its outcome replaces the modelled
   * errors and poison records, and its awaits add to the modelled duration (the function's compute).
   */
  useFunction(invoker: FunctionInvoker): void {
    this.invoker = invoker;
  }

  private invoke(lane: Lane, batch: Batch, now: number): void {
    const c = this.metrics.interval;
    lane.busy = true;
    this.running++;
    c.invocations++;
    c.concurrencyMax = Math.max(c.concurrencyMax, this.running);
    const last = batch.pieces.at(-1)!;
    // IteratorAge: from the stream receiving the batch's last record to the invocation.
    c.iteratorAgeMaxMs = Math.max(c.iteratorAgeMaxMs, (now - last.arrivalUs) / US_PER_MS);
    // The function is handed Kinesis records (aggregated ones whole): its time per record counts them.
    const kinesisRecords = batch.pieces.reduce((a, p) => a + p.kinesisRecords, 0);
    let duration = this.durationModel.sample(this.rng, kinesisRecords, batch.bytes);
    const timedOut = duration > this.spec.timeout;
    if (timedOut) duration = this.spec.timeout;
    if (this.invoker) {
      this.invokeCode(lane, batch, now, duration);
      return;
    }
    const poisonAt = this.poisonIn(lane.shard, batch);
    const failed =
      timedOut || poisonAt >= 0 || (this.spec.errorRate > 0 && this.rng.next() < this.spec.errorRate);
    this.context.sim.schedule(duration, (t) => this.complete(lane, batch, duration, failed, poisonAt, t));
  }

  /**
   * An invocation by real code: it ends when the code's promise settles plus the modelled
   * duration, or fails at the function's timeout if that comes first (the code's late answer is
   * then ignored, as Lambda ignores a timed-out invocation's).
   */
  private invokeCode(lane: Lane, batch: Batch, now: number, modelledUs: number): void {
    const sim = this.context.sim;
    const timeoutAt = now + this.spec.timeout;
    let ended = false;
    const end = (durationUs: number, failed: boolean, failedAt: number, t: number) => {
      if (ended) return;
      ended = true;
      this.complete(lane, batch, durationUs, failed, failedAt, t);
    };
    sim.at(timeoutAt, (t) => end(this.spec.timeout, true, -1, t));
    this.invoker!(lane.shard.shard, batch.pieces, (outcome) => {
      const finish = now + Math.round(modelledUs + outcome.elapsedUs);
      if (ended || finish >= timeoutAt) return;
      sim.at(Math.max(sim.nowUs, finish), (t) =>
        end(finish - now, outcome.failedAt >= 0, outcome.failedAt, t),
      );
    });
  }

  /** An invocation ended at `t` after `durationUs`: the batch succeeded or failed. */
  private complete(
    lane: Lane,
    batch: Batch,
    durationUs: number,
    failed: boolean,
    poisonAt: number,
    t: number,
  ) {
    this.running--;
    this.metrics.duration.record(durationUs, 1);
    lane.busy = false;
    if (!failed) this.succeed(lane, batch, t);
    else this.fail(lane, batch, poisonAt, t);
    this.wake(lane);
    // Another lane may have been throttled for concurrency: wake the rest of this shard too.
    for (const other of lane.shard.lanes) if (other !== lane) this.wake(other);
    this.maybeFinish(lane.shard);
  }

  /** Index (in records from the batch start) of a poison record in the batch, or −1. */
  private poisonIn(state: ShardState, batch: Batch): number {
    if (state.poisonSeq === Number.POSITIVE_INFINITY) return -1;
    let offset = 0;
    for (const p of batch.pieces) {
      if (p.firstSeq <= state.poisonSeq && state.poisonSeq < p.endSeq) {
        // In a cohort split over lanes, the poison record goes with the part holding its number.
        return offset + (state.poisonSeq - p.firstSeq);
      }
      offset += p.count;
    }
    return -1;
  }

  private succeed(lane: Lane, batch: Batch, now: number): void {
    this.metrics.interval.processed += batch.records;
    this.metrics.recordProcessed(now, batch.pieces);
    lane.shard.cursor.inMemory -= batch.records;
  }

  private fail(lane: Lane, batch: Batch, poisonAt: number, now: number): void {
    const c = this.metrics.interval;
    c.errors++;
    const spec = this.spec;
    // ReportBatchItemFailures: the function reports its first failed record; the ones before it
    // are done, and Lambda retries from it.
    // An item is a Kinesis record: a poison user record inside an aggregated one fails all of it.
    if (spec.functionResponseTypes.includes("ReportBatchItemFailures") && poisonAt > 0) {
      const done = usersOfKinesis(batch.pieces, kinesisBefore(batch.pieces, poisonAt));
      if (done > 0) this.completeRecords(lane, batch, done, now);
    }
    // Records past retention or the maximum age are given up first.
    this.dropOld(lane, batch, now);
    if (batch.records === 0) return;
    const kinesisRecords = batch.pieces.reduce((a, p) => a + p.kinesisRecords, 0);
    if (spec.bisectBatchOnFunctionError && kinesisRecords > 1) {
      // Bisection does not count as a retry; it halves the Kinesis records (never splitting an
      // aggregated one).
      const half = usersOfKinesis(batch.pieces, Math.floor(kinesisRecords / 2));
      const first = { pieces: takeRecords(batch, half), records: half, bytes: 0, retries: batch.retries };
      first.bytes = first.pieces.reduce((a, p) => a + p.bytes, 0);
      batch.bytes -= first.bytes;
      lane.pending.unshift(first, batch);
      return;
    }
    if (spec.maximumRetryAttempts >= 0 && batch.retries >= spec.maximumRetryAttempts) {
      this.giveUp(lane, batch);
      return;
    }
    batch.retries++;
    lane.pending.unshift(batch);
    lane.busy = true; // hold the lane until the retry delay has passed
    this.context.sim.schedule(RETRY_DELAY_US, () => {
      lane.busy = false;
      this.wake(lane);
    });
  }

  /** The first `records` of a batch succeeded (ReportBatchItemFailures). */
  private completeRecords(lane: Lane, batch: Batch, records: number, now: number): void {
    const done = takeRecords(batch, records);
    batch.bytes -= done.reduce((a, p) => a + p.bytes, 0);
    this.metrics.interval.processed += records;
    this.metrics.recordProcessed(now, done);
    lane.shard.cursor.inMemory -= records;
  }

  /** Drops records that left retention (expired) or passed maximumRecordAgeInSeconds (discarded). */
  private dropOld(lane: Lane, batch: Batch, now: number): void {
    const retentionEnd = now - this.context.stream.retentionUs;
    const maxAge = this.spec.maximumRecordAgeInSeconds;
    const ageEnd = maxAge >= 0 ? now - maxAge * US_PER_S : Number.NEGATIVE_INFINITY;
    let expired = 0;
    let old = 0;
    while (batch.pieces.length > 0) {
      const p = batch.pieces[0]!;
      if (p.arrivalUs <= retentionEnd) expired += p.count;
      else if (p.arrivalUs <= ageEnd) old += p.count;
      else break;
      batch.pieces.shift();
      batch.records -= p.count;
      batch.bytes -= p.bytes;
    }
    if (expired > 0) {
      this.metrics.interval.expired += expired;
      lane.shard.cursor.inMemory -= expired;
    }
    if (old > 0) this.discard(lane, old);
  }

  private giveUp(lane: Lane, batch: Batch): void {
    this.discard(lane, batch.records);
    batch.pieces.length = 0;
    batch.records = 0;
  }

  private discard(lane: Lane, records: number): void {
    if (this.spec.onFailure === "none") this.metrics.interval.discarded += records;
    else this.metrics.interval.toDestination += records;
    lane.shard.cursor.inMemory -= records;
  }

  ledger(): ConsumerLedger {
    return ledgerOf(
      this.context.acceptedRecords(),
      this.shards.map((s) => s.cursor),
      this.metrics,
    );
  }

  unread(): number {
    return this.shards.reduce((a, s) => a + s.cursor.unread, 0);
  }

  concurrency(): number {
    return this.running;
  }
}

/** User records in the first `krs` Kinesis records of `pieces`. */
function usersOfKinesis(pieces: readonly LogEntry[], krs: number): number {
  let users = 0;
  let left = krs;
  for (const p of pieces) {
    if (left <= 0) break;
    if (p.kinesisRecords <= left) {
      users += p.count;
      left -= p.kinesisRecords;
      continue;
    }
    users += Math.round((p.count * left) / p.kinesisRecords);
    left = 0;
  }
  return users;
}

/** Kinesis records that the first `users` user records of `pieces` fill completely. */
function kinesisBefore(pieces: readonly LogEntry[], users: number): number {
  let krs = 0;
  let left = users;
  for (const p of pieces) {
    if (left <= 0) break;
    if (p.count <= left) {
      krs += p.kinesisRecords;
      left -= p.count;
      continue;
    }
    krs += Math.floor((p.kinesisRecords * left) / p.count);
    left = 0;
  }
  return krs;
}

/** Removes the first `records` records from a batch's pieces and returns them. */
function takeRecords(batch: Batch, records: number): LogEntry[] {
  const out: LogEntry[] = [];
  let left = records;
  while (left > 0 && batch.pieces.length > 0) {
    const head = batch.pieces[0]!;
    if (head.count <= left) {
      out.push(batch.pieces.shift()!);
      left -= head.count;
      continue;
    }
    const [part, rest] = cut(head, left);
    batch.pieces[0] = rest;
    out.push(part);
    left = 0;
  }
  batch.records -= records;
  return out;
}

/** Splits an entry into its first `k` user records and the rest, as new entries. */
function cut(entry: LogEntry, k: number): [LogEntry, LogEntry] {
  const bytes = Math.round((entry.bytes * k) / entry.count);
  const records = Math.min(
    entry.kinesisRecords,
    Math.max(1, Math.round((entry.kinesisRecords * k) / entry.count)),
  );
  const { arrivalUs, originUs, spread, keyId, position, arrivalSpreadUs } = entry;
  return [
    new LogEntry(
      entry.firstSeq,
      k,
      bytes,
      arrivalUs,
      originUs,
      spread,
      keyId,
      position,
      records,
      undefined,
      arrivalSpreadUs,
    ),
    new LogEntry(
      entry.firstSeq + k,
      entry.count - k,
      entry.bytes - bytes,
      arrivalUs,
      originUs,
      spread,
      keyId,
      position,
      Math.max(entry.kinesisRecords - records, entry.count - k > 0 ? 1 : 0),
      undefined,
      arrivalSpreadUs,
    ),
  ];
}
