// Rate profiles as functions of virtual time: the rate at an instant, the expected number of
// records in an interval (exact integrals), and an upper bound for Poisson thinning.

import type { EventHandler } from "../engine/event-queue.js";
import type { RandomStream } from "../engine/random.js";
import type { Simulation } from "../engine/simulation.js";
import { roundUs, US_PER_S } from "../engine/time.js";
import type { RateProfile } from "../scenario/schema.js";

/** A record rate over time (records per second, time in µs). */
export interface RateFunction {
  /** Rate at `tUs`. */
  at(tUs: number): number;
  /** Expected records in [t0Us, t1Us). */
  integral(t0Us: number, t1Us: number): number;
  /** An upper bound of the rate over [t0Us, t1Us]. */
  max(t0Us: number, t1Us: number): number;
  /** The rate, if `at` gives this same value at every instant of [t0Us, t1Us); else −1 (also
   *  where that cannot be told cheaply). */
  flat(t0Us: number, t1Us: number): number;
}

/** A linear piece of a rate: from r0 at t0 to r1 at t1 (t1 may be Infinity when r0 = r1). */
interface Segment {
  t0: number;
  t1: number;
  r0: number;
  r1: number;
}

/**
 * Piecewise-linear rate (with jumps). Optionally periodic: after `phase`, the segments over
 * [0, period) repeat; before it, the rate is `before`.
 */
class PiecewiseRate implements RateFunction {
  private readonly cumulative: number[] = [];
  private readonly periodIntegral: number;
  /** The rate of a level profile from time 0 on (one piece, not periodic), else −1: its integral
   *  after 0 is the rate times the time, the very numbers the general path computes (see integral;
   *  below 2^1023, where the general path's r + r is still finite). */
  private readonly level: number;

  constructor(
    private readonly segments: Segment[],
    private readonly period = Number.POSITIVE_INFINITY,
    private readonly phase = 0,
    private readonly before = 0,
  ) {
    let acc = 0;
    for (const s of segments) {
      this.cumulative.push(acc);
      acc += s.t1 === Number.POSITIVE_INFINITY ? 0 : area(s, s.t0, s.t1);
    }
    this.periodIntegral = acc;
    const first = segments[0];
    this.level =
      segments.length === 1 &&
      period === Number.POSITIVE_INFINITY &&
      phase === 0 &&
      before === 0 &&
      first!.t0 === 0 &&
      first!.t1 === Number.POSITIVE_INFINITY &&
      first!.r0 >= 0 &&
      first!.r0 + first!.r0 < Number.POSITIVE_INFINITY
        ? first!.r0
        : -1;
  }

  private local(tUs: number): number {
    return this.period === Number.POSITIVE_INFINITY ? tUs - this.phase : (tUs - this.phase) % this.period;
  }

