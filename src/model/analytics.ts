// An analytics application (Managed Service for Apache Flink, or a Kinesis Data Analytics SQL
// application) reading a stream: `parallelism` subtasks, each a server that processes the batches
// of its shards one after another at the rate the processing model gives; optional tumbling or
// sliding windows by processing time, whose results are emitted when a window closes; a sink that
// writes the output through the Kinesis connector's batching and retries to another stream or a
// delivery stream. Checkpoints record the source positions and the window state; after a failure
// the application restarts from the last checkpoint and reads the records since then again
// (duplicates, counted; the output is at-least-once).

import { compileDistribution, type Sampler } from "../engine/distributions.js";
import type { RandomStream } from "../engine/random.js";
import { IntervalHistogram, NO_SPREAD, type Spread } from "../metrics/latency-histogram.js";
import type { AnalyticsSpec } from "../scenario/analytics.js";
import { noiseOf } from "../scenario/consumers.js";
import {
  type Consumer,
  type ConsumerLedger,
  ConsumerMetrics,
  Lineage,
  ledgerOf,
  ProcessingModel,
  startCursors,
} from "./consumers/consumer.js";
import type { ConsumerContext } from "./consumers/context.js";
import { LeaseCursor } from "./consumers/kcl.js";
import { type BatchHandler, type PollingReader, type PushReader, readerFor } from "./consumers/readers.js";
import type { Producer } from "./producer.js";
import type { Shard } from "./shard.js";
import type { LogEntry, ReadResult } from "./shard-log.js";

/** Counters of an application for an interval (and summed for the run). */
export class AnalyticsCounters {
  recordsIn = 0;
  bytesIn = 0;
  recordsOut = 0;
  bytesOut = 0;
  windowsEmitted = 0;
  /** Subtask time spent processing, µs. */
  busyUs = 0;
  restarts = 0;

  addTo(t: AnalyticsCounters): void {
    t.recordsIn += this.recordsIn;
    t.bytesIn += this.bytesIn;
    t.recordsOut += this.recordsOut;
    t.bytesOut += this.bytesOut;
    t.windowsEmitted += this.windowsEmitted;
    t.busyUs += this.busyUs;
    t.restarts += this.restarts;
  }
}

/** Input records a window holds until it closes (one entry per processed batch). */
interface WindowInput {
  /** Processing time of the batch. */
  atUs: number;
  /** When the batch was read (handed to the application). */
  readUs: number;
  pieces: readonly LogEntry[];
  records: number;
}

/** A subtask: a queue of batches and one server. */
interface Subtask {
  queue: { batch: ReadResult; source: Source; done: () => void; readUs: number }[];
  busy: boolean;
  /** Inputs of the windows still open (processing-time order). */
  window: WindowInput[];
  /** The window state at the last checkpoint. */
  checkpointed: WindowInput[];
  /** Fractional output records carried over (perInput). */
  carry: number;
}

/** One source shard. */
interface Source {
  shard: Shard;
  cursor: LeaseCursor;
  reader: PollingReader | PushReader;
  subtask: Subtask;
  /** End of the last batch processed in this incarnation. */
  position: number;
}

/** An analytics application. */
export class AnalyticsApp implements Consumer {
  readonly name: string;
  readonly kind = "analytics" as const;
  readonly metrics = new ConsumerMetrics();
  readonly interval = new AnalyticsCounters();
  readonly totals = new AnalyticsCounters();
  /** Record creation → the output its window emitted (or, without windows, → processed). */
  readonly emitLatency = new IntervalHistogram();
  /** Processed → emitted: the time records wait for their window to close. */
  readonly windowWait = new IntervalHistogram();
  /** Read → emitted: queueing, processing and the window, the application's part of the latency. */
  readonly appLatency = new IntervalHistogram();
  private readonly subtasks: Subtask[];
  private readonly sources: Source[] = [];
  private readonly processing: ProcessingModel;
  private readonly outputSize: Sampler;
  private readonly rng: RandomStream;
  private readonly readRng: RandomStream;
  private readonly lineage: Lineage;
  private started = false;
  /** Bumped at each failure: work scheduled before it is void. */
  private generation = 0;
  private running = false;
  /** The last window boundary whose windows were closed, µs. */
  private closedUpToUs = 0;
  /** The same, as of the last checkpoint: the windows after it fire again on a restore. */
  private checkpointClosedUpToUs = 0;

  constructor(
    readonly spec: AnalyticsSpec,
    private readonly context: ConsumerContext,
    /** Writes the output: the Kinesis sink's batching, in-flight limit and retries. */
    private readonly sink: Producer,
  ) {
    this.name = spec.name;
    this.rng = context.random.stream(`analytics/${spec.name}/processing`);
    this.readRng = context.random.stream(`analytics/${spec.name}/read`);
    const p = spec.processing;
    this.processing = new ProcessingModel(
      p.baseUs,
      p.perRecordUs,
      p.perKiBUs,
      compileDistribution(noiseOf(p)),
    );
    this.outputSize = compileDistribution({ ...spec.output.recordSize, clampMin: 0 });
    this.subtasks = Array.from({ length: spec.parallelism }, () => ({
      queue: [],
      busy: false,
      window: [],
      checkpointed: [],
      carry: 0,
    }));
    this.lineage = new Lineage((shard) => this.sourceOf(shard).reader.start(context.sim.nowUs), true);
    this.lineage.follow(
      context.stream,
      (shard) => this.addSource(shard),
      () => this.started,
    );
  }

