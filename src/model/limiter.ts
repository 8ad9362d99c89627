// Per-shard write limiters: 1,000 records/s and 1 MiB/s (partition keys included). Two policies
// behind one interface — calendar one-second windows (the default) and token buckets — plus the
// large-record "capacity tank". A call admits a whole cohort or the largest prefix that fits.

import { US_PER_S } from "../engine/time.js";

/** Admits writes against a shard's limits. */
export interface WriteLimiter {
  /**
   * Admits up to `count` records totalling `bytes` (charged bytes, keys included) at `nowUs`,
   * assuming equal-sized records; returns how many are accepted. Times never decrease.
   */
  admit(nowUs: number, count: number, bytes: number): number;
  /**
   * Admits `count` records of any sizes totalling `bytes` (charged) at `nowUs` only if every one of
   * them would be admitted by `admit` called for each in turn — and, for a whole number of records
   * a second, whenever they would — leaving the limiter as those calls would; otherwise admits
   * none, changes nothing a later `admit` could tell, and returns false. (A fractional rate lets
   * `admit` take a last part of a record; this refuses the whole then.)
   */
  admitWhole(nowUs: number, count: number, bytes: number): boolean;
}

/** Settings shared by every limiter of a stream. */
export interface LimiterSettings {
  policy: "window" | "token-bucket";
  recordsPerSecond: number;
  bytesPerSecond: number;
  /** Token-bucket depth in µs of the rate. */
  burstUs: number;
  /** Depth of the byte tank for large records, bytes (0: no tank). */
  largeRecordTankBytes: number;
}

/** Creates the limiter of one shard. */
export function createLimiter(settings: LimiterSettings): WriteLimiter {
  switch (settings.policy) {
    case "window":
      return new WindowLimiter(settings);
    case "token-bucket":
      return new TokenBucketLimiter(settings);
    default: {
      const never: never = settings.policy;
      throw new Error(`unknown limiter policy ${String(never)}`);
    }
  }
}

/**
 * Largest k ≤ kMax such that the first k of `count` equal-sized records totalling `bytes` fit in
 * `room` bytes (as charged by prefixBytes).
 */
function fitPrefix(count: number, bytes: number, kMax: number, room: number): number {
  if (prefixBytes(count, bytes, kMax) <= room) return kMax;
  if (room <= 0) return 0;
  let k = Math.min(kMax, Math.floor((room * count) / bytes));
  // Prefix bytes are rounded; step back if rounding pushed them over the room.
  while (k > 0 && prefixBytes(count, bytes, k) > room) k--;
  return k;
}

/** Charged bytes of the first k of count equal-sized records totalling bytes. */
export function prefixBytes(count: number, bytes: number, k: number): number {
  return k === count ? bytes : Math.round((bytes * k) / count);
}

/**
 * Calendar one-second windows from the start of the run: at most `recordsPerSecond` records and
 * `bytesPerSecond` bytes are accepted in [s, s + 1 s) for every whole second s. With large
 * records enabled the byte side is a tank instead (see ByteTank).
 */
export class WindowLimiter implements WriteLimiter {
  private window = -1;
  private recordsUsed = 0;
  private bytesUsed = 0;
  private readonly tank: ByteTank | undefined;

  constructor(private readonly settings: LimiterSettings) {
    this.tank =
      settings.largeRecordTankBytes > 0
        ? new ByteTank(settings.bytesPerSecond, settings.largeRecordTankBytes)
        : undefined;
  }

  /** Whether the room left in the window says all a write may take: no large-record tank. */
  get windowOnly(): boolean {
    return this.tank === undefined;
  }

  /** Records the window of `nowUs` can still take. */
  recordsRoom(nowUs: number): number {
    const used = Math.floor(nowUs / US_PER_S) === this.window ? this.recordsUsed : 0;
    return this.settings.recordsPerSecond - used;
  }

  /** Bytes (as charged) the window of `nowUs` can still take, without a tank. */
  bytesRoom(nowUs: number): number {
    const used = Math.floor(nowUs / US_PER_S) === this.window ? this.bytesUsed : 0;
    return this.settings.bytesPerSecond - used;
  }

  /** Starts the window of `nowUs` if it is a new one. */
  private roll(nowUs: number): void {
    const window = Math.floor(nowUs / US_PER_S);
    if (window !== this.window) {
      this.window = window;
      this.recordsUsed = 0;
      this.bytesUsed = 0;
    }
  }

  admit(nowUs: number, count: number, bytes: number): number {
    this.roll(nowUs);
    let k = Math.min(count, this.settings.recordsPerSecond - this.recordsUsed);
    if (k <= 0) return 0;
    if (this.tank) {
      k = fitPrefix(count, bytes, k, this.tank.room(nowUs));
      this.tank.take(prefixBytes(count, bytes, k));
    } else {
      k = fitPrefix(count, bytes, k, this.settings.bytesPerSecond - this.bytesUsed);
    }
    this.recordsUsed += k;
    this.bytesUsed += prefixBytes(count, bytes, k);
    return k;
  }

