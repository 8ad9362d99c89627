import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { roundUs } from "../../src/engine/time.js";
import { propertySeed, runs } from "../support/property.js";

/** Doubles next to x: the neighbours where rounding by a sum can go wrong. */
function around(x: number): number[] {
  const out = [x];
  let lo = x;
  let hi = x;
  for (let i = 0; i < 3; i++) {
    lo = nextDown(lo);
    hi = nextUp(hi);
    out.push(lo, hi);
  }
  return out;
}

function nextUp(x: number): number {
  const b = new Float64Array([x]);
  const u = new BigInt64Array(b.buffer);
  if (x === 0) return Number.MIN_VALUE;
  u[0] = x > 0 ? u[0]! + 1n : u[0]! - 1n;
  return b[0]!;
}

function nextDown(x: number): number {
  return -nextUp(-x);
}

describe("roundUs", () => {
  it("is Math.round at chosen halves and whole numbers and the doubles next to them, at both ends of its fast range and past them", () => {
    const points = [
      0,
      0.5,
      1,
      1.5,
      2,
      2.5,
      3,
      1e6 + 0.5,
      2 ** 31 + 0.5,
      2 ** 51 + 0.5,
      2 ** 52 - 0.5,
      2 ** 52,
      2 ** 52 + 1,
      2 ** 53,
      2 ** 60,
      -0.5,
      -1.5,
      -(2 ** 52),
    ];
    for (const p of points) {
      for (const x of around(p)) expect(Object.is(roundUs(x), Math.round(x)), `x = ${x}`).toBe(true);
    }
    // The one double below a half that a sum rounds up: Math.round keeps it at 0.
    expect(roundUs(0.5 - 2 ** -54)).toBe(0);
    expect(Math.floor(0.5 - 2 ** -54 + 0.5)).toBe(1);
    for (const x of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0])
      expect(Object.is(roundUs(x), Math.round(x))).toBe(true);
  });

  it("is Math.round for any double, and for times of any size with a fraction", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.double({ noNaN: true }),
          fc.double({ min: 0, max: 2 ** 53, noNaN: true }),
          fc
            .tuple(fc.integer({ min: 0, max: 2 ** 40 }), fc.double({ min: 0, max: 1, noNaN: true }))
            .map(([whole, fraction]) => whole + fraction),
          fc
            .tuple(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: -4, max: 4 }))
            .map(([whole, ulps]) => {
              let x = whole + 0.5;
              for (let i = 0; i < Math.abs(ulps); i++) x = ulps > 0 ? nextUp(x) : nextDown(x);
              return x;
            }),
        ),
        (x) => Object.is(roundUs(x), Math.round(x)),
      ),
      { numRuns: runs(20_000), seed: propertySeed("round-us") },
    );
  });
});