  private find(local: number): number {
    const segs = this.segments;
    let lo = 0;
    let hi = segs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (segs[mid]!.t0 <= local) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  at(tUs: number): number {
    if (tUs < this.phase) return this.before;
    const local = this.local(tUs);
    const s = this.segments[this.find(local)]!;
    if (local >= s.t1) return 0;
    return valueAt(s, local);
  }

  /** Integral from the phase start to t (t ≥ phase), in records. */
  private cumulativeTo(tUs: number): number {
    const local = this.local(tUs);
    const i = this.find(local);
    const s = this.segments[i]!;
    const within = this.cumulative[i]! + area(s, s.t0, Math.min(local, s.t1));
    if (this.period === Number.POSITIVE_INFINITY) return within;
    return Math.floor((tUs - this.phase) / this.period) * this.periodIntegral + within;
  }

  private primitive(tUs: number): number {
    if (tUs <= this.phase) return (this.before * tUs) / US_PER_S;
    return (this.before * this.phase) / US_PER_S + this.cumulativeTo(tUs);
  }

  integral(t0Us: number, t1Us: number): number {
    if (t1Us <= t0Us) return 0;
    // A level rate after time 0: primitive(t) is 0 + (0 + area(piece, 0, t)), and the area is
    // ((r + r) / 2) · ((t − 0) / 10⁶) = r · (t / 10⁶) exactly — computed here without the search.
    const level = this.level;
    if (level >= 0 && t0Us > 0) return Math.max(0, level * (t1Us / US_PER_S) - level * (t0Us / US_PER_S));
    return Math.max(0, this.primitive(t1Us) - this.primitive(t0Us));
  }

  max(t0Us: number, t1Us: number): number {
    let best = t0Us < this.phase ? this.before : 0;
    const from = Math.max(t0Us, this.phase);
    if (from > t1Us) return best;
    if (t1Us - from >= this.period) {
      for (const s of this.segments) best = Math.max(best, s.r0, s.r1);
      return best;
    }
    const a = this.local(from);
    const b = a + (t1Us - from);
    best = Math.max(best, this.maxLocal(a, Math.min(b, this.period)));
    if (b > this.period) best = Math.max(best, this.maxLocal(0, b - this.period));
    return best;
  }

  flat(t0Us: number, t1Us: number): number {
    if (t1Us <= this.phase) return this.before;
    if (t0Us < this.phase || !(t1Us - t0Us < this.period)) return -1;
    // Local times only grow from t0 to t1 unless the period wraps in between (then b < a).
    const a = this.local(t0Us);
    const b = this.local(t1Us);
    if (b < a) return -1;
    // Every instant lies in the piece that holds a, short of its end, and the piece is level.
    const s = this.segments[this.find(a)]!;
    if (a < s.t0 || !(b < s.t1)) return -1;
    return s.r0 === s.r1 || s.t1 === INF ? s.r0 : -1;
  }

  /** Largest rate over local times [a, b] within one period (linear pieces peak at their ends). */
  private maxLocal(a: number, b: number): number {
    let best = 0;
    for (let i = this.find(a); i < this.segments.length; i++) {
      const s = this.segments[i]!;
      if (s.t0 > b) break;
      best = Math.max(best, valueAt(s, Math.max(a, s.t0)), valueAt(s, Math.min(b, s.t1)));
    }
    return best;
  }
}

function valueAt(s: Segment, t: number): number {
  if (s.r0 === s.r1 || s.t1 === Number.POSITIVE_INFINITY) return s.r0;
  return s.r0 + ((s.r1 - s.r0) * (t - s.t0)) / (s.t1 - s.t0);
}

/** Records in [a, b] of a segment (trapezoid; exact for linear pieces). */
function area(s: Segment, a: number, b: number): number {
  if (b <= a) return 0;
  return ((valueAt(s, a) + valueAt(s, b)) / 2) * ((b - a) / US_PER_S);
}

const INF = Number.POSITIVE_INFINITY;

/** A sinusoidal day: mean + (peak − mean)·cos(2π(t − peakAt)/period), never below 0. */
class DiurnalRate implements RateFunction {
  private readonly amplitude: number;

  constructor(
    private readonly mean: number,
    private readonly peak: number,
    private readonly periodUs: number,
    private readonly peakAtUs: number,
  ) {
    this.amplitude = peak - mean;
  }

  at(tUs: number): number {
    return Math.max(
      0,
      this.mean + this.amplitude * Math.cos((2 * Math.PI * (tUs - this.peakAtUs)) / this.periodUs),
    );
  }

  integral(t0Us: number, t1Us: number): number {
    if (t1Us <= t0Us) return 0;
    if (this.mean >= Math.abs(this.amplitude)) {
      // Never clipped at zero: exact antiderivative.
      const w = (2 * Math.PI) / this.periodUs;
      const f = (t: number) => this.mean * t + (this.amplitude / w) * Math.sin(w * (t - this.peakAtUs));
      return (f(t1Us) - f(t0Us)) / US_PER_S;
    }
    // Clipped: Simpson's rule on a fine grid (the rate is smooth between the clip points).
    const steps = 64;
    const h = (t1Us - t0Us) / steps;
    let sum = this.at(t0Us) + this.at(t1Us);
    for (let i = 1; i < steps; i++) sum += (i % 2 === 1 ? 4 : 2) * this.at(t0Us + i * h);
    return (sum * h) / 3 / US_PER_S;
  }

  max(): number {
    return Math.max(this.peak, 0);
  }