  admitWhole(nowUs: number, count: number, bytes: number): boolean {
    this.roll(nowUs);
    // Record by record, the i-th is admitted while the records before it leave room for it: all
    // are when the whole leaves room (records by count; bytes by their sum, whatever each size),
    // and with a whole number of records a second only then.
    if (this.recordsUsed + count > this.settings.recordsPerSecond) return false;
    if (this.tank) {
      // The tank refills once at this instant (a second look at the same instant adds nothing).
      if (bytes > this.tank.room(nowUs)) return false;
      this.tank.take(bytes);
    } else if (this.bytesUsed + bytes > this.settings.bytesPerSecond) return false;
    this.recordsUsed += count;
    this.bytesUsed += bytes;
    return true;
  }
}

/**
 * Token buckets for records and bytes, refilled continuously at the per-second rates and holding
 * at most `burstUs` worth of rate. Tokens are kept in units of 1e-6 record / byte so that
 * refills of integer microseconds stay exact integers.
 */
export class TokenBucketLimiter implements WriteLimiter {
  private recordTokens: number;
  private byteTokens: number;
  private readonly recordCap: number;
  private readonly byteCap: number;
  private lastUs = 0;

  constructor(private readonly settings: LimiterSettings) {
    this.recordCap = settings.recordsPerSecond * settings.burstUs;
    const byteDepthUs = Math.max(
      settings.burstUs,
      (settings.largeRecordTankBytes / settings.bytesPerSecond) * US_PER_S,
    );
    this.byteCap = Math.round(settings.bytesPerSecond * byteDepthUs);
    this.recordTokens = this.recordCap;
    this.byteTokens = this.byteCap;
  }

  private refill(nowUs: number): void {
    const dt = nowUs - this.lastUs;
    if (dt > 0) {
      this.recordTokens = Math.min(this.recordCap, this.recordTokens + this.settings.recordsPerSecond * dt);
      this.byteTokens = Math.min(this.byteCap, this.byteTokens + this.settings.bytesPerSecond * dt);
      this.lastUs = nowUs;
    }
  }

  admit(nowUs: number, count: number, bytes: number): number {
    this.refill(nowUs);
    let k = Math.min(count, Math.floor(this.recordTokens / US_PER_S));
    if (k <= 0) return 0;
    k = fitPrefix(count, bytes, k, Math.floor(this.byteTokens / US_PER_S));
    this.recordTokens -= k * US_PER_S;
    this.byteTokens -= prefixBytes(count, bytes, k) * US_PER_S;
    return k;
  }

  admitWhole(nowUs: number, count: number, bytes: number): boolean {
    this.refill(nowUs);
    // Tokens are whole multiples of 1e-6: taking a record's share at a time leaves the floor of the
    // quotient one less each time, so all fit exactly when the whole does.
    if (count > Math.floor(this.recordTokens / US_PER_S)) return false;
    if (bytes > Math.floor(this.byteTokens / US_PER_S)) return false;
    this.recordTokens -= count * US_PER_S;
    this.byteTokens -= bytes * US_PER_S;
    return true;
  }
}

/**
 * The large-record byte tank (BLOG-10MIB): refills at the shard's byte rate and holds up to the
 * tank depth, so a shard can take records up to 10 MiB while averaging 1 MiB/s.
 */
class ByteTank {
  private tokens: number;
  private lastUs = 0;
  private readonly cap: number;

  constructor(
    private readonly bytesPerSecond: number,
    depthBytes: number,
  ) {
    this.cap = depthBytes * US_PER_S;
    this.tokens = this.cap;
  }

  /** Whole bytes available at `nowUs`. */
  room(nowUs: number): number {
    const dt = nowUs - this.lastUs;
    if (dt > 0) {
      this.tokens = Math.min(this.cap, this.tokens + this.bytesPerSecond * dt);
      this.lastUs = nowUs;
    }
    return Math.floor(this.tokens / US_PER_S);
  }

  /** Takes `bytes` (at most `room`). */
  take(bytes: number): void {
    this.tokens -= bytes * US_PER_S;
  }
}

/**
 * Calls per calendar second against a quota (a request-rate limit: Firehose direct PUT, each SQS
 * API action). `take` admits a call now, or returns when the next second starts.
 */
export class CallQuota {
  private second = -1;
  private calls = 0;

  constructor(private readonly perSecond: number) {}

  take(nowUs: number): number | undefined {
    const second = Math.floor(nowUs / US_PER_S);
    if (second !== this.second) {
      this.second = second;
      this.calls = 0;
    }
    if (this.calls < this.perSecond) {
      this.calls++;
      return undefined;
    }
    return (second + 1) * US_PER_S;
  }
}
