// The JSON Schema's unit patterns (UNIT_PATTERNS) against the parsers they stand for: for generated
// strings (pieces of unit text, strings drawn from the patterns themselves, and their one-character
// mutations) and for every string of the example scenarios, the README and the bad-input fixtures, a
// pattern matches exactly when its parser reads the text. The one gap is arithmetic: a rate whose
// period comes to zero or less matches its pattern, and so does a numeral near ±1.8e308 that
// overflows; the loader rejects both.

import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAllDocuments, visit } from "yaml";
import {
  parseDuration,
  parseDurationThreshold,
  parseFraction,
  parseRate,
  parseRatio,
  parseShareThreshold,
  parseSize,
  UNIT_PATTERNS,
} from "../../src/scenario/units.js";
import { propertySeed, runs } from "../support/property.js";

type Kind = keyof typeof UNIT_PATTERNS;

/** Whether the parser behind each pattern reads the text (bounds aside: they are the field's). */
const READS: Record<Kind, (text: string) => boolean> = {
  duration: (t) => parseDuration(t) !== undefined,
  size: (t) => parseSize(t) !== undefined,
  countRate: (t) => parseRate(t)?.kind === "count",
  byteRate: (t) => parseRate(t)?.kind === "bytes",
  fraction: (t) => {
    const value = parseFraction(t);
    return value !== undefined && !Number.isNaN(value);
  },
  ratio: (t) => parseRatio(t) !== undefined,
  shareThreshold: (t) => parseShareThreshold(t) !== undefined,
  durationThreshold: (t) => parseDurationThreshold(t) !== undefined,
};
const KINDS = Object.keys(READS) as Kind[];
// JSON Schema validators (ajv) compile patterns with the u flag; editors may not. Both must agree.
const PATTERNS = KINDS.map((kind) => ({
  kind,
  unicode: new RegExp(UNIT_PATTERNS[kind], "u"),
  plain: new RegExp(UNIT_PATTERNS[kind]),
}));

/** A rate whose period, read as parseRate reads it, is zero or negative (arithmetic, not syntax). */
function periodNotPositive(text: string): boolean {
  const trimmed = text.trim();
  const slash = trimmed.lastIndexOf("/");
  if (slash < 0) return false;
  const period = trimmed.slice(slash + 1).trim();
  const us = parseDuration(/^[0-9.]/.test(period) ? period : `1${period}`);
  return us !== undefined && us <= 0;
}

/**
 * A numeral so large that, times its unit (a day is 8.64e10 µs, a TiB 1.1e12 bytes), it passes
 * ±1.8e308 and reads as ±Infinity or NaN, which the fields refuse: arithmetic, not syntax.
 */
function overflows(text: string): boolean {
  return (text.match(/[0-9_.]+(?:e[-+]?[0-9]+)?/gi) ?? []).some(
    (n) => !Number.isFinite(Number(n.replaceAll("_", "")) * 1e12),
  );
}

/** Checks one text against every pattern; returns which kinds read it. */
function agree(text: string): Set<Kind> {
  const read = new Set<Kind>();
  for (const { kind, unicode, plain } of PATTERNS) {
    const reads = READS[kind](text);
    const matches = unicode.test(text);
    expect(plain.test(text), `${kind} pattern with and without the u flag on ${JSON.stringify(text)}`).toBe(
      matches,
    );
    if (reads) read.add(kind);
    if (matches !== reads) {
      const rate = kind === "countRate" || kind === "byteRate";
      const gap = matches && ((rate && periodNotPositive(text)) || overflows(text));
      expect(gap, `${kind}: pattern ${matches ? "matches" : "rejects"} ${JSON.stringify(text)}`).toBe(true);
    }
  }
  return read;
}

// Characters whose lower case is an ASCII letter although they are not one (found, not assumed):
// the parsers lower-case, so these are exactly the non-ASCII letters a pattern must think about.
const LOWERS_TO_ASCII = Array.from({ length: 0x10000 }, (_, c) => String.fromCharCode(c)).filter(
  (ch) => !/[A-Za-z]/.test(ch) && /[a-z]/.test(ch.toLowerCase()) && ch.toLowerCase() !== ch,
);