  flat(): number {
    return this.amplitude === 0 ? Math.max(0, this.mean) : -1;
  }
}

/** Restricts a rate to the producer's active window [start, stop). */
class WindowedRate implements RateFunction {
  constructor(
    private readonly inner: RateFunction,
    private readonly startUs: number,
    private readonly stopUs: number,
  ) {}

  at(tUs: number): number {
    return tUs >= this.startUs && tUs < this.stopUs ? this.inner.at(tUs) : 0;
  }

  integral(t0Us: number, t1Us: number): number {
    const a = Math.max(t0Us, this.startUs);
    const b = Math.min(t1Us, this.stopUs);
    return b > a ? this.inner.integral(a, b) : 0;
  }

  max(t0Us: number, t1Us: number): number {
    const a = Math.max(t0Us, this.startUs);
    const b = Math.min(t1Us, this.stopUs);
    return b >= a ? this.inner.max(a, b) : 0;
  }

  flat(t0Us: number, t1Us: number): number {
    return t0Us >= this.startUs && t1Us <= this.stopUs ? this.inner.flat(t0Us, t1Us) : -1;
  }
}

/** Builds the rate function of a profile, active over [startUs, stopUs). */
export function rateFunction(
  profile: RateProfile,
  startUs: number,
  stopUs: number,
  runEndUs: number,
): RateFunction {
  return new WindowedRate(baseRate(profile, runEndUs), startUs, stopUs);
}

function baseRate(profile: RateProfile, runEndUs: number): RateFunction {
  switch (profile.profile) {
    case "constant":
      return new PiecewiseRate([{ t0: 0, t1: INF, r0: profile.rate, r1: profile.rate }]);
    case "ramp": {
      const end = Math.max(profile.end ?? runEndUs, profile.start);
      const segments: Segment[] = [];
      if (profile.start > 0) segments.push({ t0: 0, t1: profile.start, r0: profile.from, r1: profile.from });
      if (end > profile.start)
        segments.push({ t0: profile.start, t1: end, r0: profile.from, r1: profile.to });
      segments.push({ t0: end, t1: INF, r0: profile.to, r1: profile.to });
      return new PiecewiseRate(segments);
    }
    case "steps": {
      const steps = profile.steps;
      const segments = steps.map((step, i): Segment => {
        const t0 = i === 0 ? 0 : step.at;
        const t1 = i + 1 < steps.length ? steps[i + 1]!.at : INF;
        return { t0, t1, r0: step.rate, r1: step.rate };
      });
      return new PiecewiseRate(segments);
    }
    case "diurnal":
      return new DiurnalRate(profile.mean, profile.peak, profile.period, profile.peakAt);
    case "spike": {
      const { base, peak, at, duration, rampUp, rampDown } = profile;
      const segments: Segment[] = [];
      const riseStart = Math.max(0, at - rampUp);
      if (riseStart > 0) segments.push({ t0: 0, t1: riseStart, r0: base, r1: base });
      if (at > riseStart) segments.push({ t0: riseStart, t1: at, r0: base, r1: peak });
      segments.push({ t0: at, t1: at + duration, r0: peak, r1: peak });
      if (rampDown > 0)
        segments.push({ t0: at + duration, t1: at + duration + rampDown, r0: peak, r1: base });
      segments.push({ t0: at + duration + rampDown, t1: INF, r0: base, r1: base });
      return new PiecewiseRate(segments);
    }
    case "pulse": {
      const { base, peak, every, width, offset } = profile;
      const segments: Segment[] = [{ t0: 0, t1: width, r0: peak, r1: peak }];
      if (width < every) segments.push({ t0: width, t1: every, r0: base, r1: base });
      return new PiecewiseRate(segments, every, offset, base);
    }
    case "series": {
      const segments = profile.perSecond.map(
        (rate, i): Segment => ({
          t0: i * profile.intervalUs,
          t1: (i + 1) * profile.intervalUs,
          r0: rate,
          r1: rate,
        }),
      );
      const end = profile.perSecond.length * profile.intervalUs;
      if (profile.loop) return new PiecewiseRate(segments, end, 0, 0);
      segments.push({ t0: end, t1: INF, r0: 0, r1: 0 });
      return new PiecewiseRate(segments);
    }
    case "trace":
      throw new Error("trace profiles must be read into series before the run (loadScenario does this)");
    default: {
      const never: never = profile;
      throw new Error(`unknown rate profile ${JSON.stringify(never)}`);
    }
  }
}

/** Successive arrival times of a Poisson or evenly spaced process with a given rate. */
export class ArrivalClock {
  private evenCarry = 0;
  /** The thinning bound and the window [from, until) it holds for. */
  private bound = 0;
  /** The rate is the bound at every instant of the window: every candidate arrival is kept. */
  private boundIsRate = false;
  private boundFromUs = 0;
  private boundUntilUs = 0;

