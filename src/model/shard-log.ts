// A shard's log: accepted records in arrival order, each with a sequence number (an ordinal in
// the shard), its arrival time and its creation times. Consumers read it through cursors; the
// log drops what every cursor has passed and what leaves retention — records that leave
// retention before a consumer read them are expired, for that consumer.
//
// At cohort resolution the cohorts a shard accepts within one tick are one entry, while no
// reader has taken any of it: a consumer then handles a tick's records of a shard once, however
// many requests brought them (a 1 s tick of a pooled fleet brings ten or more). The entry keeps
// when its records arrived (uniformly over a span) and when they were created (see Spread).

import type { Spread } from "../metrics/latency-histogram.js";

/** A user record inside an aggregated Kinesis record (record resolution): its key and creation. */
export interface Member {
  /** Key identity for ordering checks (−1: a key seen once). */
  keyId: number;
  originUs: number;
}

/**
 * Accepted records that arrived together: one record, or a cohort. Entries are shared once read
 * (readers keep them, cut them into new ones, never change them); the fields that are not
 * readonly change only while no reader has taken any of the entry, when the log joins another
 * cohort of the same tick to it (see ShardLog.joinLast).
 */
export class LogEntry {
  constructor(
    /** Sequence number (ordinal in the shard) of the first record. */
    public readonly firstSeq: number,
    public count: number,
    /** Bytes, partition keys included. */
    public bytes: number,
    /** When the shard accepted the records (ApproximateArrivalTimestamp), µs. */
    public arrivalUs: number,
    /** Reference creation time and spread of the records (see Spread). */
    public originUs: number,
    public spread: Spread,
    /** Key identity for ordering checks (record resolution; −1 unique or mixed). */
    public readonly keyId: number,
    /** Hash-space position of the key in [0, 1), or −1 for a mix of keys (cohorts). */
    public readonly position: number,
    /**
     * Kinesis records the entry holds. Sequence numbers count user records: a record a producer
     * aggregated (the KPL) holds several, which de-aggregating readers see one by one; limits and
     * Lambda's batches count Kinesis records.
     */
    public kinesisRecords: number = count,
    /** Record resolution, an aggregated record: its user records one by one (count of them). */
    public readonly members: readonly Member[] | undefined = undefined,
    /** The records arrived uniformly over the `arrivalSpreadUs` up to `arrivalUs` (cohorts a
     *  shard accepted within one tick, as one entry; 0 for one arrival). Readable at `arrivalUs`. */
    public arrivalSpreadUs = 0,
  ) {}

  /** Sequence number after the last record. */
  get endSeq(): number {
    return this.firstSeq + this.count;
  }
}

/** A consumer's place in one shard's log. */
export interface Cursor {
  /** Next sequence number to fetch. */
  readSeq: number;
  /** Earliest sequence number the consumer may still need (a checkpoint it may replay from). */
  retainFromSeq(): number;
  /** Records from readSeq up to `seq` left retention unread: the cursor moves past them. */
  expire(records: number, toSeq: number): void;
  /** The cursor's owner looks at entries as they arrived (one per request): a log it reads does
   *  not join a tick's cohorts into one entry. */
  readonly keepsArrivals?: boolean;
}

/** What a read returned. */
export interface ReadResult {
  /** Pieces of entries, in order (partial entries at the end are cut). */
  pieces: LogEntry[];
  /** Kinesis records returned (what GetRecords' Limit counts). */
  records: number;
  /** User records returned (sequence numbers advanced): what consumers account for. */
  users: number;
  bytes: number;
  /** Sequence number after the last record returned. */
  endSeq: number;
}

/** Records a log may join with others of its tick: a cohort of mixed keys (no key or position of
 *  its own), not aggregated, and created uniformly over its span (not sparse clients' batches,
 *  whose openers sit at its top). */
function mixedCohort(
  keyId: number,
  position: number,
  count: number,
  kinesisRecords: number,
  members: readonly Member[] | undefined,
  spread: Spread,
): boolean {
  return (
    keyId < 0 &&
    position < 0 &&
    kinesisRecords === count &&
    members === undefined &&
    spread.atHi === undefined
  );
}

/** The log of one shard. */
export class ShardLog {
  /** Sequence number the next accepted record gets. */
  nextSeq = 0;
  private entries: LogEntry[] = [];
  private head = 0;
  private readonly cursors: Cursor[] = [];
  private readonly listeners: (() => void)[] = [];

  constructor(
    /** Time from acceptance until a record is readable, µs. */
    readonly propagationUs: number,
  ) {}

  /** Cohort tick, µs: cohorts accepted within one tick are joined into one entry while unread
   *  (0: every append is an entry of its own, as at record resolution). */
  private coalesceUs = 0;

  /** Joins the cohorts accepted within each `tickUs` into one entry while unread (cohort
   *  resolution), unless a cursor keeps arrivals as they came. */
  joinCohortsWithin(tickUs: number): void {
    this.coalesceUs = this.cursors.some((c) => c.keepsArrivals) ? 0 : tickUs;
  }

