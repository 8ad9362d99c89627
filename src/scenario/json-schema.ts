// The JSON Schema of scenario files (what editors use to complete and check YAML), derived from
// the zod schema so the two cannot drift apart: zod's own conversion, completed through its
// `override` hook with what the quantity builders (fields.ts) registered about each field.

import { isDeepStrictEqual } from "node:util";
import { SOURCES } from "../data/sources.js";
import { US_PER_S } from "../engine/time.js";
import { type Bound, QUANTITIES, type QuantityInfo, type QuantityKind, SHORTHANDS } from "./fields.js";
import { EXPECTED, show } from "./messages.js";
import { scenarioSchema } from "./schema.js";
import { formatDuration, formatPercent, formatSize, UNIT_PATTERNS } from "./units.js";
import * as z from "./zod.js";

type Json = Record<string, unknown>;

/** A size in the unit people would write: IEC when exact ("1MiB"), else SI ("500KB"), else bytes. */
function writeSize(bytes: number): string {
  const iec = formatSize(bytes);
  if (!iec.endsWith("B") || /[KMG]iB$/.test(iec)) return iec;
  for (const [unit, factor] of [
    ["GB", 1e9],
    ["MB", 1e6],
    ["KB", 1e3],
  ] as const) {
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  return iec;
}

/** How a kind of quantity is written in a scenario file. */
interface Written {
  /** The unit language of its strings (a key of UNIT_PATTERNS and of the schema's $defs). */
  text?: "duration" | "size" | "countRate" | "byteRate" | "fraction";
  /** Engine units per bare number (µs per second for durations); none when bare numbers are refused. */
  perNumber?: number;
  /** What it accepts, as the error messages say it. */
  accepts: (info: QuantityInfo) => string;
  /** A value in engine units as it would be written (for defaults and bounds). */
  write: (value: number) => string | number;
}

const WRITTEN: Record<QuantityKind, Written> = {
  duration: {
    text: "duration",
    perNumber: US_PER_S,
    accepts: () => EXPECTED.duration,
    write: formatDuration,
  },
  size: { text: "size", perNumber: 1, accepts: () => EXPECTED.size, write: writeSize },
  countRate: { text: "countRate", perNumber: 1, accepts: () => EXPECTED.countRate, write: (n) => `${n}/s` },
  // parseRate reads a bare number as a record rate, so a byte rate needs its size unit.
  byteRate: { text: "byteRate", accepts: () => EXPECTED.byteRate, write: (n) => `${writeSize(n)}/s` },
  fraction: { text: "fraction", perNumber: 1, accepts: () => EXPECTED.fraction, write: formatPercent },
  number: {
    perNumber: 1,
    accepts: (info) => (info.integer ? EXPECTED.integer : EXPECTED.number),
    write: (n) => n,
  },
};

/** The string forms every quantity refers to, once each. */
const UNIT_DEFS: Json = Object.fromEntries(
  (["duration", "size", "countRate", "byteRate", "fraction"] as const).map((kind) => [
    kind,
    { type: "string", pattern: UNIT_PATTERNS[kind] },
  ]),
);

/** "Maximum 10MiB (AWS limit: …; source: <title>; <title>)." */
function boundSentence(side: "min" | "max", bound: Bound, write: (n: number) => string | number): string {
  const word = bound.exclusive
    ? side === "min"
      ? "More than"
      : "Less than"
    : side === "min"
      ? "Minimum"
      : "Maximum";
  const value = write(bound.value);
  const fact = bound.fact;
  if (!fact) return `${word} ${typeof value === "number" ? show(value) : value}.`;
  const note = fact.note ? `; ${fact.note.replace(/\.$/, "")}` : "";
  const titles = fact.sources.map((key) => SOURCES[key].title).join("; ");
  return `${word} ${typeof value === "number" ? show(value) : value} (AWS limit: ${fact.unit}${note}; source: ${titles}).`;
}

/** The description and precise type of a quantity field, in the units a scenario file uses. */
function quantityJson(info: QuantityInfo): Json {
  const written = WRITTEN[info.kind];
  const accepts = written.accepts(info);
  const sentences = [
    `${info.description.replace(/\.$/, "")}.`,
    `${accepts[0]!.toUpperCase()}${accepts.slice(1)}.`,
  ];
  if (info.min) sentences.push(boundSentence("min", info.min, written.write));
  if (info.max) sentences.push(boundSentence("max", info.max, written.write));
  const branches: Json[] = [];
  if (written.perNumber !== undefined) {
    const scale = written.perNumber;
    const branch: Json = { type: info.integer && scale === 1 ? "integer" : "number" };
    if (info.min) branch[info.min.exclusive ? "exclusiveMinimum" : "minimum"] = info.min.value / scale;
    if (info.max) branch[info.max.exclusive ? "exclusiveMaximum" : "maximum"] = info.max.value / scale;
    branches.push(branch);
  }
  if (written.text) branches.push({ $ref: `#/$defs/${written.text}` });
  return { description: sentences.join(" "), ...(branches.length === 1 ? branches[0] : { anyOf: branches }) };
}

/**
 * The default of a field as written in a scenario file, when one reads back to the same value:
 * zod's conversion drops the defaults of fields that transform (they are in engine units), so each
 * is written back ("24h" for 86,400,000,000 µs) and kept only if parsing it gives the default again.
 */
function writtenDefault(schema: z.core.$ZodDefault): unknown {
  const { innerType } = schema._zod.def;
  const value: unknown = schema._zod.def.defaultValue;
  const info = QUANTITIES.get(innerType);
  const candidates: unknown[] = [value];
  if (info && typeof value === "number") candidates.unshift(WRITTEN[info.kind].write(value));
  for (const candidate of candidates) {
    // Only plain JSON values: Infinity (an unlimited retry budget) has no JSON form.
    if (!isDeepStrictEqual(JSON.parse(JSON.stringify(candidate) ?? "null"), candidate)) continue;
    const parsed = z.safeParse(innerType, candidate);
    if (parsed.success && isDeepStrictEqual(parsed.data, value)) return candidate;
  }
  return undefined;
}

/** zod's override hook: quantities, written defaults and shorthand forms. */
function override(ctx: { zodSchema: z.core.$ZodTypes; jsonSchema: Json }): void {
  const { zodSchema, jsonSchema: json } = ctx;
  const info = QUANTITIES.get(zodSchema);
  if (info) {
    for (const key of Object.keys(json)) delete json[key];
    Object.assign(json, quantityJson(info));
    return;
  }
  const shorthand = SHORTHANDS.get(zodSchema);
  if (shorthand) {
    const { description, ...long } = json;
    for (const key of Object.keys(json)) delete json[key];
    if (description !== undefined) json.description = description;
    json.anyOf = [inputJsonSchema(shorthand.shorthand() as z.core.$ZodType), long];
  }
  if (zodSchema._zod.def.type === "default" && json.default === undefined) {
    const value = writtenDefault(zodSchema as z.core.$ZodDefault);
    if (value !== undefined) json.default = value;
  }
  // The default in words too, unless the description already gives it.
  const value = json.default;
  const description = json.description;
  if (
    value !== undefined &&
    typeof value !== "object" &&
    typeof description === "string" &&
    !/\bdefault\b/i.test(description)
  )
    json.description = `${description.replace(/\.$/, "")}. Default: ${String(value)}.`;
}

/** The input-side JSON Schema of any part of the scenario schema (without "$schema"). */
function inputJsonSchema(schema: z.core.$ZodType): Json {
  const { $schema: _, ...json } = z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
    target: "draft-2020-12",
    override,
  }) as Json;
  return json;
}

/** JSON Schema (draft 2020-12) of a scenario file as written (input side of the zod schema). */
export function scenarioJsonSchema(): Record<string, unknown> {
  const { $defs, ...schema } = inputJsonSchema(scenarioSchema) as Json & { $defs?: Json };
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://kinesim.dev/schema/scenario.json",
    title: "kinesim scenario",
    description:
      "A workload and a Kinesis architecture to simulate. Durations: 250ms, 5m, 24h; sizes: 800B, 1MiB; rates: 4000/s, 2MiB/s.",
    ...schema,
    $defs: { ...UNIT_DEFS, ...$defs },
  };
}
