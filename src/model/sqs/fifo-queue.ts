// An Amazon SQS FIFO queue, for comparing ordering and throughput with Kinesis. Producers send
// through the same pipeline as to a stream (SendMessageBatch of up to 10, SendMessage one at a
// time); the partition key is the message group id. Every API action has its own calls-per-second
// quota (300 without high throughput). Workers receive up to 10 messages — as many of one group
// as there are, then from other groups — and a group with a message in flight delivers nothing
// more until that message is deleted or its visibility timeout runs out; that is what keeps each
// group in order, and what caps the useful workers at the number of active groups.

import { SQS_FIFO } from "../../data/sqs-limits.js";
import { compileDistribution } from "../../engine/distributions.js";
import type { RandomStream } from "../../engine/random.js";
import type { Simulation } from "../../engine/simulation.js";
import { IntervalHistogram, type Spread } from "../../metrics/latency-histogram.js";
import { noiseOf } from "../../scenario/consumers.js";
import type { QueueSpec } from "../../scenario/queues.js";
import { KeyOrder, ProcessingModel } from "../consumers/consumer.js";
import { CallQuota } from "../limiter.js";
import { SinglePartitionTarget, type WriteTarget } from "../write-target.js";

interface Message {
  group: number;
  originUs: number;
  sentUs: number;
  bytes: number;
  /** Deliveries so far (1 on the first receive). */
  receives: number;
}

interface Group {
  messages: Message[];
  inFlight: boolean;
  /** In the ready list (has messages and none in flight). */
  ready: boolean;
}

/** Counters of a queue over an interval or the run. */
export class QueueCounters {
  sent = 0;
  sentBytes = 0;
  sendThrottled = 0;
  receiveCalls = 0;
  emptyReceives = 0;
  callsThrottled = 0;
  deleteCalls = 0;
  processed = 0;
  redelivered = 0;
  duplicates = 0;
  busyWorkersMax = 0;
  inFlightGroupsMax = 0;

  addTo(t: QueueCounters): void {
    t.sent += this.sent;
    t.sentBytes += this.sentBytes;
    t.sendThrottled += this.sendThrottled;
    t.receiveCalls += this.receiveCalls;
    t.emptyReceives += this.emptyReceives;
    t.callsThrottled += this.callsThrottled;
    t.deleteCalls += this.deleteCalls;
    t.processed += this.processed;
    t.redelivered += this.redelivered;
    t.duplicates += this.duplicates;
    t.busyWorkersMax = Math.max(t.busyWorkersMax, this.busyWorkersMax);
    t.inFlightGroupsMax = Math.max(t.inFlightGroupsMax, this.inFlightGroupsMax);
  }
}

/** An SQS FIFO queue with its workers. */
export class FifoQueue extends SinglePartitionTarget implements WriteTarget {
  readonly name: string;
  readonly maxRecordSize = SQS_FIFO.maxMessageBytes.value;
  readonly interval = new QueueCounters();
  readonly totals = new QueueCounters();
  /** Creation → processed (deleted). */
  readonly latency = new IntervalHistogram();
  /** Per-group order of processed messages. */
  readonly order = new KeyOrder();

  private readonly groups = new Map<number, Group>();
  private readonly readyGroups: number[] = [];
  private readyHead = 0;
  private readonly idle: number[] = [];
  private busyWorkers = 0;
  private inFlightGroups = 0;
  private queuedMessages = 0;
  private inFlightMessages = 0;
  private nextUniqueGroup = -2;
  private readonly send: CallQuota;
  private readonly receive: CallQuota;
  private readonly remove: CallQuota;
  private readonly processing: ProcessingModel;

  constructor(
    readonly spec: QueueSpec,
    private readonly sim: Simulation,
    private readonly rng: RandomStream,
  ) {
    super();
    this.name = spec.name;
    this.send = new CallQuota(spec.transactionsPerSecond);
    this.receive = new CallQuota(spec.transactionsPerSecond);
    this.remove = new CallQuota(spec.transactionsPerSecond);
    const p = spec.consumers.processing;
    this.processing = new ProcessingModel(
      p.baseUs,
      p.perRecordUs,
      p.perKiBUs,
      compileDistribution(noiseOf(p)),
    );
  }