  /** Appends accepted records (kept only while some consumer reads the log): `count` user records in `kinesisRecords` Kinesis records. */
  append(
    count: number,
    bytes: number,
    arrivalUs: number,
    originUs: number,
    spread: Spread,
    keyId: number,
    position: number,
    kinesisRecords = count,
    members?: readonly Member[],
  ): void {
    if (this.cursors.length > 0) {
      const joined =
        this.coalesceUs > 0 &&
        mixedCohort(keyId, position, count, kinesisRecords, members, spread) &&
        this.joinLast(count, bytes, arrivalUs, originUs, spread);
      if (!joined)
        this.entries.push(
          new LogEntry(
            this.nextSeq,
            count,
            bytes,
            arrivalUs,
            originUs,
            spread,
            keyId,
            position,
            kinesisRecords,
            members,
          ),
        );
    }
    this.nextSeq += count;
    for (const listener of this.listeners) listener();
  }

  /** Numbers `count` accepted records without keeping them, as `append` does in a log nobody
   *  reads or listens to (see `unwatched`). */
  appendUnwatched(count: number): void {
    this.nextSeq += count;
  }

  /**
   * Joins a cohort of mixed keys to the last entry if it can take one (and says whether it did):
   * the entry holds such cohorts too, arrived within the same tick, and no reader has taken any of
   * it — so nothing but the log refers to it, and it is changed in place. Their creation times
   * become one uniform span with the mean and variance of both.
   */
  private joinLast(
    count: number,
    bytes: number,
    arrivalUs: number,
    originUs: number,
    spread: Spread,
  ): boolean {
    if (this.entries.length === this.head || this.listeners.length > 0) return false;
    const last = this.entries[this.entries.length - 1]!;
    const tick = this.coalesceUs;
    if (
      !mixedCohort(last.keyId, last.position, last.count, last.kinesisRecords, last.members, last.spread) ||
      Math.floor(last.arrivalUs / tick) !== Math.floor(arrivalUs / tick)
    )
      return false;
    for (const cursor of this.cursors) if (cursor.readSeq > last.firstSeq) return false;
    // The joined records' creation times: a uniform span with the mean and variance of the two
    // spans' records together (their union would stretch to a slow request's few old records).
    const total = last.count + count;
    const meanA = last.originUs - (last.spread.lo + last.spread.hi) / 2;
    const meanB = originUs - (spread.lo + spread.hi) / 2;
    const mean = (last.count * meanA + count * meanB) / total;
    const widthA = last.spread.hi - last.spread.lo;
    const widthB = spread.hi - spread.lo;
    const variance =
      (last.count * ((widthA * widthA) / 12 + (meanA - mean) ** 2) +
        count * ((widthB * widthB) / 12 + (meanB - mean) ** 2)) /
      total;
    const half = Math.sqrt(3 * variance);
    const newest = mean + half;
    // No record is created after it arrived: such a span keeps the cohorts apart.
    if (newest > arrivalUs) return false;
    const oldest = mean - half;
    const origin = Math.max(last.originUs, originUs, newest);
    // A spread made by an earlier join is the entry's own; any other may be shared (a request's
    // parts on every shard carry one spread): it is replaced, not changed.
    if (last.arrivalSpreadUs > 0) {
      last.spread.lo = origin - newest;
      last.spread.hi = origin - oldest;
    } else last.spread = { lo: origin - newest, hi: origin - oldest };
    last.arrivalSpreadUs = arrivalUs - (last.arrivalUs - last.arrivalSpreadUs);
    last.count = total;
    last.kinesisRecords = total;
    last.bytes += bytes;
    last.arrivalUs = arrivalUs;
    last.originUs = origin;
    return true;
  }

  /** Set when the shard closes: no record will be appended any more. */
  closed = false;

  /** Marks the log complete (its shard was split or merged). */
  close(): void {
    this.closed = true;
    for (const listener of this.listeners) listener();
  }

  /** Calls `listener` after every append, and when the log closes (push consumers wait on it). */
  onAppend(listener: () => void): void {
    this.listeners.push(listener);
    this.onWatched?.();
  }

  /** Registers a consumer's cursor, starting at the tip (LATEST) or the oldest record kept. */
  attach(cursor: Cursor): void {
    this.cursors.push(cursor);
    if (cursor.keepsArrivals) this.coalesceUs = 0;
    this.onWatched?.();
  }

  /** Whether no consumer reads the log or listens to its appends. */
  get unwatched(): boolean {
    return this.cursors.length === 0 && this.listeners.length === 0;
  }

  /** Called when a cursor or listener is added (the stream's deferred admission then stops). */
  onWatched: (() => void) | undefined;

  /** The oldest sequence number still in the log. */
  get trimSeq(): number {
    return this.head < this.entries.length ? this.entries[this.head]!.firstSeq : this.nextSeq;
  }

