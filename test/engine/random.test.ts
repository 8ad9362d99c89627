import { describe, expect, it } from "vitest";
import { AliasTable } from "../../src/engine/alias-table.js";
import { compileDistribution, normalQuantile, Z_P99 } from "../../src/engine/distributions.js";
import { RandomStream, RandomStreams } from "../../src/engine/random.js";

describe("RandomStream", () => {
  it("is reproducible per (seed, name) and independent across names", () => {
    const a = new RandomStreams("42").stream("producer/web/traffic");
    const b = new RandomStreams("42").stream("producer/web/traffic");
    const c = new RandomStreams("42").stream("producer/api/traffic");
    const d = new RandomStreams("43").stream("producer/web/traffic");
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
    expect(Array.from({ length: 5 }, () => d.next())).not.toEqual(xs);
  });

  it("draws normals with mean 0 and variance 1", () => {
    const rng = new RandomStream("1", "normal");
    let s = 0;
    let s2 = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const x = rng.normal();
      s += x;
      s2 += x * x;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.01);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.01);
  });
});

describe("distributions", () => {
  it("inverts the normal CDF at known points", () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(Z_P99).toBeCloseTo(2.326348, 5);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
  });

  it("a lognormal given by median and p99 has those quantiles and the textbook mean", () => {
    const sigma = Math.log(200 / 35) / Z_P99;
    const d = compileDistribution({ dist: "lognormal", median: 35, sigma });
    expect(d.quantile(0.5)).toBeCloseTo(35, 6);
    expect(d.quantile(0.99)).toBeCloseTo(200, 4);
    expect(d.mean).toBeCloseTo(35 * Math.exp((sigma * sigma) / 2), 9);
    const rng = new RandomStream("7", "lognormal");
    const draws = Array.from({ length: 100_000 }, () => d.sample(rng)).sort((x, y) => x - y);
    expect(draws[50_000]!).toBeGreaterThan(34);
    expect(draws[50_000]!).toBeLessThan(36);
    expect(draws[99_000]!).toBeGreaterThan(190);
    expect(draws[99_000]!).toBeLessThan(210);
  });

  it("clamps draws and moments", () => {
    const d = compileDistribution({ dist: "uniform", min: 0, max: 10, clampMax: 5 });
    expect(d.mean).toBeCloseTo(3.75, 3); // half the mass at 0..5 (mean 2.5), half at 5
    const rng = new RandomStream("1", "u");
    for (let i = 0; i < 1000; i++) expect(d.sample(rng)).toBeLessThanOrEqual(5);
  });

  it("zipf ranks follow 1/k^s", () => {
    const d = compileDistribution({ dist: "zipf", n: 100, exponent: 1 });
    const rng = new RandomStream("3", "zipf");
    const counts = new Map<number, number>();
    for (let i = 0; i < 200_000; i++) {
      const k = d.sample(rng);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    const ratio = (counts.get(1) ?? 0) / (counts.get(2) ?? 1);
    expect(ratio).toBeGreaterThan(1.9);
    expect(ratio).toBeLessThan(2.1);
  });
});

describe("AliasTable", () => {
  it("draws each outcome with its probability", () => {
    const table = new AliasTable([1, 0, 3, 6]);
    const rng = new RandomStream("9", "alias");
    const counts = [0, 0, 0, 0];
    const n = 200_000;
    for (let i = 0; i < n; i++) counts[table.sample(rng)]!++;
    expect(counts[1]).toBe(0);
    expect(counts[0]! / n).toBeCloseTo(0.1, 2);
    expect(counts[2]! / n).toBeCloseTo(0.3, 2);
    expect(counts[3]! / n).toBeCloseTo(0.6, 2);
  });

  it("rejects empty, negative and all-zero weights", () => {
    expect(() => new AliasTable([])).toThrow();
    expect(() => new AliasTable([1, -1])).toThrow();
    expect(() => new AliasTable([0, 0])).toThrow();
  });
});
