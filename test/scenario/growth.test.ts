// Traffic growth: the scenario's `growth` (and `--growth`) multiplies every rate of every
// profile once, when the scenario loads, and leaves shapes and times alone.

import { describe, expect, it } from "vitest";
import { growthOverride, parseGrowth } from "../../src/cli/overrides.js";
import { loadScenario } from "../../src/scenario/load.js";

const PROFILES = [
  "3000/s",
  "{ profile: ramp, from: 100/s, to: 200/s, end: 1m }",
  "{ profile: steps, steps: [{ at: 0s, rate: 10/s }, { at: 30s, rate: 20/s }] }",
  "{ profile: diurnal, mean: 100/s, peak: 150/s, period: 1h }",
  "{ profile: spike, base: 10/s, peak: 90/s, at: 10s, duration: 5s }",
  "{ profile: pulse, base: 10/s, peak: 90/s, every: 10s, width: 1s }",
  "{ profile: trace, file: t.csv, interval: 1s }",
];

function load(rate: string, growth?: string) {
  const text = `name: g\nduration: 1m\n${growth ? `growth: ${growth}\n` : ""}stream: { shards: 1 }\nproducers:\n  - { name: p, rate: ${rate} }\n`;
  return loadScenario(text, { file: "g.yaml", readFile: () => "v\n5\n7\n" }).scenario;
}

describe("growth", () => {
  it.each(PROFILES)("multiplies every rate of %s and nothing else", (rate) => {
    const base = load(rate);
    const grown = load(rate, "2.5");
    expect(grown.growth).toBe(1);
    const double = (x: unknown): unknown =>
      typeof x === "number"
        ? x
        : Array.isArray(x)
          ? x.map(double)
          : x && typeof x === "object"
            ? Object.fromEntries(
                Object.entries(x).map(([k, v]) => [
                  k,
                  ["rate", "from", "to", "mean", "peak", "base"].includes(k) && typeof v === "number"
                    ? v * 2.5
                    : k === "perSecond"
                      ? (v as number[]).map((r) => r * 2.5)
                      : double(v),
                ]),
              )
            : x;
    expect(grown.producers[0]!.rate).toEqual(double(base.producers[0]!.rate));
  });

  it("reads --growth as 2x, 1.5, 150% or +50%, and refuses anything else", () => {
    expect([parseGrowth("2x"), parseGrowth("1.5"), parseGrowth("150%"), parseGrowth("+50%")]).toEqual([
      2, 1.5, 1.5, 1.5,
    ]);
    expect(growthOverride("2x")).toEqual({ path: "growth", value: "2" });
    expect(() => growthOverride("double")).toThrow(/--growth double: expected a traffic multiplier/);
    expect(() => growthOverride("0x")).toThrow(/expected a traffic multiplier/);
  });
});