const numeral = fc.oneof(
  fc.stringMatching(/^[-+]?[0-9]{1,4}(_[0-9]{1,3})?(\.[0-9]{1,3})?([eE][-+]?[0-9]{1,2})?$/),
  fc.stringMatching(/^[-+]?\.[0-9]{1,3}$/),
  fc.constantFrom("0", "1", "250", "1.", ".", "1__0", "_1", "1_", "1e", ".5e3", "1.2.3", "00"),
);
const space = fc.constantFrom("", " ", "  ", "\t", "\n", "\u00a0", "\u2028", "\r\n");
const unit = fc
  .tuple(
    fc.constantFrom(
      ...["us", "µs", "ms", "s", "sec", "m", "min", "h", "d", "hr", "mins", "secs", "ns", "w"],
      ...["b", "kb", "mb", "gb", "tb", "kib", "mib", "gib", "tib", "ib", "k", "pb", "bytes"],
      ...["x", "%", "/", "/s", "/min", "/", "<", "<=", "=", "e", "_", ".", "-", "+", "i", "c"],
      ...LOWERS_TO_ASCII,
      "\u039c",
    ),
    fc.array(fc.boolean(), { maxLength: 4 }),
  )
  .map(([u, upper]) => [...u].map((ch, i) => (upper[i] ? ch.toUpperCase() : ch)).join(""));
/** Pieces of unit text in any order: mostly nonsense, often something a parser reads. */
const pieces = fc
  .array(fc.oneof(numeral, space, unit), { minLength: 1, maxLength: 7 })
  .map((p) => p.join(""));
/** Durations of one or two parts, and rates with such a period. */
const durationUnit = fc
  .tuple(fc.constantFrom("us", "µs", "ms", "s", "sec", "m", "min", "h", "d", "hr", "ns"), fc.boolean())
  .map(([u, upper]) => (upper ? u.toUpperCase() : u));
const durations = fc
  .tuple(
    space,
    numeral,
    space,
    durationUnit,
    fc.option(
      fc.tuple(fc.constantFrom("", " ", "\t"), numeral, durationUnit).map((p) => p.join("")),
      {
        nil: "",
      },
    ),
    space,
  )
  .map((p) => p.join(""));
// A period that does not start with a digit reads as "1" + period, so "/_5.5s" is 15.5 s.
const rates = fc
  .tuple(
    numeral,
    fc.constantFrom("/", " / ", "/ "),
    fc.constantFrom("", "", "_5", "_5.5", "_5_0.5", "e3", "E-1", "_1e2", ".5", "-", "+"),
    fc.oneof(durations, durationUnit, fc.constant("")),
  )
  .map((p) => p.join(""));
/** SLO thresholds: a comparison and a share or a duration. */
const thresholds = fc
  .tuple(
    fc.constantFrom("<", "<=", "< ", "=<", ""),
    space,
    fc.oneof(
      durations,
      numeral.map((n) => `${n}%`),
      numeral,
    ),
    fc.constantFrom("", "\n", " ms", "x"),
  )
  .map((p) => p.join(""));
/** Sizes and byte rates, whose units are rare in the pieces above. */
const sized = fc
  .tuple(
    space,
    numeral,
    space,
    fc.constantFrom("b", "KB", "kib", "MiB", "mB", "GiB", "tb", "\u212Ab", "ib"),
    fc.constantFrom("", "/", "/s", " / min", "/5s", "/0s", "/-1s", "/1h-30m", "/_5s", "/+5s", "/ms s"),
    space,
  )
  .map((p) => p.join(""));
/** Ratios ("3x"), as rare. */
const ratios = fc
  .tuple(space, numeral, space, fc.constantFrom("x", "X", "xx", "", "%", "x1"), space)
  .map((p) => p.join(""));
const fromPatterns = fc.oneof(
  ...KINDS.map((kind) => fc.stringMatching(new RegExp(UNIT_PATTERNS[kind], "u"), { size: "small" })),
);
/** A text with one character inserted, removed or changed in case. */
const mutated = fc
  .tuple(fromPatterns, fc.nat(), fc.constantFrom("insert", "delete", "case"), fc.oneof(unit, numeral))
  .map(([text, at, how, piece]) => {
    const i = text.length === 0 ? 0 : at % text.length;
    if (how === "insert") return text.slice(0, i) + piece.slice(0, 1) + text.slice(i);
    if (how === "delete") return text.slice(0, i) + text.slice(i + 1);
    const ch = text[i] ?? "";
    const flipped = ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase();
    return text.slice(0, i) + flipped + text.slice(i + 1);
  });

/** Every string scalar of a YAML text (keys too; aliases are not followed, for the alias bombs). */
function strings(text: string, into: Set<string>): void {
  for (const doc of parseAllDocuments(text))
    visit(doc, {
      Scalar(_, node) {
        if (typeof node.value === "string") into.add(node.value);
      },
    });
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => readFileSync(`${dir}/${f}`, "utf8"));
}

