import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { binomial, logFactorial, multinomial, poisson } from "../../src/engine/counts.js";
import { RandomStream } from "../../src/engine/random.js";
import { propertySeed } from "../support/property.js";

function moments(draw: () => number, n: number): { mean: number; variance: number } {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    s += x;
    s2 += x * x;
  }
  const mean = s / n;
  return { mean, variance: s2 / n - mean * mean };
}

describe("count samplers", () => {
  it.each([0.3, 5, 11.9, 12, 40, 2500])("Poisson(%d) has mean and variance λ", (lambda) => {
    const rng = new RandomStream("1", `poisson-${lambda}`);
    const n = 100_000;
    const m = moments(() => poisson(rng, lambda), n);
    const se = Math.sqrt(lambda / n);
    expect(Math.abs(m.mean - lambda)).toBeLessThan(5 * se);
    expect(Math.abs(m.variance / lambda - 1)).toBeLessThan(0.03);
  });

  it.each([
    [10, 0.3],
    [100, 0.05],
    [100, 0.5],
    [5000, 0.2],
    [1_000_000, 0.7],
  ])("Binomial(%d, %d) has mean np and variance np(1-p)", (trials, p) => {
    const rng = new RandomStream("2", `binomial-${trials}-${p}`);
    const n = 100_000;
    const m = moments(() => binomial(rng, trials, p), n);
    const v = trials * p * (1 - p);
    expect(Math.abs(m.mean - trials * p)).toBeLessThan(5 * Math.sqrt(v / n));
    expect(Math.abs(m.variance / v - 1)).toBeLessThan(0.03);
  });

  it("binomial stays within [0, n]", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.string(),
        (n, p, seed) => {
          const k = binomial(new RandomStream(seed, "b"), n, p);
          expect(Number.isInteger(k)).toBe(true);
          expect(k).toBeGreaterThanOrEqual(0);
          expect(k).toBeLessThanOrEqual(n);
        },
      ),
      { numRuns: 500, seed: propertySeed("binomial-range") },
    );
  });

  it("multinomial conserves the total and never fills a zero-probability category", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 50_000 }),
        fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0.001, max: 10, noNaN: true })), {
          minLength: 1,
          maxLength: 20,
        }),
        fc.string(),
        (n, weights, seed) => {
          const total = weights.reduce((a, b) => a + b, 0);
          fc.pre(total > 0);
          const probs = weights.map((w) => w / total);
          const out = new Float64Array(probs.length);
          multinomial(new RandomStream(seed, "m"), n, probs, out);
          expect(out.reduce((a, b) => a + b, 0)).toBe(n);
          probs.forEach((p, i) => {
            if (p === 0) expect(out[i]).toBe(0);
          });
        },
      ),
      { numRuns: 500, seed: propertySeed("multinomial-conserves") },
    );
  });

  it("log-factorial is continuous across the table boundary", () => {
    let exact = 0;
    for (let i = 1; i <= 300; i++) exact += Math.log(i);
    expect(logFactorial(300)).toBeCloseTo(exact, 8);
    expect(logFactorial(255)).toBeCloseTo(
      exact - [...Array(45)].reduce((a, _, j) => a + Math.log(300 - j), 0),
      8,
    );
  });
});
