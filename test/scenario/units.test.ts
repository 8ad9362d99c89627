import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  formatDuration,
  formatNumber,
  formatSize,
  parseDuration,
  parseFraction,
  parseRate,
  parseSize,
} from "../../src/scenario/units.js";
import { propertySeed, runs } from "../support/property.js";

describe("units", () => {
  it.each([
    ["250ms", 250_000],
    ["5m", 300_000_000],
    ["24h", 86_400_000_000],
    ["1h30m", 5_400_000_000],
    ["1.5s", 1_500_000],
    ["2d", 172_800_000_000],
    ["100us", 100],
    [2, 2_000_000],
    ["0.5", 500_000],
  ] as const)("duration %s = %d µs", (text, us) => expect(parseDuration(text)).toBe(us));

  it.each(["1x", "", "m5", "5 parsecs", "1h30"])("duration %j is unreadable", (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );

  it.each([
    ["800B", 800],
    ["250KB", 250_000],
    ["1KiB", 1024],
    ["1MiB", 1_048_576],
    ["1.5 MB", 1_500_000],
    [512, 512],
  ] as const)("size %s = %d bytes", (text, bytes) => expect(parseSize(text)).toBe(bytes));

  it("reads record rates and byte rates", () => {
    expect(parseRate("4000/s")).toEqual({ perSecond: 4000, kind: "count" });
    expect(parseRate("120/min")).toEqual({ perSecond: 2, kind: "count" });
    expect(parseRate("2MiB/s")).toEqual({ perSecond: 2 * 1_048_576, kind: "bytes" });
    expect(parseRate("3600/h")).toEqual({ perSecond: 1, kind: "count" });
    expect(parseRate(150)).toEqual({ perSecond: 150, kind: "count" });
    expect(parseRate("fast")).toBeUndefined();
  });

  it("reads shares as percentages or fractions", () => {
    expect(parseFraction("5%")).toBeCloseTo(0.05, 12);
    expect(parseFraction("0.1%")).toBeCloseTo(0.001, 12);
    expect(parseFraction(0.25)).toBe(0.25);
    expect(parseFraction("a lot")).toBeUndefined();
  });

  it("formats back in the largest exact unit", () => {
    expect(formatDuration(86_400_000_000)).toBe("24h");
    expect(formatDuration(365 * 86_400_000_000)).toBe("365d");
    expect(formatDuration(250_000)).toBe("250ms");
    expect(formatDuration(1_500_000)).toBe("1.5s");
    expect(formatSize(1_048_576)).toBe("1MiB");
    expect(formatSize(800)).toBe("800B");
  });
});

describe("formatNumber", () => {
  it('writes every number as toLocaleString("en-US") does, with any fraction digits', () => {
    const numbers = fc.oneof(
      fc.integer(),
      fc.maxSafeInteger(),
      fc.double(),
      fc.double({ min: -1e6, max: 1e6 }),
      fc.double({ min: -1e-3, max: 1e-3 }),
      // Decimals at and next to rounding ties: 1.0005, 12.345, 0.0125, 999.9995.
      fc
        .tuple(fc.integer({ min: -10_000_000, max: 10_000_000 }), fc.integer({ min: 0, max: 8 }))
        .map(([n, d]) => n / 10 ** d),
      fc.constantFrom(0, -0, 1.0005, 999.9995, -0.0001, 0.1 + 0.2, 2 ** 53, 2 ** 60, 1e21, 1.5e300, 5e-324),
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
    );
    const digits = fc
      .integer({ min: 0, max: 6 })
      .chain((max) => fc.tuple(fc.constant(max), fc.integer({ min: 0, max })));
    fc.assert(
      fc.property(numbers, digits, (x, [max, min]) => {
        expect(formatNumber(x, max, min)).toBe(
          x.toLocaleString("en-US", { minimumFractionDigits: min, maximumFractionDigits: max }),
        );
        expect(formatNumber(x)).toBe(x.toLocaleString("en-US"));
      }),
      { seed: propertySeed("formatNumber as toLocaleString"), numRuns: runs(3000) },
    );
    expect(formatNumber(70_000)).toBe("70,000");
    expect(formatNumber(1.0005)).toBe("1.001");
    expect(formatNumber(-0.0001, 2, 2)).toBe("-0.00");
  });
});
