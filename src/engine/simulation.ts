// The simulation kernel: one object owns the virtual clock and the event queue (no global
// state). Components schedule handlers; `run(untilUs)` fires them in (time, scheduling order).
// Periodic hooks (metric intervals) fire before any event at or after their boundary.

import { type EventHandler, EventQueue } from "./event-queue.js";

/** A periodic hook: called once per period boundary, in boundary order. */
interface BoundaryHook {
  periodUs: number;
  nextUs: number;
  fn: (boundaryUs: number) => void;
}

/** Error thrown when a component breaks an engine invariant (e.g. scheduling into the past). */
export class EngineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EngineError";
  }
}

/** The clock, the queue and the run loop. */
export class Simulation {
  /** Current virtual time in microseconds. */
  nowUs = 0;
  /** Number of events fired so far. */
  eventsFired = 0;
  private readonly queue = new EventQueue();
  private readonly hooks: BoundaryHook[] = [];
  private nextBoundaryUs = Number.POSITIVE_INFINITY;
  /** End of the `run` in progress (events at or after it wait for the next call); −∞ otherwise. */
  private runUntilUs = Number.NEGATIVE_INFINITY;

  /** Schedules `handler` at absolute time `timeUs` (integer µs, not in the past). */
  at(timeUs: number, handler: EventHandler): void {
    if (!(timeUs >= this.nowUs) || !Number.isInteger(timeUs)) {
      throw new EngineError(
        `cannot schedule at ${timeUs} µs: now is ${this.nowUs} µs (time must be an integer ≥ now)`,
      );
    }
    this.queue.push(timeUs, handler);
  }

  /** Schedules `handler` after `delayUs` (integer µs ≥ 0). */
  schedule(delayUs: number, handler: EventHandler): void {
    this.at(this.nowUs + delayUs, handler);
  }

  /** Calls `fn(boundaryUs)` at every multiple of `periodUs` after now, before events at that time. */
  every(periodUs: number, fn: (boundaryUs: number) => void): void {
    if (!(periodUs > 0) || !Number.isInteger(periodUs)) {
      throw new EngineError(`hook period must be a positive integer of µs, got ${periodUs}`);
    }
    const nextUs = (Math.floor(this.nowUs / periodUs) + 1) * periodUs;
    this.hooks.push({ periodUs, nextUs, fn });
    this.nextBoundaryUs = Math.min(this.nextBoundaryUs, nextUs);
  }

  /** Number of pending events. */
  get pending(): number {
    return this.queue.size;
  }

  /**
   * Fires events with time < `untilUs`, then hooks with boundary ≤ `untilUs`, and leaves the
   * clock at `untilUs`. Can be called repeatedly with increasing `untilUs` (for progress bars).
   */
  run(untilUs: number): void {
    const queue = this.queue;
    this.runUntilUs = untilUs;
    try {
      for (;;) {
        const t = queue.peekTime();
        if (t >= untilUs) break;
        if (t >= this.nextBoundaryUs) this.fireBoundaries(t);
        this.nowUs = t;
        this.eventsFired++;
        queue.pop()(t);
      }
    } finally {
      this.runUntilUs = Number.NEGATIVE_INFINITY;
    }
    this.fireBoundaries(untilUs);
    if (untilUs > this.nowUs) this.nowUs = untilUs;
  }

  /**
   * A handler's next event at `timeUs`, run at once instead of scheduled: when it would be the
   * very next event of this `run` (strictly before every pending event and hook boundary, so no
   * equal-time event scheduled earlier is overtaken), the clock moves to `timeUs`, it counts as a
   * fired event, and this returns true for the caller to act now. Otherwise nothing changes and
   * the caller schedules it. The order of events is exactly what scheduling would give; a chain of
   * events with nothing between them (a producer's arrivals) skips the queue. Never inside `step`,
   * whose caller acts between events.
   */
  advanceTo(timeUs: number): boolean {
    if (
      !(timeUs < this.runUntilUs && timeUs < this.nextBoundaryUs && timeUs < this.queue.peekTime()) ||
      !(timeUs >= this.nowUs) ||
      !Number.isInteger(timeUs)
    )
      return false;
    this.nowUs = timeUs;
    this.eventsFired++;
    return true;
  }

  /**
   * Fires the next event if it comes before `untilUs` (hooks due before it first) and returns
   * true; returns false, leaving everything as it is, when none does. For loops that must act
   * between events (real client code in virtual time).
   */
  step(untilUs: number): boolean {
    const t = this.queue.peekTime();
    if (t >= untilUs) return false;
    if (t >= this.nextBoundaryUs) this.fireBoundaries(t);
    this.nowUs = t;
    this.eventsFired++;
    this.queue.pop()(t);
    return true;
  }

  private fireBoundaries(upToUs: number): void {
    while (this.nextBoundaryUs <= upToUs) {
      const boundary = this.nextBoundaryUs;
      this.nowUs = boundary;
      let next = Number.POSITIVE_INFINITY;
      for (const hook of this.hooks) {
        if (hook.nextUs === boundary) {
          hook.fn(boundary);
          hook.nextUs += hook.periodUs;
        }
        if (hook.nextUs < next) next = hook.nextUs;
      }
      this.nextBoundaryUs = next;
    }
  }
}