  constructor(
    private readonly rate: RateFunction,
    private readonly kind: "poisson" | "even",
    private readonly rng: RandomStream,
    private readonly stopUs: number,
    /** Multiplies the rate (a single client of a fleet of n sees 1/n of it). */
    private readonly scale = 1,
  ) {}

  /**
   * Record resolution: calls `arrive` at `nowUs`, then at each next arrival (rounded to a µs, as
   * scheduling rounds it) at once while it is the simulation's very next event (see
   * Simulation.advanceTo), and schedules `handler` at the first that is not. Events run in the
   * order one event per arrival gives: a steady producer's arrivals mostly skip the queue.
   */
  chain(sim: Simulation, nowUs: number, arrive: (nowUs: number) => void, handler: EventHandler): void {
    for (let t = nowUs; ; ) {
      arrive(t);
      const next = this.next(t);
      if (!(next < this.stopUs)) return;
      const at = Math.max(sim.nowUs, roundUs(next));
      if (!sim.advanceTo(at)) {
        sim.at(at, handler);
        return;
      }
      t = at;
    }
  }

  /** Schedules `handler` at the first arrival after `fromUs` (rounded to a µs, as `chain` rounds
   *  it), if one comes before stop. */
  schedule(sim: Simulation, fromUs: number, handler: EventHandler): void {
    const next = this.next(fromUs);
    if (next < this.stopUs) sim.at(Math.max(sim.nowUs, roundUs(next)), handler);
  }

  /** The first arrival after `fromUs` (fractional µs), or Infinity when none comes before stop. */
  next(fromUs: number): number {
    return this.kind === "even" ? this.nextEven(fromUs) : this.nextPoisson(fromUs);
  }

  /**
   * Poisson arrivals by thinning against the rate's maximum over a window of up to a second. The
   * bound is kept for the whole window (it holds for any time in it), so a record costs one
   * exponential draw, plus one uniform only where the rate is below the bound.
   */
  private nextPoisson(fromUs: number): number {
    let t = fromUs;
    for (;;) {
      if (t >= this.stopUs) return Number.POSITIVE_INFINITY;
      if (t >= this.boundUntilUs || t < this.boundFromUs) {
        this.boundFromUs = t;
        this.boundUntilUs = Math.min(t + US_PER_S, this.stopUs);
        this.bound = this.rate.max(t, this.boundUntilUs) * this.scale;
        const flat = this.rate.flat(t, this.boundUntilUs);
        this.boundIsRate = flat >= 0 && flat * this.scale >= this.bound;
      }
      const horizon = this.boundUntilUs;
      const bound = this.bound;
      if (bound <= 0) {
        t = horizon;
        continue;
      }
      t += this.rng.exponential(bound) * US_PER_S;
      if (t >= horizon) {
        t = horizon;
        continue;
      }
      // A level rate is its bound: `at` would give it, and the candidate is kept.
      if (this.boundIsRate) return t;
      const rate = this.rate.at(t) * this.scale;
      if (rate >= bound || this.rng.next() * bound <= rate) return t;
    }
  }

  /** Evenly spaced arrivals: one per 1/rate, at whole microseconds. */
  private nextEven(fromUs: number): number {
    let t = fromUs;
    for (;;) {
      if (t >= this.stopUs) return Number.POSITIVE_INFINITY;
      const r = this.rate.at(t) * this.scale;
      if (r > 0) {
        this.evenCarry += US_PER_S / r;
        const step = Math.floor(this.evenCarry);
        this.evenCarry -= step;
        return t + Math.max(step, 1);
      }
      t = Math.min(t + US_PER_S, this.stopUs);
    }
  }
}
