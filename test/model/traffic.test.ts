import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RandomStream } from "../../src/engine/random.js";
import { ArrivalClock, type RateFunction, rateFunction } from "../../src/model/traffic.js";
import type { RateProfile } from "../../src/scenario/schema.js";
import { propertySeed } from "../support/property.js";

const S = 1_000_000;
const RUN_US = 20 * S;

/** Profiles with level pieces, slopes, a period and a window, rates in records per second and
 *  times in µs as the loader leaves them. */
const profiles: fc.Arbitrary<RateProfile> = fc.oneof(
  fc.integer({ min: 0, max: 50_000 }).map((rate) => ({ profile: "constant", rate }) as RateProfile),
  fc
    .array(fc.tuple(fc.integer({ min: 1, max: 19 * S }), fc.integer({ min: 0, max: 20_000 })), {
      minLength: 1,
      maxLength: 5,
    })
    .map((pairs) => {
      const ats = [...new Set(pairs.map(([at]) => at))].sort((a, b) => a - b);
      const steps = [{ at: 0, rate: pairs[0]![1] }, ...ats.map((at, i) => ({ at, rate: pairs[i]![1] }))];
      return { profile: "steps", steps } as RateProfile;
    }),
  fc
    .record({
      base: fc.integer({ min: 0, max: 5_000 }),
      peak: fc.integer({ min: 0, max: 20_000 }),
      every: fc.integer({ min: S / 2, max: 6 * S }),
      width: fc.integer({ min: 1, max: 6 * S }),
      offset: fc.integer({ min: 0, max: 5 * S }),
    })
    .map((p) => ({ profile: "pulse", ...p, width: Math.min(p.width, p.every) }) as RateProfile),
  fc
    .record({
      from: fc.integer({ min: 0, max: 20_000 }),
      to: fc.integer({ min: 0, max: 20_000 }),
      start: fc.integer({ min: 0, max: 10 * S }),
      length: fc.integer({ min: 0, max: 10 * S }),
    })
    .map(
      ({ from, to, start, length }) =>
        ({ profile: "ramp", from, to, start, end: start + length }) as RateProfile,
    ),
  fc
    .record({
      mean: fc.integer({ min: 0, max: 20_000 }),
      swing: fc.constantFrom(0, 0, 500, 5_000),
      period: fc.integer({ min: S, max: 30 * S }),
      peakAt: fc.integer({ min: 0, max: 10 * S }),
    })
    .map(
      ({ mean, swing, period, peakAt }) =>
        ({ profile: "diurnal", mean, peak: mean + swing, period, peakAt }) as RateProfile,
    ),
);

/** The same rate without its shortcut: never level. */
function withoutFlat(rate: RateFunction): RateFunction {
  return {
    at: (t) => rate.at(t),
    integral: (a, b) => rate.integral(a, b),
    max: (a, b) => rate.max(a, b),
    flat: () => -1,
  };
}