  /** Starts the workers (each receives at once). */
  start(): void {
    for (let w = 0; w < this.spec.consumers.workers; w++) this.sim.at(0, () => this.receiveFor(w));
  }

  // -------------------------------------------------------------------------------------------
  // The producers' side

  admitRequest(nowUs: number, records: number): boolean {
    if (this.send.take(nowUs) === undefined) return true;
    this.interval.sendThrottled += records;
    return false;
  }

  write(
    nowUs: number,
    _index: number,
    count: number,
    bytes: number,
    _chargedBytes: number,
    originUs: number,
    spread: Spread,
    keyId: number,
  ): number {
    // A message group per key; records with fresh random keys each make a group of their own.
    for (let i = 0; i < count; i++) {
      const group = keyId >= 0 ? keyId : this.nextUniqueGroup--;
      const origin =
        count === 1 ? originUs : originUs - spread.lo - ((i + 0.5) / count) * (spread.hi - spread.lo);
      this.enqueue({ group, originUs: origin, sentUs: nowUs, bytes: bytes / count, receives: 0 }, false);
    }
    this.interval.sent += count;
    this.interval.sentBytes += bytes;
    this.wakeIdle();
    return count;
  }

  private groupOf(id: number): Group {
    let g = this.groups.get(id);
    if (!g) {
      g = { messages: [], inFlight: false, ready: false };
      this.groups.set(id, g);
    }
    return g;
  }

  /** Adds a message at the end of its group (or, redelivered, at the front). */
  private enqueue(m: Message, front: boolean): void {
    const g = this.groupOf(m.group);
    if (front) g.messages.unshift(m);
    else g.messages.push(m);
    this.queuedMessages++;
    this.markReady(m.group, g);
  }

  private markReady(id: number, g: Group): void {
    if (!g.inFlight && !g.ready && g.messages.length > 0) {
      g.ready = true;
      this.readyGroups.push(id);
    }
  }

  // -------------------------------------------------------------------------------------------
  // The workers

  /** Worker `w` calls ReceiveMessage. */
  private receiveFor(w: number): void {
    const now = this.sim.nowUs;
    const wait = this.receive.take(now);
    if (wait !== undefined) {
      this.interval.callsThrottled++;
      this.sim.at(wait, () => this.receiveFor(w));
      return;
    }
    this.interval.receiveCalls++;
    const batch = this.take(this.spec.consumers.maxMessages);
    if (batch.length === 0) {
      // Long polling: wait for a message, or re-poll when the wait time is up.
      this.interval.emptyReceives++;
      this.idle.push(w);
      const wait = Math.max(1, this.spec.consumers.waitTime);
      this.sim.schedule(wait, () => {
        const at = this.idle.indexOf(w);
        if (at < 0) return;
        this.idle.splice(at, 1);
        this.receiveFor(w);
      });
      return;
    }
    this.busyWorkers++;
    this.interval.busyWorkersMax = Math.max(this.interval.busyWorkersMax, this.busyWorkers);
    const bytes = batch.reduce((a, m) => a + m.bytes, 0);
    const took = this.processing.sample(this.rng, batch.length, bytes);
    const fails = this.spec.consumers.failureRate > 0 && this.rng.next() < this.spec.consumers.failureRate;
    const visibility = this.spec.visibilityTimeout;
    const token = batch.map((m) => m.receives);
    if (fails || took > visibility) {
      // Not deleted in time: the messages come back when their visibility timeout runs out.
      this.sim.schedule(visibility, () => this.expire(batch, token, !fails));
    }
    this.sim.schedule(took, () => {
      this.busyWorkers--;
      if (!fails) this.finish(batch, token);
      this.receiveFor(w);
    });
  }