  /**
   * Records readable at `nowUs` from `fromSeq`, up to `maxRecords` Kinesis records and `maxBytes`
   * (at least one Kinesis record). An aggregated Kinesis record is never cut: what is returned ends
   * on a Kinesis record's boundary.
   */
  read(fromSeq: number, nowUs: number, maxRecords: number, maxBytes: number): ReadResult {
    const pieces: LogEntry[] = [];
    let records = 0;
    let bytes = 0;
    let seq = fromSeq;
    const readableBefore = nowUs - this.propagationUs;
    for (let i = this.indexOf(fromSeq); i < this.entries.length && records < maxRecords; i++) {
      const entry = this.entries[i]!;
      if (entry.arrivalUs > readableBefore) break;
      const skip = seq - entry.firstSeq;
      // Users per Kinesis record (1 unless aggregated); reads end on Kinesis records' boundaries.
      // A read from inside an aggregated record (a checkpoint at a sub-sequence number) gets the
      // whole Kinesis record and the user records from the checkpoint on.
      const perRecord = entry.count / entry.kinesisRecords;
      const skipRecords = Math.floor(skip / perRecord + 1e-9);
      const left = entry.kinesisRecords - skipRecords;
      let takeRecords = Math.min(left, maxRecords - records);
      const bytesPerRecord = entry.bytes / entry.kinesisRecords;
      if (bytes + takeRecords * bytesPerRecord > maxBytes)
        takeRecords = Math.max(records === 0 ? 1 : 0, Math.floor((maxBytes - bytes) / bytesPerRecord));
      if (takeRecords <= 0) break;
      const take =
        takeRecords === left
          ? entry.count - skip
          : Math.round((skipRecords + takeRecords) * perRecord) - skip;
      const piece =
        skip === 0 && takeRecords === entry.kinesisRecords
          ? entry
          : new LogEntry(
              seq,
              take,
              Math.round(bytesPerRecord * takeRecords),
              entry.arrivalUs,
              entry.originUs,
              entry.spread,
              entry.keyId,
              entry.position,
              takeRecords,
              entry.members?.slice(skip, skip + take),
              entry.arrivalSpreadUs,
            );
      pieces.push(piece);
      records += takeRecords;
      bytes += piece.bytes;
      seq += take;
      if (takeRecords < left) break;
    }
    return { pieces, records, users: seq - fromSeq, bytes, endSeq: seq };
  }

  /** Time at which the record `seq` becomes readable (Infinity if not appended yet). */
  readableAt(seq: number): number {
    const i = this.indexOf(seq);
    const entry = this.entries[i];
    return entry && entry.firstSeq <= seq ? entry.arrivalUs + this.propagationUs : Number.POSITIVE_INFINITY;
  }

  /** Arrival time of the record `seq`, if it is still in the log. */
  arrivalOf(seq: number): number | undefined {
    const entry = this.entries[this.indexOf(seq)];
    return entry && entry.firstSeq <= seq && seq < entry.endSeq ? entry.arrivalUs : undefined;
  }

  /**
   * Drops entries that left retention (arrived at or before `expireBeforeUs`), expiring them for
   * every cursor that had not read them, then drops entries no cursor needs any more.
   */
  trim(expireBeforeUs: number): void {
    let expiredTo = this.trimSeq;
    while (this.head < this.entries.length && this.entries[this.head]!.arrivalUs <= expireBeforeUs) {
      expiredTo = this.entries[this.head]!.endSeq;
      this.head++;
    }
    if (expiredTo > 0) {
      for (const cursor of this.cursors) {
        if (cursor.readSeq < expiredTo) cursor.expire(expiredTo - cursor.readSeq, expiredTo);
      }
    }
    this.dropRead();
  }

  /**
   * Drops the entries every cursor has passed and may not go back to: nobody reads them again, so
   * when this runs changes nothing but memory. Run every second (not only at a trim), a consumer
   * that keeps up lets go of what it read while it is young: the garbage collector then need not
   * copy it, nor move it to the old generation, as it would a minute's worth.
   */
  dropRead(): void {
    let keepFrom = Number.POSITIVE_INFINITY;
    for (const cursor of this.cursors) keepFrom = Math.min(keepFrom, cursor.retainFromSeq());
    // The first entry still needed (sequence numbers only grow along the log: found by halving).
    const head = this.indexOf(keepFrom);
    const entries = this.entries;
    if (head > 0 && 2 * head >= entries.length) {
      // Most of the array is behind: move the rest to its front (at most as many as were dropped;
      // a loop, as the few moved are cheaper so than through copyWithin).
      const kept = entries.length - head;
      for (let i = 0; i < kept; i++) entries[i] = entries[i + head]!;
      entries.length = kept;
      this.head = 0;
    } else this.head = head;
  }

  /** Index of the entry holding `seq`, or of the first entry after it. */
  private indexOf(seq: number): number {
    const entries = this.entries;
    let lo = this.head;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (entries[mid]!.endSeq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Records held in the log (for tests and memory checks). */
  get heldRecords(): number {
    return this.nextSeq - this.trimSeq;
  }
}