describe("rate functions", () => {
  it("say a rate is level over a window only where `at` gives that rate at every instant of it", () => {
    fc.assert(
      fc.property(
        profiles,
        fc.integer({ min: 0, max: 3 * S }),
        fc.integer({ min: 5 * S, max: RUN_US }),
        fc.integer({ min: 0, max: RUN_US }),
        fc.integer({ min: 1, max: 2 * S }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { maxLength: 40 }),
        (profile, start, stop, t0, length, points) => {
          const rate = rateFunction(profile, start, stop, RUN_US);
          const t1 = t0 + length;
          const level = rate.flat(t0, t1);
          if (level < 0) return;
          // Its ends, the instants just short of t1 a fractional arrival can take, and inside.
          const instants = [t0, t1 - 1, t1 - 1e-3, t1 - 2 ** -20, ...points.map((u) => t0 + u * length)];
          for (const t of instants.filter((x) => x >= t0 && x < t1)) expect(rate.at(t)).toBe(level);
          expect(rate.max(t0, t1)).toBeGreaterThanOrEqual(level);
        },
      ),
      { numRuns: 400, seed: propertySeed("rate-flat") },
    );
  });

  it("integrate a constant rate to the same double as the general piecewise path", () => {
    // Steps of one rate over [0, 10⁹ µs) are two pieces, integrated by the search and the
    // pieces' areas; a constant rate is integrated by its own short path. Before the second step
    // the two must agree to the last bit (their records are drawn from these numbers).
    const far = 1e9;
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: far, noNaN: true, maxExcluded: true }),
        fc.double({ min: 0, max: far, noNaN: true, maxExcluded: true }),
        (r, a, b) => {
          const constant = rateFunction({ profile: "constant", rate: r } as RateProfile, 0, far, far);
          const steps = rateFunction(
            {
              profile: "steps",
              steps: [
                { at: 0, rate: r },
                { at: far, rate: r },
              ],
            } as RateProfile,
            0,
            far,
            far,
          );
          expect(Object.is(constant.integral(a, b), steps.integral(a, b))).toBe(true);
        },
      ),
      { numRuns: 2000, seed: propertySeed("rate-constant-integral") },
    );
    // A rate whose double overflows (r + r = Infinity: the general path gives NaN) stays on it.
    const huge = 1e308;
    const constant = rateFunction({ profile: "constant", rate: huge } as RateProfile, 0, far, far);
    expect(constant.integral(1, 2)).toBeNaN();
  });

  it("find a constant rate level inside its window, and a slope, a window's edge or a step not", () => {
    const constant = rateFunction({ profile: "constant", rate: 40_000 } as RateProfile, S, 10 * S, RUN_US);
    expect(constant.flat(2 * S, 3 * S)).toBe(40_000);
    expect(constant.flat(0.5 * S, 1.5 * S)).toBe(-1);
    expect(constant.flat(9.5 * S, 10.5 * S)).toBe(-1);
    const ramp = rateFunction(
      { profile: "ramp", from: 0, to: 1_000, start: 0, end: 10 * S } as RateProfile,
      0,
      RUN_US,
      RUN_US,
    );
    expect(ramp.flat(S, 2 * S)).toBe(-1);
    expect(ramp.flat(11 * S, 12 * S)).toBe(1_000);
    const steps = rateFunction(
      {
        profile: "steps",
        steps: [
          { at: 0, rate: 5 },
          { at: 2 * S, rate: 7 },
        ],
      } as RateProfile,
      0,
      RUN_US,
      RUN_US,
    );
    expect(steps.flat(S, 2 * S - 1)).toBe(5);
    expect(steps.flat(S, 2 * S)).toBe(-1);
    expect(steps.flat(1.5 * S, 2.5 * S)).toBe(-1);
    // A pulse every 4 s from 3 s on: before its phase the base rate, then the peak for 1 s.
    const pulse = rateFunction(
      { profile: "pulse", base: 10, peak: 20, every: 4 * S, width: S, offset: 3 * S } as RateProfile,
      0,
      RUN_US,
      RUN_US,
    );
    expect(pulse.flat(2 * S, 3 * S)).toBe(10);
    expect(pulse.flat(2 * S, 3 * S + 1)).toBe(-1);
    expect(pulse.flat(3 * S, 4 * S - 1)).toBe(20);
    expect(pulse.flat(4 * S, 7 * S - 1)).toBe(10);
    expect(pulse.flat(6 * S, 7 * S + 1)).toBe(-1);
    expect(pulse.flat(7.5 * S, 8 * S - 1)).toBe(20);
  });
});

describe("Poisson arrivals", () => {
  it("are the same arrivals when a level rate is taken as its bound as when `at` is asked each time", () => {
    fc.assert(
      fc.property(
        profiles,
        fc.integer({ min: 1, max: 1_000 }),
        fc.constantFrom(1, 0.25),
        (profile, seed, scale) => {
          const rate = rateFunction(profile, 0, 8 * S, 8 * S);
          const sequence = (r: RateFunction) => {
            const clock = new ArrivalClock(
              r,
              "poisson",
              new RandomStream(String(seed), "arrivals"),
              8 * S,
              scale,
            );
            const times: number[] = [];
            for (let t = clock.next(0); t < 8 * S && times.length < 20_000; t = clock.next(t)) times.push(t);
            return times;
          };
          expect(sequence(rate)).toEqual(sequence(withoutFlat(rate)));
        },
      ),
      { numRuns: 60, seed: propertySeed("arrivals-flat") },
    );
  });
});