  /** Up to `max` messages: as many of the first ready group as it has, then from the next ones. */
  private take(max: number): Message[] {
    const out: Message[] = [];
    while (out.length < max && this.readyHead < this.readyGroups.length) {
      const id = this.readyGroups[this.readyHead++]!;
      const g = this.groups.get(id)!;
      g.ready = false;
      if (g.inFlight || g.messages.length === 0) continue;
      const n = Math.min(max - out.length, g.messages.length);
      const taken = g.messages.splice(0, n);
      for (const m of taken) m.receives++;
      out.push(...taken);
      g.inFlight = true;
      this.inFlightGroups++;
      this.interval.inFlightGroupsMax = Math.max(this.interval.inFlightGroupsMax, this.inFlightGroups);
      this.queuedMessages -= n;
      this.inFlightMessages += n;
    }
    if (this.readyHead > 4096 && this.readyHead * 2 > this.readyGroups.length) {
      this.readyGroups.splice(0, this.readyHead);
      this.readyHead = 0;
    }
    return out;
  }

  /** Processing succeeded: DeleteMessageBatch (retried next second when over quota). */
  private finish(batch: Message[], token: number[]): void {
    const now = this.sim.nowUs;
    const wait = this.remove.take(now);
    if (wait !== undefined) {
      this.interval.callsThrottled++;
      this.sim.at(wait, () => this.finish(batch, token));
      return;
    }
    this.interval.deleteCalls++;
    // Messages whose visibility timeout ran out meanwhile were delivered again: this delete comes
    // too late for them (their receipt handles expired), and their processing was a duplicate.
    const current = batch.filter((m, i) => m.receives === token[i] && !this.expired.has(m));
    this.interval.duplicates += batch.length - current.length;
    for (const m of batch) this.expired.delete(m);
    if (current.length === 0) return;
    for (const m of current) {
      this.latency.record(now - m.originUs, 1);
      this.order.see(m.group, m.originUs, 1);
    }
    this.interval.processed += current.length;
    this.inFlightMessages -= current.length;
    this.release(current);
  }

  /** Messages received but not deleted when the visibility timeout runs out. */
  private readonly expired = new Set<Message>();

  /** The visibility timeout of a receive ran out: messages not deleted are visible again. */
  private expire(batch: Message[], token: number[], workerStillBusy: boolean): void {
    const back = batch.filter((m, i) => m.receives === token[i] && !this.expired.has(m));
    if (back.length === 0) return;
    // The worker will try to delete them when it finishes: it must find them expired.
    if (workerStillBusy) for (const m of back) this.expired.add(m);
    this.inFlightMessages -= back.length;
    this.interval.redelivered += back.length;
    // Back at the front of their groups, in their order.
    for (let i = back.length - 1; i >= 0; i--) {
      const m = back[i]!;
      const g = this.groupOf(m.group);
      g.messages.unshift({ ...m });
      this.queuedMessages++;
    }
    this.release(back);
  }

  /** The groups of `messages` have nothing in flight any more: they may deliver again. */
  private release(messages: Message[]): void {
    const seen = new Set<number>();
    for (const m of messages) {
      if (seen.has(m.group)) continue;
      seen.add(m.group);
      const g = this.groupOf(m.group);
      if (g.inFlight) {
        g.inFlight = false;
        this.inFlightGroups--;
      }
      this.markReady(m.group, g);
    }
    this.wakeIdle();
  }

  /** Long polls return as messages become available: one waiting worker per ready group. */
  private wakeIdle(): void {
    let ready = this.readyGroups.length - this.readyHead - this.waking;
    while (this.idle.length > 0 && ready > 0) {
      const w = this.idle.shift()!;
      ready--;
      this.waking++;
      this.sim.schedule(0, () => {
        this.waking--;
        this.receiveFor(w);
      });
    }
  }

  /** Workers woken and about to receive. */
  private waking = 0;

  // -------------------------------------------------------------------------------------------
  // State for metrics and the ledger

  get queued(): number {
    return this.queuedMessages;
  }

  get inFlight(): number {
    return this.inFlightMessages;
  }

  get groupCount(): number {
    return this.groups.size;
  }

  closeInterval(): void {
    this.interval.addTo(this.totals);
    Object.assign(this.interval, new QueueCounters());
    this.latency.closeInterval();
  }
}
