// A user's producer function in a run: the scenario producer's traffic (the same records, keys,
// sizes and creation times the modelled fleet would create, from the same random stream) handed to
// real client code, and the ledger of those records as that code sends them through the SDK. The
// run's recorder, summary and ledger check see it like any producer fleet.

import { compileDistribution, type Sampler } from "../engine/distributions.js";
import type { RandomStream, RandomStreams } from "../engine/random.js";
import { IntervalHistogram } from "../metrics/latency-histogram.js";
import { sumOf, WriteCounters } from "../metrics/write-counters.js";
import { KeySpace } from "../model/keys.js";
import type { ProducerFleet } from "../model/producer-fleet.js";
import { ArrivalClock, rateFunction } from "../model/traffic.js";
import type { PutEntry, TrackedRecord } from "../protocol/kinesis-service.js";
import type { ResolvedProducer } from "../scenario/schema.js";
import { type VirtualTime, wallMsOf } from "./virtual-time.js";

/** One record of the scenario's traffic, ready to be a PutRecord input or a PutRecords entry. */
export interface TrafficRecord {
  PartitionKey: string;
  /** The record's data: a JSON tag kinesim reads back (`{"k":…,"t":…}`) padded with spaces to its size. */
  Data: Uint8Array;
  ExplicitHashKey?: string;
}

/** The scenario's traffic as a producer function receives it. */
export interface Traffic {
  /** Waits (in virtual time) for the next record; undefined once the producer's traffic has ended. */
  next(): Promise<TrafficRecord | undefined>;
  /** The records created by now and not yet taken (at most `max`), without waiting. */
  take(max?: number): TrafficRecord[];
  /** Tells kinesim the code gave up on records (they count as dropped now, not at the end). */
  drop(records: TrafficRecord | readonly TrafficRecord[]): void;
  /** When a record was created (a virtual Date's milliseconds). */
  createdAt(record: TrafficRecord): number;
  /** The instance of the modelled fleet a record belongs to (0 … instances − 1). */
  instanceOf(record: TrafficRecord): number;
  /** Instances of the modelled fleet (`instances` in the scenario). */
  readonly instances: number;
  /** True once no record will be created any more. */
  readonly ended: boolean;
}

/** Where a record is in its life, as far as kinesim can see it. */
const TAKEN = 1;
const REJECTED = 2;
const ACCEPTED = 3;
const DROPPED = 4;
/** Throttled, and the SDK said it will send the call again: still in flight at the end. */
const RETRYING = 5;

/** Where a traffic record keeps its serial (a symbol: the SDK serialises only the API's members). */
const SERIAL = Symbol("kinesim.serial");
type Numbered = TrafficRecord & { [SERIAL]: number };

/** The magic start of a record's data: `{"k":"` then `<producer>.<serial>","t":<created µs>}`. */
const TAG_START = Buffer.from('{"k":"');

/** A producer fleet whose sending is done by user code. */
export class ClientProducer implements ProducerFleet {
  readonly name: string;
  readonly interval = new WriteCounters();
  readonly totals = new WriteCounters();
  readonly latency = new IntervalHistogram();
  /** Records on the wire are not seen until they land; records not yet accepted are pending. */
  pendingRecords = 0;
  /** Records accepted more than once (the code resent a record the stream had already taken). */
  duplicates = 0;
  /** Set when the user function has returned (its leftover records are then dropped). */
  returned = false;
  private readonly rng: RandomStream;
  private readonly arrivals: ArrivalClock;
  private readonly keys: KeySpace;
  private readonly size: Sampler;
  private readonly keyIdBase: number;
  private readonly keyIndexOf = new Map<string, number>();
  /** Created, not yet taken. */
  private readonly ready: TrafficRecord[] = [];
  private readyHead = 0;
  private readonly waiters: ((r: TrafficRecord | undefined) => void)[] = [];
  private nextArrivalUs: number;
  private serial = 0;
  private state = new Uint8Array(1024);
  private originUs = new Float64Array(1024);
  private bytesOf = new Float64Array(1024);
  private instanceOf = new Int32Array(1024);
  private wakePending = false;