  private sourceOf(shard: Shard): Source {
    return this.sources.find((s) => s.shard === shard)!;
  }

  private addSource(shard: Shard): void {
    const cursor = new LeaseCursor(shard.log, shard.number, shard.log.trimSeq, (n) => {
      this.metrics.interval.expired += n;
    });
    const subtask = this.subtasks[shard.number % this.subtasks.length]!;
    const source: Source = { shard, cursor, reader: undefined as never, subtask, position: cursor.readSeq };
    const handle: BatchHandler = (batch, now, done) => {
      subtask.queue.push({ batch, source, done, readUs: now });
      this.serve(subtask);
    };
    source.reader = readerFor(
      this.context,
      {
        polling: {
          intervalUs: this.spec.source.pollInterval,
          throttleBackoffUs: this.spec.source.pollInterval,
          maxRecords: 10_000,
        },
      },
      shard,
      cursor,
      this.metrics,
      this.readRng,
      handle,
      () => this.lineage.finish(shard),
    );
    this.sources.push(source);
  }

  start(): void {
    const sim = this.context.sim;
    sim.at(this.spec.start, () => {
      this.started = true;
      this.running = true;
      startCursors(
        this.sources.map((s) => s.cursor),
        this.spec.source.startingPosition,
        this.metrics,
      );
      for (const s of this.sources) {
        s.cursor.processedTo = s.cursor.readSeq;
        s.position = s.cursor.readSeq;
      }
      for (const s of [...this.sources]) this.lineage.offer(s.shard);
      sim.every(this.spec.checkpointInterval, () => this.checkpoint());
      const w = this.spec.window;
      this.closedUpToUs = sim.nowUs;
      this.checkpointClosedUpToUs = sim.nowUs;
      if (w.type !== "none") sim.every(this.windowStep(), (t) => this.closeWindows(t));
    });
    for (const f of this.spec.failures) sim.at(f.at, () => this.fail(f.restart));
  }

  // -------------------------------------------------------------------------------------------
  // Processing

  private serve(subtask: Subtask): void {
    if (subtask.busy || !this.running) return;
    const next = subtask.queue.shift();
    if (!next) return;
    subtask.busy = true;
    const generation = this.generation;
    const { batch, source, done, readUs } = next;
    const took = this.processing.sample(this.rng, batch.users, batch.bytes);
    this.interval.busyUs += took;
    this.context.sim.schedule(took, (t) => {
      if (generation !== this.generation) return; // the application failed meanwhile
      subtask.busy = false;
      const cursor = source.cursor;
      const start = batch.endSeq - batch.users;
      const fresh = Math.max(0, batch.endSeq - Math.max(start, cursor.processedTo));
      const c = this.metrics.interval;
      c.processed += fresh;
      c.duplicates += batch.users - fresh;
      const replayBelow = cursor.processedTo;
      cursor.processedTo = Math.max(cursor.processedTo, batch.endSeq);
      cursor.inMemory -= batch.users;
      source.position = batch.endSeq;
      this.metrics.recordProcessed(t, batch.pieces, replayBelow);
      this.interval.recordsIn += batch.users;
      this.interval.bytesIn += batch.bytes;
      if (this.spec.window.type === "none") {
        this.appLatency.record(t - readUs, batch.users);
        this.emitPassThrough(subtask, batch.pieces, t);
      } else {
        subtask.window.push({ atUs: t, readUs, pieces: batch.pieces, records: batch.users });
      }
      done();
      this.serve(subtask);
    });
  }

  /** Without windows: each processed record yields `perInput` outputs at once. */
  private emitPassThrough(subtask: Subtask, pieces: readonly LogEntry[], now: number): void {
    const perInput = this.spec.output.perInput ?? 1;
    for (const p of pieces) {
      subtask.carry += p.count * perInput;
      const out = Math.floor(subtask.carry);
      subtask.carry -= out;
      this.emitLatency.recordSpread(now - p.originUs, p.count, p.spread);
      if (out > 0) this.emit(out, p.originUs, p.spread);
    }
  }

  /** Time between window boundaries: the size of a tumbling window, the slide of a sliding one. */
  private windowStep(): number {
    const w = this.spec.window;
    return w.type === "tumbling" ? w.size : w.type === "sliding" ? w.slide : 0;
  }

