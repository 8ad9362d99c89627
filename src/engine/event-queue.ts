// The pending-event set of the simulation, ordered by (time, sequence). The sequence number is
// the insertion order, so events at equal times pop in the order they were scheduled.
//
// Two tiers. Most events are scheduled a little ahead of now (a request's latency, a linger
// timer, the next tick), so the near tier is a ring of FIFO buckets, one per microsecond of a
// window that starts at the last popped time: a push is an append, a pop takes a bucket's head,
// and a two-level bitmap finds the next busy bucket. Events outside the window go to a binary
// heap. A pop takes the smaller (time, sequence) of the two tiers' minima, so the tiers never
// need to exchange events. Keys and links live in typed arrays to keep the hot loop free of
// allocation; handlers are stored once per event, not moved at every heap level.

/** A scheduled action; it receives the time at which it fires. */
export type EventHandler = (nowUs: number) => void;

/** Binary min-heap of events keyed by (time µs, insertion sequence): the far tier. */
class EventHeap {
  private times: Float64Array;
  private seqs: Float64Array;
  private handlers: (EventHandler | undefined)[];
  count = 0;

  constructor(initialCapacity: number) {
    this.times = new Float64Array(initialCapacity);
    this.seqs = new Float64Array(initialCapacity);
    this.handlers = new Array(initialCapacity);
  }

  topTime(): number {
    return this.count > 0 ? this.times[0]! : Number.POSITIVE_INFINITY;
  }

  topSeq(): number {
    return this.seqs[0]!;
  }

  push(timeUs: number, seq: number, handler: EventHandler): void {
    if (this.count === this.times.length) this.grow();
    const times = this.times;
    const seqs = this.seqs;
    const handlers = this.handlers;
    let i = this.count++;
    // Sift up: move parents down until the slot for the new key is found.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent]!;
      if (pt < timeUs || (pt === timeUs && seqs[parent]! < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[parent]!;
      handlers[i] = handlers[parent];
      i = parent;
    }
    times[i] = timeUs;
    seqs[i] = seq;
    handlers[i] = handler;
  }

  pop(): EventHandler {
    const times = this.times;
    const seqs = this.seqs;
    const handlers = this.handlers;
    const top = handlers[0]!;
    const last = --this.count;
    const t = times[last]!;
    const s = seqs[last]!;
    const h = handlers[last];
    handlers[last] = undefined;
    // Sift down the former last element from the root.
    let i = 0;
    const half = last >> 1;
    while (i < half) {
      let child = 2 * i + 1;
      let ct = times[child]!;
      let cs = seqs[child]!;
      const right = child + 1;
      if (right < last) {
        const rt = times[right]!;
        if (rt < ct || (rt === ct && seqs[right]! < cs)) {
          child = right;
          ct = rt;
          cs = seqs[right]!;
        }
      }
      if (t < ct || (t === ct && s < cs)) break;
      times[i] = ct;
      seqs[i] = cs;
      handlers[i] = handlers[child];
      i = child;
    }
    if (last > 0) {
      times[i] = t;
      seqs[i] = s;
      handlers[i] = h;
    }
    return top;
  }

  private grow(): void {
    const capacity = this.times.length * 2;
    const times = new Float64Array(capacity);
    const seqs = new Float64Array(capacity);
    times.set(this.times);
    seqs.set(this.seqs);
    this.times = times;
    this.seqs = seqs;
    this.handlers.length = capacity;
  }
}

/** Width of the near tier in µs (a power of two): 131 ms covers 10 ms and 100 ms ticks. */
const RING_BITS = 17;
const RING = 1 << RING_BITS;
const MASK = RING - 1;
const NONE = -1;

/** Index of the lowest set bit of a non-zero 32-bit word. */
function lowestBit(word: number): number {
  return 31 - Math.clz32(word & -word);
}

/** The pending events: a ring of per-µs FIFO buckets near now, a heap beyond. */
export class EventQueue {
  private nextSeq = 0;
  private readonly far: EventHeap;

  // Near tier: every ring event lies in [baseUs, baseUs + RING); its bucket is time & MASK, so a
  // bucket holds one exact time and its FIFO order is the insertion order.
  private baseUs = 0;
  private ringCount = 0;
  private readonly head = new Int32Array(RING).fill(NONE);
  private readonly tail = new Int32Array(RING);
  /** Bit per bucket (busy) and bit per word of it (any busy): the next busy bucket in a few steps. */
  private readonly busy = new Uint32Array(RING >>> 5);
  private readonly busyWords = new Uint32Array(RING >>> 10);
  /** Earliest ring time, or -1 when it must be searched for again. */
  private ringMinUs = -1;