  constructor(
    readonly spec: ResolvedProducer,
    /** Position of the producer in the scenario (tags and key ids carry it). */
    readonly index: number,
    private readonly time: VirtualTime,
    random: RandomStreams,
    runEndUs: number,
    private readonly maxRecordBytes: number,
  ) {
    this.name = spec.name;
    // The modelled fleet's own stream: the same records in the same order (common random numbers).
    this.rng = random.stream(`producer/${spec.name}/traffic`);
    const stopUs = Math.min(spec.stop ?? runEndUs, runEndUs);
    this.arrivals = new ArrivalClock(
      rateFunction(spec.rate, spec.start, stopUs, runEndUs),
      spec.arrivals,
      this.rng,
      stopUs,
    );
    this.keys = KeySpace.of(spec.partitionKey);
    for (const [i, name] of this.keys.names.entries()) this.keyIndexOf.set(name, i);
    this.size = compileDistribution({ ...spec.recordSize, clampMin: 0 });
    this.keyIdBase = index * 2 ** 24;
    this.nextArrivalUs = this.arrivals.next(spec.start);
  }

  /** The traffic object handed to the user function. */
  traffic(): Traffic {
    const self = this;
    return {
      next: () => this.next(),
      take: (max = Number.POSITIVE_INFINITY) => this.take(max),
      drop: (records) => {
        for (const r of Array.isArray(records) ? records : [records]) this.drop(r as Numbered);
      },
      createdAt: (r) => wallMsOf(this.originUs[(r as Numbered)[SERIAL] ?? 0]!),
      instanceOf: (r) => this.instanceOf[(r as Numbered)[SERIAL] ?? 0]!,
      instances: this.spec.instances,
      get ended() {
        return self.readyHead >= self.ready.length && !Number.isFinite(self.nextArrivalUs);
      },
    };
  }

  start(): void {}

  // -------------------------------------------------------------------------------------------
  // Creating records (lazily, in creation order; counted in the interval they were created in)

  /** Creates every record due by now. */
  private createDue(): void {
    const now = this.time.sim.nowUs;
    while (this.nextArrivalUs <= now) {
      const at = Math.round(this.nextArrivalUs);
      this.create(at);
      this.nextArrivalUs = this.arrivals.next(this.nextArrivalUs);
    }
  }

  /** One record created at `atUs`, drawn as the modelled producer draws it. */
  private create(atUs: number): void {
    const keyIndex = this.keys.sample(this.rng);
    const position = keyIndex < 0 ? this.rng.next() : 0;
    const keyBytes = this.keys.bytesOf(keyIndex);
    const dataBytes = Math.round(this.size.sample(this.rng));
    const instances = this.spec.instances;
    const instance =
      instances === 1
        ? 0
        : this.spec.keyAffinity && keyIndex >= 0
          ? keyIndex % instances
          : this.rng.int(instances);
    const n = this.serial++;
    this.grow(n);
    this.originUs[n] = atUs;
    this.interval.produced++;
    this.interval.producedBytes += dataBytes + keyBytes;
    if (dataBytes + keyBytes > this.maxRecordBytes) {
      // Over the maximum record size: the API would refuse it; the modelled fleet counts it rejected.
      this.interval.rejected++;
      this.interval.rejectedBytes += dataBytes + keyBytes;
      this.state[n] = DROPPED;
      return;
    }
    const partitionKey = keyIndex >= 0 ? this.keys.nameOf(keyIndex)! : randomKey(position, keyBytes);
    const record: Numbered = {
      PartitionKey: partitionKey,
      Data: tagged(this.index, n, atUs, dataBytes),
      [SERIAL]: n,
    };
    if (keyIndex >= 0 && this.keys.hashKeyBytesOf(keyIndex) > 0)
      record.ExplicitHashKey = this.keys.hashKeyOf(keyIndex).toString();
    this.bytesOf[n] = record.Data.length + Buffer.byteLength(partitionKey);
    this.instanceOf[n] = instance;
    this.ready.push(record);
  }

