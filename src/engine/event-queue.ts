// The pending-event set of the simulation: a binary min-heap ordered by (time, sequence).
// The sequence number is the insertion order, so events at equal times pop in the order they
// were scheduled. Keys live in parallel typed arrays to keep the hot loop free of allocation.

/** A scheduled action; it receives the time at which it fires. */
export type EventHandler = (nowUs: number) => void;

/** Binary min-heap of events keyed by (time µs, insertion sequence). */
export class EventQueue {
  private times: Float64Array;
  private seqs: Float64Array;
  private handlers: (EventHandler | undefined)[];
  private count = 0;
  private nextSeq = 0;

  constructor(initialCapacity = 1024) {
    this.times = new Float64Array(initialCapacity);
    this.seqs = new Float64Array(initialCapacity);
    this.handlers = new Array(initialCapacity);
  }

  /** Number of pending events. */
  get size(): number {
    return this.count;
  }

  /** Time of the earliest pending event, or Infinity when empty. */
  peekTime(): number {
    return this.count > 0 ? this.times[0]! : Number.POSITIVE_INFINITY;
  }

  /** Adds an event at `timeUs`; later insertions at the same time pop later. */
  push(timeUs: number, handler: EventHandler): void {
    if (this.count === this.times.length) this.grow();
    const seq = this.nextSeq++;
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

  /** Removes the earliest event and returns its handler; its time is `peekTime()` before the call. */
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