  // Event nodes of the ring, linked per bucket; free nodes are linked through `next` too.
  private next: Int32Array;
  private seqs: Float64Array;
  private handlers: (EventHandler | undefined)[];
  private free = NONE;
  private allocated = 0;

  constructor(initialCapacity = 1024) {
    this.far = new EventHeap(initialCapacity);
    this.next = new Int32Array(initialCapacity);
    this.seqs = new Float64Array(initialCapacity);
    this.handlers = new Array(initialCapacity);
  }

  /** Number of pending events. */
  get size(): number {
    return this.ringCount + this.far.count;
  }

  /** Time of the earliest pending event, or Infinity when empty. */
  peekTime(): number {
    const r = this.ringMin();
    const f = this.far.topTime();
    return Math.min(r, f);
  }

  /** Adds an event at `timeUs` (an integer); later insertions at the same time pop later. */
  push(timeUs: number, handler: EventHandler): void {
    const seq = this.nextSeq++;
    // An empty ring can move its window to any time: start it here.
    if (this.ringCount === 0 && timeUs > this.baseUs) this.baseUs = timeUs;
    const offset = timeUs - this.baseUs;
    if (offset < 0 || offset >= RING) {
      this.far.push(timeUs, seq, handler);
      return;
    }
    let node = this.free;
    if (node !== NONE) this.free = this.next[node]!;
    else node = this.allocate();
    this.next[node] = NONE;
    this.seqs[node] = seq;
    this.handlers[node] = handler;
    const b = timeUs & MASK;
    if (this.head[b] === NONE) {
      this.head[b] = node;
      this.busy[b >>> 5]! |= 1 << (b & 31);
      this.busyWords[b >>> 10]! |= 1 << ((b >>> 5) & 31);
    } else {
      this.next[this.tail[b]!] = node;
    }
    this.tail[b] = node;
    this.ringCount++;
    if (this.ringMinUs >= 0 && timeUs < this.ringMinUs) this.ringMinUs = timeUs;
  }

  /** Removes the earliest event and returns its handler; its time is `peekTime()` before the call. */
  pop(): EventHandler {
    const r = this.ringMin();
    const far = this.far;
    const f = far.topTime();
    if (f < r || (f === r && far.topSeq() < this.seqs[this.head[r & MASK]!]!)) {
      // Nothing in the ring is earlier, so its window may start here.
      if (f > this.baseUs) this.baseUs = f;
      return far.pop();
    }
    const b = r & MASK;
    const node = this.head[b]!;
    const handler = this.handlers[node]!;
    this.handlers[node] = undefined;
    const after = this.next[node]!;
    this.next[node] = this.free;
    this.free = node;
    this.ringCount--;
    this.baseUs = r;
    if (after === NONE) {
      this.head[b] = NONE;
      const w = b >>> 5;
      const word = this.busy[w]! & ~(1 << (b & 31));
      this.busy[w] = word;
      if (word === 0) this.busyWords[w >>> 5]! &= ~(1 << (w & 31));
      this.ringMinUs = -1;
    } else {
      this.head[b] = after;
    }
    return handler;
  }

  /** Earliest ring time (Infinity when the ring is empty), searched from the window start. */
  private ringMin(): number {
    if (this.ringCount === 0) return Number.POSITIVE_INFINITY;
    if (this.ringMinUs >= 0) return this.ringMinUs;
    const start = this.baseUs & MASK;
    let b = this.nextBusy(start);
    if (b === NONE) b = this.nextBusy(0);
    this.ringMinUs = this.baseUs + ((b - start) & MASK);
    return this.ringMinUs;
  }

  /** First busy bucket at or after `from`, or NONE. */
  private nextBusy(from: number): number {
    const busy = this.busy;
    let w = from >>> 5;
    const bits = busy[w]! & (~0 << (from & 31));
    if (bits !== 0) return (w << 5) + lowestBit(bits);
    // Skip empty words with the summary bitmap.
    w++;
    const words = this.busyWords;
    let s = w >>> 5;
    if (s >= words.length) return NONE;
    let summary = words[s]! & (~0 << (w & 31));
    while (summary === 0) {
      if (++s >= words.length) return NONE;
      summary = words[s]!;
    }
    w = (s << 5) + lowestBit(summary);
    return (w << 5) + lowestBit(busy[w]!);
  }

  private allocate(): number {
    if (this.allocated === this.next.length) {
      const capacity = this.next.length * 2;
      const next = new Int32Array(capacity);
      const seqs = new Float64Array(capacity);
      next.set(this.next);
      seqs.set(this.seqs);
      this.next = next;
      this.seqs = seqs;
      this.handlers.length = capacity;
    }
    return this.allocated++;
  }
}
