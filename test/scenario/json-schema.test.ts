// The JSON Schema of scenario files (`kinesim schema`) as an editor uses it: every quantity field
// described with its unit, bounds and default; the example scenarios valid under a real JSON Schema
// validator (ajv, draft 2020-12); known-bad documents refused; and never stricter than the loader.

import { readdirSync, readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Document, isMap, isPair, isScalar, isSeq, parse, parseDocument, stringify, visit } from "yaml";
import { KINESIS, KPL_DEFAULTS } from "../../src/data/kinesis-limits.js";
import { SOURCES } from "../../src/data/sources.js";
import { checkSchedule } from "../../src/model/capacity.js";
import { scenarioJsonSchema } from "../../src/scenario/json-schema.js";
import { loadScenario, ScenarioError } from "../../src/scenario/load.js";
import { EXPECTED } from "../../src/scenario/messages.js";
import {
  parseDuration,
  parseFraction,
  parseRate,
  parseSize,
  UNIT_PATTERNS,
} from "../../src/scenario/units.js";
import { propertySeed, runs } from "../support/property.js";

type Json = Record<string, unknown>;

const SCHEMA = scenarioJsonSchema() as Json & { $defs: Json; properties: Json };
const ajv = new Ajv2020({ allErrors: true, strict: true });
const validate = ajv.compile(SCHEMA);

/** The unit kinds a string branch can refer to. */
const UNIT_KINDS = ["duration", "size", "countRate", "byteRate", "fraction"] as const;
type UnitKind = (typeof UNIT_KINDS)[number];

/** Reads a default or a bound as its kind does, in engine units (to compare two spellings). */
const READ: Record<UnitKind | "number", (v: unknown) => number | undefined> = {
  duration: (v) => parseDuration(v as string | number),
  size: (v) => parseSize(v as string | number),
  countRate: (v) => parseRate(v as string | number)?.perSecond,
  byteRate: (v) => parseRate(v as string | number)?.perSecond,
  fraction: (v) => parseFraction(v as string | number),
  number: (v) => (typeof v === "number" ? v : Number(String(v).replaceAll(",", "").replace("−", "-"))),
};

interface Leaf {
  path: string;
  node: Json;
  kind: UnitKind | "number";
  /** The branch that takes bare numbers, if any. */
  numeric?: Json;
  /** A description on the node or on the union it is a branch of. */
  description?: string;
}

const unitOf = (node: unknown): UnitKind | undefined => {
  const ref = (node as Json | undefined)?.$ref;
  return typeof ref === "string" ? UNIT_KINDS.find((k) => ref === `#/$defs/${k}`) : undefined;
};
const isNumeric = (node: unknown) => {
  const type = (node as Json | undefined)?.type;
  return type === "number" || type === "integer";
};

/** Every quantity leaf of the schema: a node with a unit string branch, or a number. */
function leaves(node: unknown, path: string, describedAbove: string | undefined, into: Leaf[]): Leaf[] {
  if (!node || typeof node !== "object" || Array.isArray(node)) return into;
  const n = node as Json;
  const description = typeof n.description === "string" ? n.description : describedAbove;
  const branches = (n.anyOf as Json[] | undefined) ?? [];
  const unit = unitOf(n) ?? branches.map(unitOf).find((k) => k !== undefined);
  if (unit || isNumeric(n)) {
    const numeric = isNumeric(n) ? n : branches.find(isNumeric);
    into.push({ path, node: n, kind: unit ?? "number", ...(numeric ? { numeric } : {}), description });
    return into;
  }
  for (const [key, child] of Object.entries((n.properties as Json | undefined) ?? {}))
    leaves(child, `${path}.${key}`, undefined, into);
  if (n.items) leaves(n.items, `${path}[]`, undefined, into);
  for (const [i, b] of branches.entries()) leaves(b, `${path}|${i}`, description, into);
  for (const [i, b] of ((n.oneOf as Json[] | undefined) ?? []).entries())
    leaves(b, `${path}|${i}`, description, into);
  return into;
}

const LEAVES = leaves({ properties: SCHEMA.properties }, "", undefined, []);
/** A field of the schema by its property path ("stream.shards"). */
const field = (path: string) => {
  const found = LEAVES.filter((l) => l.path === `.${path}`);
  expect(found.length, path).toBe(1);
  return found[0]!;
};

/** Every subschema with its JSON pointer (for defaults: each must validate against its own node). */
function nodes(node: unknown, pointer: string, into: [string, Json][]): [string, Json][] {
  if (!node || typeof node !== "object") return into;
  if (Array.isArray(node)) {
    for (const [i, child] of node.entries()) nodes(child, `${pointer}/${i}`, into);
    return into;
  }
  into.push([pointer, node as Json]);
  for (const [key, child] of Object.entries(node as Json)) {
    if (key === "default" || key === "enum" || key === "const" || key === "required") continue;
    nodes(child, `${pointer}/${key}`, into);
  }
  return into;
}