  /**
   * At a window boundary: every subtask emits the results of the window that ends at `boundary`.
   * `now` is later than the boundary only when a restored application fires the windows that
   * ended while it was down.
   */
  private closeWindows(boundary: number, now = boundary): void {
    if (!this.running) return;
    if (now === boundary && boundary <= this.closedUpToUs) return; // fired already, at a restore
    this.closedUpToUs = boundary;
    const w = this.spec.window;
    const size = w.type === "tumbling" ? w.size : w.type === "sliding" ? w.size : 0;
    const covers = (x: WindowInput) => x.atUs >= boundary - size && x.atUs < boundary;
    const totalIn = this.subtasks.reduce(
      (a, s) => a + s.window.filter(covers).reduce((b, x) => b + x.records, 0),
      0,
    );
    for (const subtask of this.subtasks) {
      const inWindow = subtask.window.filter(covers);
      const records = inWindow.reduce((a, x) => a + x.records, 0);
      if (records === 0) continue;
      this.interval.windowsEmitted++;
      // Records emitted for the first time (sliding windows emit a record in several windows).
      const fresh = w.type === "sliding" ? inWindow.filter((x) => x.atUs >= boundary - w.slide) : inWindow;
      for (const input of fresh) {
        this.windowWait.record(now - input.atUs, input.records);
        this.appLatency.record(now - input.readUs, input.records);
        for (const p of input.pieces) this.emitLatency.recordSpread(now - p.originUs, p.count, p.spread);
      }
      // One row per group key of the window, shared among subtasks by their share of the input.
      const perWindow = this.spec.output.recordsPerWindow ?? 0;
      subtask.carry += (perWindow * records) / totalIn + records * (this.spec.output.perInput ?? 0);
      const out = Math.floor(subtask.carry);
      subtask.carry -= out;
      if (out > 0) this.emit(out, now, NO_SPREAD);
      // A tumbling window forgets its input; a sliding one keeps what later windows still cover.
      const keepFrom = w.type === "sliding" ? boundary - w.size + w.slide : boundary;
      subtask.window = subtask.window.filter((x) => x.atUs >= keepFrom);
    }
  }

  private emit(count: number, originUs: number, spread: Spread): void {
    let bytes = 0;
    for (let i = 0; i < Math.min(count, 16); i++) bytes += Math.round(this.outputSize.sample(this.rng));
    if (count > 16) bytes = Math.round((bytes / 16) * count);
    this.interval.recordsOut += count;
    this.interval.bytesOut += bytes;
    this.sink.inject(count, bytes, originUs, spread);
  }

  // -------------------------------------------------------------------------------------------
  // Checkpoints and failures

  private checkpoint(): void {
    if (!this.running) return;
    for (const s of this.sources) s.cursor.checkpointSeq = Math.max(s.cursor.checkpointSeq, s.position);
    for (const subtask of this.subtasks) subtask.checkpointed = [...subtask.window];
    this.checkpointClosedUpToUs = this.closedUpToUs;
  }

  /** The application fails: work in progress is lost; it restarts from its last checkpoint. */
  private fail(restartUs: number): void {
    if (!this.running) return;
    this.running = false;
    this.generation++;
    this.interval.restarts++;
    for (const s of this.sources) s.reader.stop();
    for (const subtask of this.subtasks) {
      subtask.queue = [];
      subtask.busy = false;
    }
    this.context.sim.schedule(restartUs, (t) => {
      this.running = true;
      for (const subtask of this.subtasks) subtask.window = [...subtask.checkpointed];
      // As Flink restores its timers: the windows that had not closed at the checkpoint and whose
      // end has passed fire now, from the restored state. Those that closed between the checkpoint
      // and the failure fire a second time (the sink is at-least-once).
      const step = this.windowStep();
      if (step > 0)
        for (let b = this.checkpointClosedUpToUs + step; b <= t; b += step) this.closeWindows(b, t);
      for (const s of this.sources) {
        s.cursor.inMemory = 0;
        s.cursor.readSeq = Math.max(s.cursor.checkpointSeq, s.cursor.log.trimSeq);
        s.position = s.cursor.readSeq;
        s.reader.start(t);
      }
    });
  }

  // -------------------------------------------------------------------------------------------
  // State for metrics and the ledger

  /** Time the application has been running, µs (from its start to now). */
  runningUs(): number {
    return Math.max(0, this.context.sim.nowUs - this.spec.start);
  }

  /** Records queued at the subtasks. */
  backlog(): number {
    let n = 0;
    for (const s of this.subtasks) for (const q of s.queue) n += q.batch.users;
    return n;
  }

  /** Closes the interval. */
  closeInterval(): void {
    this.interval.addTo(this.totals);
    Object.assign(this.interval, new AnalyticsCounters());
    this.emitLatency.closeInterval();
    this.windowWait.closeInterval();
    this.appLatency.closeInterval();
  }

  ledger(): ConsumerLedger {
    return ledgerOf(
      this.context.acceptedRecords(),
      this.sources.map((s) => s.cursor),
      this.metrics,
    );
  }

  unread(): number {
    return this.sources.reduce((a, s) => a + s.cursor.unread, 0);
  }

  concurrency(): number {
    return 0;
  }
}