  private grow(n: number): void {
    if (n < this.state.length) return;
    const size = this.state.length * 2;
    const state = new Uint8Array(size);
    state.set(this.state);
    this.state = state;
    const origin = new Float64Array(size);
    origin.set(this.originUs);
    this.originUs = origin;
    const bytes = new Float64Array(size);
    bytes.set(this.bytesOf);
    this.bytesOf = bytes;
    const instance = new Int32Array(size);
    instance.set(this.instanceOf);
    this.instanceOf = instance;
  }

  private take(max: number): TrafficRecord[] {
    this.createDue();
    const out: TrafficRecord[] = [];
    while (this.readyHead < this.ready.length && out.length < max) out.push(this.shift());
    return out;
  }

  private shift(): TrafficRecord {
    const record = this.ready[this.readyHead++]!;
    this.state[(record as Numbered)[SERIAL]] = TAKEN;
    if (this.readyHead > 4096 && this.readyHead * 2 > this.ready.length) {
      this.ready.splice(0, this.readyHead);
      this.readyHead = 0;
    }
    return record;
  }

  private next(): Promise<TrafficRecord | undefined> {
    this.createDue();
    if (this.waiters.length === 0 && this.readyHead < this.ready.length) return Promise.resolve(this.shift());
    if (!Number.isFinite(this.nextArrivalUs) && this.readyHead >= this.ready.length)
      return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.wake();
    });
  }

  /** Wakes at the next creation to serve the waiting `next()` calls in order. */
  private wake(): void {
    if (this.wakePending) return;
    if (!Number.isFinite(this.nextArrivalUs)) {
      for (const w of this.waiters.splice(0)) w(undefined);
      return;
    }
    this.wakePending = true;
    // Rounded up: the record exists by then (createDue takes arrivals at or before now).
    this.time.at(Math.max(this.time.sim.nowUs, Math.ceil(this.nextArrivalUs)), () => {
      this.wakePending = false;
      this.createDue();
      while (this.waiters.length > 0 && this.readyHead < this.ready.length)
        this.waiters.shift()!(this.shift());
      if (this.waiters.length > 0) this.wake();
    });
  }

  // -------------------------------------------------------------------------------------------
  // The ledger, fed by the service as records land

  /** The tracked record an entry is, when its data carries this producer's tag. */
  track(entry: PutEntry): TrackedRecord | undefined {
    const n = serialOfTag(entry.data, this.index);
    if (n === undefined || n >= this.serial) return undefined;
    const before = this.state[n]!;
    const firstAttempt = before === TAKEN;
    const keyIndex = this.keyIndexOf.get(entry.partitionKey);
    return {
      originUs: this.originUs[n]!,
      firstAttempt,
      keyId: keyIndex === undefined ? -1 : this.keyIdBase + keyIndex,
      settle: (accepted, bytes, nowUs, retryPending) =>
        this.settle(n, before, entry.api, accepted, bytes, nowUs, retryPending),
    };
  }

  private settle(
    n: number,
    before: number,
    api: PutEntry["api"],
    accepted: boolean,
    bytes: number,
    nowUs: number,
    retryPending: boolean,
  ): void {
    const c = this.interval;
    if (before === TAKEN) {
      c.firstAttempts++;
      if (!accepted) c.firstAttemptsThrottled++;
    } else c.retried++;
    if (api === "PutRecord") {
      c.putRecordCalls++;
      if (accepted) c.putRecordSuccessful++;
    } else {
      c.putRecordsTotal++;
      if (accepted) c.putRecordsSuccessful++;
      else c.putRecordsThrottled++;
    }
    if (!accepted) {
      c.throttled++;
      if (this.state[n] !== ACCEPTED && this.state[n] !== DROPPED)
        this.state[n] = retryPending ? RETRYING : REJECTED;
      return;
    }
    c.incomingRecords++;
    c.incomingBytes += bytes;
    if (this.state[n] === ACCEPTED) {
      this.duplicates++;
      return;
    }
    if (this.state[n] === DROPPED) {
      // Given up on at the end, then accepted: it was not lost after all.
      c.dropped--;
      c.droppedBytes -= this.bytesOf[n]!;
    }
    this.state[n] = ACCEPTED;
    c.accepted++;
    c.acceptedBytes += bytes;
    this.latency.record(nowUs - this.originUs[n]!, 1);
  }

  private drop(record: Numbered): void {
    const n = record[SERIAL];
    const s = this.state[n];
    if (n === undefined || s === ACCEPTED || s === DROPPED) return;
    this.state[n] = DROPPED;
    this.interval.dropped++;
    this.interval.droppedBytes += this.bytesOf[n]!;
  }

  /**
   * Closes the books at the end of the run: a record whose last attempt was rejected counts as
   * dropped (kinesim cannot see whether the code would have sent it again) unless the SDK said it
   * would retry the call, and so does every record the code took and never got in, once its
   * function has returned.
   */
  finish(): void {
    this.createDue();
    for (let n = 0; n < this.serial; n++) {
      const s = this.state[n]!;
      if (s === REJECTED || ((s === TAKEN || s === RETRYING) && this.returned)) {
        this.state[n] = DROPPED;
        this.interval.dropped++;
        this.interval.droppedBytes += this.bytesOf[n]!;
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // ProducerFleet

  inFlightRecords(): number {
    const t = this.totalsNow();
    return t.produced - t.accepted - t.dropped - t.rejected;
  }

  bufferedRecords(): number {
    return this.ready.length - this.readyHead;
  }

  totalsNow(): WriteCounters {
    return sumOf(this.totals, this.interval);
  }

  closeInterval(): void {
    // Records created in the interval count in it, whether or not the code has taken them yet.
    this.createDue();
    this.interval.addTo(this.totals);
    this.interval.reset();
    this.latency.closeInterval();
  }

  keyMassBetween(lo: number, hi: number): number {
    return this.keys.massBetween(lo, hi);
  }

  partitionKeyOf(keyId: number): string | undefined {
    return keyId >= this.keyIdBase ? this.keys.names[keyId - this.keyIdBase] : undefined;
  }
}

/** Data of `bytes` bytes (at least the tag): the tag, then spaces — valid JSON either way. */
function tagged(producer: number, serial: number, createdUs: number, bytes: number): Uint8Array {
  const tag = `{"k":"${producer}.${serial}","t":${createdUs}}`;
  // allocUnsafe takes small buffers from Node's pool: a record costs no allocation of its own.
  const data = Buffer.allocUnsafe(Math.max(bytes, tag.length));
  const written = data.write(tag, 0, "latin1");
  data.fill(0x20, written);
  return data;
}

/** The serial of a record tagged by producer `producer`, or undefined (read byte by byte: hot). */
export function serialOfTag(data: Buffer, producer: number): number | undefined {
  const start = TAG_START.length;
  if (data.length < start + 4) return undefined;
  for (let i = 0; i < start; i++) if (data[i] !== TAG_START[i]) return undefined;
  let i = start;
  let p = 0;
  let digits = 0;
  for (; i < data.length && data[i] !== 0x2e; i++, digits++) {
    const d = data[i]! - 0x30;
    if (d < 0 || d > 9) return undefined;
    p = p * 10 + d;
  }
  if (digits === 0 || p !== producer) return undefined;
  let n = 0;
  digits = 0;
  for (i++; i < data.length && data[i] !== 0x22; i++, digits++) {
    const d = data[i]! - 0x30;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return digits > 0 && i < data.length ? n : undefined;
}

/** A partition key of `bytes` characters standing for a random key at hash-space `position`. */
function randomKey(position: number, bytes: number): string {
  const hex = Math.floor(position * 2 ** 52)
    .toString(16)
    .padStart(13, "0");
  const length = Math.max(1, bytes);
  return hex.length >= length ? hex.slice(0, length) : hex.padEnd(length, "0");
}