describe("unit patterns of the JSON Schema", () => {
  it("a pattern matches exactly the text its parser reads (generated pieces of unit text)", () => {
    const readBy = new Map<Kind, number>(KINDS.map((k) => [k, 0]));
    let total = 0;
    fc.assert(
      fc.property(fc.oneof(pieces, durations, rates, sized, ratios, thresholds), (text) => {
        total++;
        for (const kind of agree(text)) readBy.set(kind, readBy.get(kind)! + 1);
      }),
      { seed: propertySeed("unit patterns: pieces"), numRuns: runs(3000) },
    );
    // Both answers must be common for every kind, or the agreement says little.
    for (const kind of KINDS) {
      expect(readBy.get(kind), `${kind} read`).toBeGreaterThan(total / 100);
      expect(readBy.get(kind), `${kind} refused`).toBeLessThan(total - total / 100);
    }
  });

  it("the parser reads what a pattern generates, and a one-character change is judged alike", () => {
    fc.assert(
      fc.property(fc.oneof(fromPatterns, mutated), (text) => {
        agree(text);
      }),
      { seed: propertySeed("unit patterns: from patterns"), numRuns: runs(2000) },
    );
  });

  it("agrees on every string of the scenarios, the README and the bad-input fixtures", () => {
    const readme = readFileSync("README.md", "utf8");
    const texts = [
      ...yamlFiles("scenarios"),
      ...yamlFiles("scenarios/bench"),
      ...yamlFiles("test/fixtures/bad"),
      ...[...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!),
    ];
    const sampled = new Set<string>();
    for (const text of texts) strings(text, sampled);
    expect(sampled.size).toBeGreaterThan(500);
    const readBy = new Map<Kind, number>(KINDS.map((k) => [k, 0]));
    for (const text of sampled) for (const kind of agree(text)) readBy.set(kind, readBy.get(kind)! + 1);
    for (const kind of ["duration", "size", "countRate", "byteRate", "fraction"] as const)
      expect(readBy.get(kind), kind).toBeGreaterThan(0);
  });

  it.each([
    // [text, kinds that read it]
    ["250ms", ["duration"]],
    [" 1H 30Min ", ["duration"]],
    ["1h\t30m", []],
    ["1 \t h", ["duration"]],
    ["5", ["duration", "size", "countRate", "fraction"]],
    ["1_000", ["duration", "size", "countRate"]],
    ["1\u212Aib", ["size", "byteRate"]],
    ["1\u0130b", []],
    ["2MiB/s", ["byteRate"]],
    ["2 mib / 1 MIN", ["byteRate"]],
    ["4000/", ["countRate"]],
    ["4000/_5s", ["countRate"]],
    ["4000/e3s", ["countRate"]],
    ["4000/+5s", []],
    ["4000/h 30m", ["countRate"]],
    ["5%", ["fraction"]],
    ["5_0%", ["fraction"]],
    ["0.5E1", ["duration", "size", "countRate"]],
    ["1.5x", ["ratio"]],
    ["1.x", ["ratio"]],
    ["< 0.1%", ["shareThreshold"]],
    ["<= 250ms", ["durationThreshold"]],
    ["< 2s\n", []],
    ["< 0.1% over 1m", ["shareThreshold"]],
    ["< 0.1% OVER run", ["shareThreshold"]],
    ["< 2s over 5m", ["durationThreshold"]],
    ["< 2s over 1h30m", ["durationThreshold"]],
    ["< 0.1% over", []],
    ["< 5 % over run", ["shareThreshold"]],
    ["< 0.1% over  ", []],
    ["< 0.1% over banana", []],
    ["< 0.1% over  over 1m", []],
    ["< 2s over 0s", ["durationThreshold"]],
    ["< 2s over 1m over 2m", []],
  ] as const)("%j is read as %j", (text, kinds) => {
    expect([...agree(text)].sort()).toEqual([...kinds].sort());
  });

  it("a rate with a period of zero or less is the one text a pattern lets through", () => {
    for (const text of ["100/0s", "100/1h-2h", "1MiB/0.0000001s"]) {
      expect(new RegExp(UNIT_PATTERNS[text.includes("MiB") ? "byteRate" : "countRate"], "u").test(text)).toBe(
        true,
      );
      expect(parseRate(text)).toBeUndefined();
      agree(text);
    }
  });
});
