// The read limits of one shard, shared by every polling consumer (plain SDK readers, KCL with
// polling, Lambda without EFO, Firehose): 5 GetRecords calls per second and 2 MiB/s. A call may
// return up to 10 MiB; the bytes above the rate are a debt, and calls are throttled until it is
// repaid — after a 10 MiB read that is about 5 seconds, as AWS documents.

import { US_PER_S } from "../engine/time.js";

/** Settings of a shard's read limiter. */
export interface ReadLimits {
  callsPerSecond: number;
  bytesPerSecond: number;
  /** "window": calls per calendar second; "token-bucket": a bucket of one second of calls. */
  policy: "window" | "token-bucket";
}

/** Shared GetRecords limits of one shard. */
export class ReadLimiter {
  private window = -1;
  private callsInWindow = 0;
  private callTokens: number;
  private lastCallUs = 0;
  /** Byte allowance in units of 1e-6 byte (exact integer refills); may go negative (debt). */
  private byteTokens: number;
  private readonly byteCap: number;
  private lastByteUs = 0;

  constructor(private readonly limits: ReadLimits) {
    this.callTokens = limits.callsPerSecond * US_PER_S;
    this.byteCap = limits.bytesPerSecond * US_PER_S;
    this.byteTokens = this.byteCap;
  }

  /**
   * Tries to start a GetRecords call at `nowUs`: true when allowed (the call is counted), false
   * when it is throttled (ReadProvisionedThroughputExceeded).
   */
  tryCall(nowUs: number): boolean {
    if (this.bytesAvailable(nowUs) < 0) return false;
    if (this.limits.policy === "window") {
      const window = Math.floor(nowUs / US_PER_S);
      if (window !== this.window) {
        this.window = window;
        this.callsInWindow = 0;
      }
      if (this.callsInWindow >= this.limits.callsPerSecond) return false;
      this.callsInWindow++;
      return true;
    }
    const cap = this.limits.callsPerSecond * US_PER_S;
    this.callTokens = Math.min(cap, this.callTokens + this.limits.callsPerSecond * (nowUs - this.lastCallUs));
    this.lastCallUs = nowUs;
    if (this.callTokens < US_PER_S) return false;
    this.callTokens -= US_PER_S;
    return true;
  }

  /** Test hook: sees every allowed call and the bytes it returned. */
  observer: ((nowUs: number, bytes: number) => void) | undefined;

  /** Charges the bytes a call returned. */
  charge(nowUs: number, bytes: number): void {
    this.bytesAvailable(nowUs);
    this.byteTokens -= bytes * US_PER_S;
    this.observer?.(nowUs, bytes);
  }

  /** Bytes allowed now (negative while a large read is being repaid). */
  bytesAvailable(nowUs: number): number {
    const dt = nowUs - this.lastByteUs;
    if (dt > 0) {
      this.byteTokens = Math.min(this.byteCap, this.byteTokens + this.limits.bytesPerSecond * dt);
      this.lastByteUs = nowUs;
    }
    return this.byteTokens / US_PER_S;
  }
}
