// Real client code in virtual time. While a client run is on, the global clock, timers and
// Math.random are virtual: @sinonjs/fake-timers fakes Date, timers and performance, every timer a
// client sets becomes an engine event at its due time, and Math.random draws from a named random
// stream of the scenario. The run loop fires engine events one by one and, after each event that
// can resume client code, lets the clients' promise chains settle before the next event — so client
// code and simulated events interleave in one (time, sequence) order, and a seed gives one result.

import FakeTimers, { type Clock, type TimerId } from "@sinonjs/fake-timers";
import type { RandomStream } from "../engine/random.js";
import type { Simulation } from "../engine/simulation.js";
import { EPOCH_MS } from "../model/describe.js";

/** Globals faked while clients run (nextTick and queueMicrotask stay real: promises need them). */
const FAKED = [
  "Date",
  "setTimeout",
  "clearTimeout",
  "setInterval",
  "clearInterval",
  "setImmediate",
  "clearImmediate",
  "performance",
  "hrtime",
] as const;

/** Milliseconds of the virtual wall clock at engine time `us`. */
export function wallMsOf(us: number): number {
  return EPOCH_MS + Math.floor(us / 1000);
}

type TimerFn = (callback: (...args: unknown[]) => void, delay?: number, ...args: unknown[]) => TimerId;

/** Owns the virtual clock of a client run and its run loop. */
export class VirtualTime {
  private clock: (Clock & { uninstall(): void }) | undefined;
  /** Set when an event may have resumed client code: the loop lets promises settle. */
  private resumed = false;
  private realSetImmediate: ((fn: () => void) => unknown) | undefined;
  private savedRandom: (() => number) | undefined;
  /** Client intervals, with the due time (ms) the engine was last woken for. */
  private readonly intervals = new Map<number, number>();

  constructor(
    readonly sim: Simulation,
    private readonly random: RandomStream,
  ) {}

  /** Fakes the globals. Throws when another client run already holds them. */
  install(): void {
    if (this.clock) throw new Error("the virtual clock is already installed");
    const g = globalThis as unknown as Record<string, unknown>;
    if ((g.Date as { clock?: unknown }).clock !== undefined)
      throw new Error("another virtual clock is installed: client runs cannot overlap in one process");
    // Captured before faking: the loop needs the real one to let promise chains settle.
    this.realSetImmediate = g.setImmediate as (fn: () => void) => unknown;
    this.clock = FakeTimers.install({
      now: wallMsOf(this.sim.nowUs),
      toFake: [...FAKED],
      shouldClearNativeTimers: false,
    });
    const fakeTimeout = g.setTimeout as TimerFn;
    const fakeInterval = g.setInterval as TimerFn;
    const fakeImmediate = g.setImmediate as (fn: (...a: unknown[]) => void, ...a: unknown[]) => TimerId;
    // Each timer a client sets wakes the engine at its due time (a (time, sequence) event).
    g.setTimeout = (fn: (...a: unknown[]) => void, delay?: number, ...args: unknown[]) => {
      const id = fakeTimeout(fn, nodeDelay(delay), ...args);
      this.wakeFor(id);
      return id;
    };
    g.setInterval = (fn: (...a: unknown[]) => void, delay?: number, ...args: unknown[]) => {
      const id = fakeInterval(fn, nodeDelay(delay), ...args);
      this.wakeFor(id);
      this.intervals.set(idOf(id), this.clock?.timers?.get(idOf(id))?.callAt ?? 0);
      return id;
    };
    g.setImmediate = (fn: (...a: unknown[]) => void, ...args: unknown[]) => {
      const id = fakeImmediate(fn, ...args);
      this.wakeFor(id);
      return id;
    };
    const fakeClearInterval = g.clearInterval as (id: TimerId) => void;
    g.clearInterval = (id: TimerId) => {
      this.intervals.delete(idOf(id));
      fakeClearInterval(id);
    };
    this.savedRandom = Math.random;
    const rng = this.random;
    Math.random = () => rng.next();
  }

  /** Restores the real globals. */
  uninstall(): void {
    if (this.savedRandom) Math.random = this.savedRandom;
    this.savedRandom = undefined;
    this.clock?.uninstall();
    this.clock = undefined;
  }

  /** Schedules `fn` at engine time `timeUs` as an event that resumes client code. */
  at(timeUs: number, fn: (nowUs: number) => void): void {
    this.sim.at(timeUs, (t) => {
      this.advance(t);
      this.resumed = true;
      fn(t);
    });
  }

  /** Marks the current event as one that started client code: promises settle before the next event. */
  resume(): void {
    this.advance(this.sim.nowUs);
    this.resumed = true;
  }

  /** Schedules `fn` after `delayUs` (see at). */
  schedule(delayUs: number, fn: (nowUs: number) => void): void {
    this.at(this.sim.nowUs + delayUs, fn);
  }

  /** A promise that resolves after `ms` of virtual time. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.schedule(Math.max(0, Math.round(ms * 1000)), () => resolve()));
  }

  /**
   * Fires engine events before `untilUs`, letting client promise chains settle after each event
   * that resumed client code (and once at the start), then fires the boundary hooks up to it.
   */
  async run(untilUs: number): Promise<void> {
    this.resumed = true;
    for (;;) {
      if (this.resumed) {
        this.resumed = false;
        await this.settle();
        continue;
      }
      if (!this.sim.step(untilUs)) break;
    }
    this.sim.run(untilUs);
    this.advance(this.sim.nowUs);
  }

  /** Lets every queued promise reaction run (microtasks drain before a real setImmediate fires). */
  async settle(): Promise<void> {
    const immediate = this.realSetImmediate!;
    await new Promise<void>((resolve) => immediate(resolve));
  }

  /** Moves the fake clock to engine time `us` (whole milliseconds), firing client timers due by then. */
  private advance(us: number): void {
    const clock = this.clock;
    if (!clock) return;
    const target = wallMsOf(us);
    if (target > clock.now) clock.tick(target - clock.now);
    else clock.tick(0);
    // Intervals that fired are due again: wake the engine for their next run.
    for (const [id, wokenFor] of this.intervals) {
      const timer = clock.timers?.get(id);
      if (!timer) this.intervals.delete(id);
      else if (timer.callAt !== undefined && timer.callAt !== wokenFor) {
        this.intervals.set(id, timer.callAt);
        this.wakeAtMs(timer.callAt);
      }
    }
  }

  private wakeFor(id: TimerId): void {
    const timer = this.clock?.timers?.get(idOf(id));
    if (timer?.callAt !== undefined) this.wakeAtMs(timer.callAt);
  }

  private wakeAtMs(callAtMs: number): void {
    const us = Math.max(this.sim.nowUs, (callAtMs - EPOCH_MS) * 1000);
    this.at(us, () => {});
  }
}

/**
 * A timer's delay as Node takes it: under 1 ms (or not a number) is 1 ms. Without this a loop that
 * waits a fraction of a millisecond for a token (the SDK's adaptive rate limiter does) would wait
 * no virtual time at all, and spin.
 */
function nodeDelay(delay: unknown): number {
  const ms = Number(delay);
  return ms >= 1 && ms <= 2 ** 31 - 1 ? ms : 1;
}

/** A fake timer's numeric id (Node-style timer objects convert to it through Symbol.toPrimitive). */
function idOf(id: TimerId): number {
  return typeof id === "number" ? id : Number(id);
}