function examples(dir: string): [string, string][] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => [`${dir}/${f}`, readFileSync(`${dir}/${f}`, "utf8")]);
}
const SCENARIOS = [...examples("scenarios"), ...examples("scenarios/bench")];

/** The path of every scalar value of a YAML document (keys and list indices). */
function scalarPaths(doc: Document): (string | number)[][] {
  const paths: (string | number)[][] = [];
  visit(doc, {
    Scalar(key, _node, path) {
      if (key === "key") return;
      const keys: (string | number)[] = [];
      for (let i = 1; i < path.length; i++) {
        const parent = path[i - 1];
        const node = path[i];
        if (isSeq(parent)) keys.push(parent.items.indexOf(node as never));
        else if (isMap(parent) && isPair(node) && isScalar(node.key)) keys.push(String(node.key.value));
      }
      paths.push(keys);
    },
  });
  return paths.filter((p) => p.length > 0);
}

const loads = (text: string) => {
  try {
    loadScenario(text, { file: "edited.yaml", check: checkSchedule });
    return true;
  } catch (error) {
    if (error instanceof ScenarioError) return false;
    throw error;
  }
};

describe("the JSON Schema of scenario files", () => {
  it("is the same text every time", () => {
    expect(JSON.stringify(scenarioJsonSchema())).toBe(JSON.stringify(SCHEMA));
  });

  it("refers each unit string to the pattern its parser reads", () => {
    for (const kind of UNIT_KINDS)
      expect(SCHEMA.$defs[kind]).toEqual({ type: "string", pattern: UNIT_PATTERNS[kind] });
  });

  it("has no part that accepts anything, but the values of a variant's overrides", () => {
    const open = nodes(SCHEMA, "#", []).filter(
      ([, n]) => Object.keys(n).length === 0 || (Object.keys(n).length === 1 && "description" in n),
    );
    expect(open.map(([pointer]) => pointer)).toEqual([
      "#/properties/variants/items/properties/set/additionalProperties",
    ]);
  });

  it("describes every quantity field with its unit, and states every bound it describes", () => {
    expect(LEAVES.length).toBeGreaterThan(250);
    for (const leaf of LEAVES) {
      const where = `${leaf.path}: ${leaf.description}`;
      expect(leaf.description, leaf.path).toBeTruthy();
      const d = leaf.description!;
      if (leaf.kind !== "number") {
        const accepts = EXPECTED[leaf.kind === "byteRate" ? "byteRate" : leaf.kind];
        expect(d.toLowerCase(), where).toContain(accepts.toLowerCase());
      }
      // The sentences fields.ts bounds produce, and the keywords that enforce them on numbers.
      const numeric = leaf.numeric;
      if (numeric && leaf.node.description === d) {
        const min = /(?:^|\. )(Minimum|More than) /.exec(d);
        const max = /(?:^|\. )(Maximum|Less than) /.exec(d);
        expect("minimum" in numeric || "exclusiveMinimum" in numeric, where).toBe(min !== null);
        expect("maximum" in numeric || "exclusiveMaximum" in numeric, where).toBe(max !== null);
        if (min) expect(min[1] === "More than", where).toBe("exclusiveMinimum" in numeric);
        if (max) expect(max[1] === "Less than", where).toBe("exclusiveMaximum" in numeric);
      }
      // An AWS limit names where it comes from.
      const titles = Object.values(SOURCES).map((s) => s.title);
      for (const cited of d.split("AWS limit: ").slice(1))
        expect(
          titles.some((t) => cited.includes(`source: ${t}`)),
          where,
        ).toBe(true);
    }
  });

  it("states AWS limits with their sources, in the units a bare number means", () => {
    const shards = field("stream.shards");
    expect(shards.node).toMatchObject({
      type: "integer",
      minimum: KINESIS.minShards.value,
      maximum: KINESIS.maxShardsPerStream.value,
    });
    expect(shards.description).toContain(SOURCES["BOTO-2026"].title);
    const retention = field("stream.retention");
    expect(retention.numeric).toEqual({
      type: "number",
      minimum: KINESIS.retentionMinHours.value * 3600,
      maximum: KINESIS.retentionMaxHours.value * 3600,
    });
    expect(retention.node.default).toBe(`${KINESIS.retentionDefaultHours.value}h`);
    expect(retention.description).toContain(SOURCES["KDS-Q-CUR"].title);
    const maxBytes = field("producers[].batch.maxBytes");
    expect(maxBytes.numeric).toMatchObject({ maximum: KINESIS.putRecordsMaxRequestBytes.value });
    expect(READ.size(maxBytes.node.default)).toBe(KPL_DEFAULTS.collectionMaxSize.value);
    // A byte rate takes no bare number: parseRate reads one as records.
    const bytes = field("stream.writeBytesPerSecond");
    expect(bytes.numeric).toBeUndefined();
    expect(bytes.node.$ref).toBe("#/$defs/byteRate");
    expect(READ.byteRate(bytes.node.default)).toBe(KINESIS.shardWriteBytesPerSecond.value);
  });

  it("gives defaults that are valid values of their own field", () => {
    const withDefault = nodes(SCHEMA, "#", []).filter(([, n]) => "default" in n);
    expect(withDefault.length).toBeGreaterThan(150);
    for (const [pointer, node] of withDefault) {
      const own = ajv.validate({ ...node, $defs: SCHEMA.$defs }, node.default);
      expect(own, `${pointer}: ${JSON.stringify(node.default)}`).toBe(true);
    }
  });

  it("agrees with a default the description states in words", () => {
    let compared = 0;
    for (const leaf of LEAVES) {
      const d = leaf.node.description;
      const words = typeof d === "string" ? /\(default:? ([^\s;)]+)/.exec(d) : null;
      if (!words || leaf.node.default === undefined) continue;
      const said = words[1]!.replace(/[,:]$/, "");
      compared++;
      expect(
        READ[leaf.kind](said),
        `${leaf.path}: "${said}" in words, ${JSON.stringify(leaf.node.default)} in the schema`,
      ).toBe(READ[leaf.kind](leaf.node.default));
    }
    console.log(`[schema] ${compared} defaults stated both in words and in the schema`);
    expect(compared).toBeGreaterThan(50);
  });

  it.each(SCENARIOS)("accepts %s", (_, text) => {
    expect(validate(parse(text)), JSON.stringify(validate.errors)).toBe(true);
  });

  const quickstart = parse(readFileSync("scenarios/quickstart.yaml", "utf8")) as Json & {
    stream: Json;
    producers: Json[];
  };
  it.each([
    [
      "a negative shard count",
      { ...quickstart, stream: { ...quickstart.stream, shards: -1 } },
      "/stream/shards",
    ],
    ["an unknown key", { ...quickstart, shardz: 4 }, ""],
    [
      "a rate that is not a rate",
      { ...quickstart, producers: [{ ...quickstart.producers[0], rate: "fast" }] },
      "/producers/0/rate",
    ],
    [
      "a byte rate given in records",
      { ...quickstart, stream: { ...quickstart.stream, writeBytesPerSecond: "1000/s" } },
      "/stream/writeBytesPerSecond",
    ],
    [
      "a retention above AWS's maximum",
      { ...quickstart, stream: { ...quickstart.stream, retention: 366 * 24 * 3600 } },
      "/stream/retention",
    ],
  ])("refuses %s, as the loader does", (_, doc, at) => {
    expect(validate(doc)).toBe(false);
    expect(validate.errors!.map((e: { instancePath: string }) => e.instancePath)).toContain(at);
    expect(loads(stringify(doc))).toBe(false);
  });

  it("never refuses what the loader accepts (random edits of the examples)", () => {
    // Numbers at µs precision: the loader rounds seconds to whole µs, so it also takes a duration
    // less than half a µs past a bound, which the schema, stating the bound itself, refuses.
    const plausible = fc.oneof(
      fc.constantFrom(..."0 1 4 -1 0.5 250 1e6".split(" ").map(Number), true, false, null),
      fc.constantFrom(
        ..."5s 250ms 1h30m 1MiB 800B 4000/s 2MiB/s 100/min 5% 0.05 3x auto record kpl none 24h 10ms".split(
          " ",
        ),
      ),
      fc.double({ min: -10, max: 1e7, noNaN: true }).map((x) => Math.round(x * 1e6) / 1e6),
    );
    let loaded = 0;
    let refusedByBoth = 0;
    fc.assert(
      fc.property(fc.nat(), fc.nat(), plausible, (example, at, value) => {
        const doc = parseDocument(SCENARIOS[example % SCENARIOS.length]![1]);
        const path = scalarPaths(doc)[at % scalarPaths(doc).length]!;
        doc.setIn(path, value);
        const text = doc.toString();
        const valid = validate(parse(text));
        if (loads(text)) {
          loaded++;
          expect(
            valid,
            `${path.join(".")} = ${JSON.stringify(value)}: ${JSON.stringify(validate.errors)}`,
          ).toBe(true);
        } else if (!valid) refusedByBoth++;
      }),
      { seed: propertySeed("json schema never stricter than the loader"), numRuns: runs(300) },
    );
    console.log(`[schema] edited examples: ${loaded} loaded (all valid), ${refusedByBoth} refused by both`);
    expect(loaded).toBeGreaterThan(20);
    expect(refusedByBoth).toBeGreaterThan(20);
  });
});
