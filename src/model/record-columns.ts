// A client batch at record resolution kept as columns: one typed array per property of its
// records, not an object per record. A request's records are written, landed and retried in
// place; a batch that is done goes back to a pool and is used again, so a producer at record
// resolution allocates nothing per record once its first batches exist (a log a consumer reads
// still keeps an entry per record). Every record of a batch is on the same attempt, after the same
// backoff (a retry resends what one request had throttled).

/** The records of one client batch or request, in the order they joined it. */
export class RecordColumns {
  /** Records held. */
  n = 0;
  /** Attempt they are on (1 = first). */
  attempt = 1;
  /** The backoff before this attempt, µs (0 before the first retry): decorrelated jitter uses it. */
  previousBackoffUs = 0;
  /** Bytes of each record, partition key included. */
  readonly bytes: Float64Array;
  /** When each record was created, µs. */
  readonly originUs: Float64Array;
  /** Each record's named key index, or −1 for a random key. */
  readonly keyIndex: Int32Array;
  /** Hash-space position of a random key, in [0, 1). */
  readonly position: Float64Array;

  constructor(capacity: number) {
    this.bytes = new Float64Array(capacity);
    this.originUs = new Float64Array(capacity);
    this.keyIndex = new Int32Array(capacity);
    this.position = new Float64Array(capacity);
  }

  /** Appends a record. */
  push(bytes: number, originUs: number, keyIndex: number, position: number): void {
    const i = this.n++;
    this.bytes[i] = bytes;
    this.originUs[i] = originUs;
    this.keyIndex[i] = keyIndex;
    this.position[i] = position;
  }

  /** Moves record `from` to place `to` (to ≤ from): keeps a batch's chosen records in order. */
  moveTo(from: number, to: number): void {
    if (from === to) return;
    this.bytes[to] = this.bytes[from]!;
    this.originUs[to] = this.originUs[from]!;
    this.keyIndex[to] = this.keyIndex[from]!;
    this.position[to] = this.position[from]!;
  }
}

/** Batches of one capacity to be used again: a run's batches are made once. */
export class RecordColumnsPool {
  private readonly spare: RecordColumns[] = [];

  constructor(private readonly capacity: number) {}

  /** An empty batch on its first attempt. */
  take(): RecordColumns {
    const batch = this.spare.pop() ?? new RecordColumns(this.capacity);
    batch.n = 0;
    batch.attempt = 1;
    batch.previousBackoffUs = 0;
    return batch;
  }

  /** Gives back a batch nothing refers to any more. */
  give(batch: RecordColumns): void {
    this.spare.push(batch);
  }
}
