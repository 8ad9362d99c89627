// YAML text → validated Scenario. Collects every problem with its file, line, column and YAML
// path; applies `--set path=value` overrides before validation; reads trace files through a
// callback so this layer never touches the file system itself.

import { parse as parseCsv } from "csv-parse/sync";
import {
  Document,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  parse as parseYaml,
  visit,
} from "yaml";
import type { z } from "zod";
import { scaleRate } from "./growth.js";
import { formatIssue, problemsFound, ScenarioError, type ScenarioIssue } from "./issues.js";
import { describeValue, EXPECTED, expected, missing, notOneOf, unknownKey } from "./messages.js";
import { type RateProfile, type ResolvedProducer, type Scenario, scenarioSchema } from "./schema.js";
import { unmeasurableSlos } from "./slo-scope.js";
import { firstSyntaxProblem } from "./yaml-syntax.js";

/** A `--set` override: a YAML path and a YAML scalar or flow value. */
export interface Override {
  path: string;
  value: string;
}

/** Options of loadScenario. */
export interface LoadOptions {
  /** Name of the file, for messages. */
  file: string;
  overrides?: readonly Override[];
  /** Reads a file named in the scenario (trace replays), relative to the scenario file. */
  readFile?: (path: string) => string;
  /** Further checks of the validated scenario (e.g. replaying scheduled reshards); each problem names its YAML path. */
  check?: (scenario: Scenario) => { path: (string | number)[]; message: string; severity?: "warning" }[];
  /** Whether to load every variant too, so a bad variant fails now rather than in `compare` (default true). */
  checkVariants?: boolean;
}

/** A loaded scenario with non-fatal remarks. */
export interface LoadedScenario {
  scenario: Scenario;
  warnings: string[];
}

const MAX_ALIASES = 100;

/** Parses and validates scenario YAML; throws ScenarioError listing every problem. */
export function loadScenario(text: string, options: LoadOptions): LoadedScenario {
  const file = options.file;
  if (text.includes("\u0000")) {
    throw new ScenarioError([
      { file, path: "", message: "the file holds binary data (NUL bytes); expected YAML text" },
    ]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  const at = (offset: number | undefined) => {
    if (offset === undefined) return {};
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  // Only the first syntax error: the parser's later ones are mostly its recovery from the first.
  const syntax = firstSyntaxProblem(text, doc.errors, (offset) => {
    const pos = lineCounter.linePos(offset);
    return `line ${pos.line}, column ${pos.col}`;
  });
  if (syntax)
    throw new ScenarioError(
      [{ file, path: "", message: `YAML syntax: ${syntax.message}`, ...at(syntax.offset) }],
      { stoppedAtSyntax: true },
    );
  const issues: ScenarioIssue[] = [];

  const overridden = applyOverrides(doc, options.overrides ?? [], file, issues);
  if (issues.length > 0) throw new ScenarioError(issues);

  visit(doc, {
    Alias(_, node) {
      if (node.resolve(doc) === undefined) {
        issues.push({
          file,
          path: "",
          message: `YAML: unresolved alias *${node.source}: no anchor &${node.source} is set before it`,
          ...at(node.range?.[0]),
        });
      }
    },
  });
  if (issues.length > 0) throw new ScenarioError(issues);

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    throw new ScenarioError([{ file, path: "", message: `YAML: ${firstLine((error as Error).message)}` }]);
  }
  if (data === null || data === undefined) {
    throw new ScenarioError([
      {
        file,
        path: "",
        message: "the file is empty; expected a mapping with name, duration, stream and producers",
      },
    ]);
  }
  if (typeof data !== "object" || Array.isArray(data)) {
    throw new ScenarioError([
      {
        file,
        ...at((doc.contents as Node | null)?.range?.[0] ?? 0),
        path: "",
        message: expected("a mapping with name, duration, stream and producers", data),
      },
    ]);
  }

  const locate = (
    path: readonly PropertyKey[],
    key?: string,
  ): Pick<ScenarioIssue, "line" | "column" | "origin"> => {
    const origin = overridden.find((o) => isPrefix(o.path, path));
    if (origin) return { origin: `--set ${origin.text}` };
    const node = key === undefined ? nodeAt(doc, path) : nodeAt(doc, path.slice(0, -1), key);
    const offset = node?.range?.[0];
    if (offset === undefined) return {};
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };

  const result = scenarioSchema.safeParse(data);
  if (!result.success) {
    for (const issue of result.error.issues) {
      for (const problem of describeIssue(issue, data)) {
        issues.push({
          file,
          path: formatPath(problem.path),
          message: problem.message,
          ...locate(problem.path, problem.key),
        });
      }
    }
    throw new ScenarioError(sortByPlace(dedupe(issues)));
  }

  const warnings: string[] = [];
  const producers: ResolvedProducer[] = result.data.producers.map((producer, i) => {
    if (producer.rate.profile !== "trace") return producer as ResolvedProducer;
    const path = ["producers", i, "rate", "file"];
    try {
      return { ...producer, rate: readTrace(producer.rate, options.readFile) };
    } catch (error) {
      issues.push({ file, path: formatPath(path), message: (error as Error).message, ...locate(path) });
      return producer as ResolvedProducer;
    }
  });
  if (issues.length > 0) throw new ScenarioError(issues);
  const growth = result.data.growth;
  // Growth is applied once, here; the loaded scenario's rates hold it (and its growth is 1 again).
  const scenario: Scenario = {
    ...result.data,
    growth: 1,
    producers: growth === 1 ? producers : producers.map((p) => ({ ...p, rate: scaleRate(p.rate, growth) })),
  };
  for (const problem of options.check?.(scenario) ?? []) {
    const issue = { file, path: formatPath(problem.path), message: problem.message, ...locate(problem.path) };
    if (problem.severity === "warning") warnings.push(formatIssue(issue));
    else issues.push(issue);
  }
  for (const [name, reason] of Object.entries(unmeasurableSlos(scenario))) {
    const path = ["slo", name];
    warnings.push(
      formatIssue({
        file,
        path: formatPath(path),
        message: `nothing to measure: ${reason}; runs report this SLO as "not measured (${reason})"`,
        ...locate(path),
      }),
    );
  }
  // Another client's settings are kept but unused: a variant may switch the client of a file
  // that spells out every setting (a report's scenario.yaml), so this is a warning, not an error.
  scenario.producers.forEach((p, i) => {
    for (const client of ["kpl", "agent"] as const) {
      if (p[client] === undefined || p.client === client) continue;
      const path = ["producers", i, client];
      warnings.push(
        formatIssue({
          file,
          path: formatPath(path),
          message: `${client}: settings apply to client: ${client} and are ignored for client: ${p.client}`,
          ...locate(path),
        }),
      );
    }
  });
  if (options.checkVariants !== false) issues.push(...variantIssues(text, options, scenario, locate));
  if (issues.length > 0) throw new ScenarioError(sortByPlace(issues));
  return { scenario, warnings };
}

/** The overrides a variant stands for: its `set`, as `--set path=value`. */
export function variantOverrides(variant: Scenario["variants"][number]): Override[] {
  return Object.entries(variant.set).map(([path, value]) => ({ path, value: JSON.stringify(value) }));
}

/** Loads each variant (the scenario with the variant's overrides); its problems, placed at its `set`. */
function variantIssues(
  text: string,
  options: LoadOptions,
  scenario: Scenario,
  locate: (path: readonly PropertyKey[]) => Pick<ScenarioIssue, "line" | "column" | "origin">,
): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  scenario.variants.forEach((variant, i) => {
    try {
      loadScenario(text, {
        ...options,
        // Against the file as written: a run's own --set (compare's runs of the other variants
        // among them) may well not combine with every variant.
        overrides: variantOverrides(variant),
        checkVariants: false,
      });
    } catch (error) {
      if (!(error instanceof ScenarioError)) throw error;
      for (const issue of error.issues) {
        // The override the problem is in (or under, or, for a list index past the end, above).
        const within = (inner: string, outer: string) =>
          inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
        const key =
          Object.keys(variant.set).find((k) => within(issue.path, k)) ??
          Object.keys(variant.set).find((k) => issue.path !== "" && within(k, issue.path));
        const path = key !== undefined ? ["variants", i, "set", key] : ["variants", i, "set"];
        issues.push({
          file: options.file,
          path: formatPath(path),
          message: `variant "${variant.name}": ${issue.path === "" ? "" : `${issue.path}: `}${issue.message}`,
          ...locate(path),
        });
      }
    }
  });
  return issues;
}

function firstLine(message: string): string {
  return message.split("\n")[0]!.trim();
}

function sortByPlace(issues: ScenarioIssue[]): ScenarioIssue[] {
  const place = (i: ScenarioIssue) => (i.line ?? Number.MAX_SAFE_INTEGER) * 1e6 + (i.column ?? 0);
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort((a, b) => place(a.issue) - place(b.issue) || a.index - b.index)
    .map((x) => x.issue);
}

function dedupe(issues: ScenarioIssue[]): ScenarioIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = formatIssue(issue);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// Overrides

interface AppliedOverride {
  path: PropertyKey[];
  text: string;
}

/** Parses `producers[0].batch.linger` into ["producers", 0, "batch", "linger"]. */
export function parsePath(text: string): PropertyKey[] | undefined {
  const parts: PropertyKey[] = [];
  const pattern = /([A-Za-z_$][\w$-]*)|\[(\d+)\]|(\.)/y;
  let index = 0;
  let expectName = true;
  while (index < text.length) {
    pattern.lastIndex = index;
    const match = pattern.exec(text);
    if (!match) return undefined;
    if (match[1] !== undefined) {
      if (!expectName) return undefined;
      parts.push(match[1]);
      expectName = false;
    } else if (match[2] !== undefined) {
      if (expectName) return undefined;
      parts.push(Number(match[2]));
    } else {
      if (expectName) return undefined;
      expectName = true;
    }
    index = pattern.lastIndex;
  }
  return parts.length > 0 && !expectName ? parts : undefined;
}

function applyOverrides(
  doc: Document,
  overrides: readonly Override[],
  file: string,
  issues: ScenarioIssue[],
): AppliedOverride[] {
  const applied: AppliedOverride[] = [];
  for (const override of overrides) {
    const text = `${override.path}=${override.value}`;
    const path = parsePath(override.path);
    if (!path) {
      issues.push({
        file,
        path: override.path,
        message: "expected a path such as stream.shards or producers[0].rate",
        origin: `--set ${text}`,
      });
      continue;
    }
    let value: unknown;
    try {
      value = parseYaml(override.value);
    } catch (error) {
      issues.push({
        file,
        path: override.path,
        message: `YAML: ${firstLine((error as Error).message)}`,
        origin: `--set ${text}`,
      });
      continue;
    }
    const pastEnd = indexPastEnd(doc, path, value === null);
    if (pastEnd) {
      issues.push({ file, path: pastEnd.path, message: pastEnd.message, origin: `--set ${text}` });
      continue;
    }
    try {
      // `null` removes the field (e.g. `--set scaling=null`): it then takes its default, if any.
      if (value === null) doc.deleteIn(path);
      else doc.setIn(path, doc.createNode(value));
    } catch (error) {
      issues.push({
        file,
        path: override.path,
        message: `cannot set this path: ${firstLine((error as Error).message)}`,
        origin: `--set ${text}`,
      });
      continue;
    }
    applied.push({ path, text });
  }
  return applied;
}

/** What one item of a list is called in messages, by the list's key. */
const ITEM_NOUNS: Record<string, [string, string]> = {
  producers: ["producer", "producers"],
  consumers: ["consumer", "consumers"],
  firehose: ["delivery stream", "delivery streams"],
  queues: ["queue", "queues"],
  analytics: ["application", "applications"],
  streams: ["extra stream", "extra streams"],
  events: ["event", "events"],
  variants: ["variant", "variants"],
  steps: ["step", "steps"],
};

/**
 * A list index in an override that is past the list's end. An override changes an item that
 * exists, or adds one at the end (the next index) when it gives the whole item: a field of an
 * item that does not exist would leave a half-made item whose missing fields make no sense to
 * the user (`missing required field "name"` for an item they did not mean to add).
 */
function indexPastEnd(
  doc: Document,
  path: readonly PropertyKey[],
  removing: boolean,
): { path: string; message: string } | undefined {
  let node: unknown = doc.contents;
  for (let i = 0; i < path.length; i++) {
    const part = path[i]!;
    if (typeof part === "number") {
      if (node !== undefined && node !== null && !isSeq(node)) return undefined; // setIn explains it
      const length = isSeq(node) ? node.items.length : 0;
      const last = i === path.length - 1;
      if (part < length) {
        node = (node as { items: unknown[] }).items[part];
        continue;
      }
      if (part === length && last && !removing) return undefined; // appends one whole item
      const listPath = path.slice(0, i);
      const key = String(listPath.at(-1) ?? "");
      const [one, many] = ITEM_NOUNS[key] ?? ["item", "items"];
      const owner = listPath.length === 1 ? "the scenario" : formatPath(listPath);
      const has =
        length === 0
          ? `${owner} has no ${many}`
          : `${owner} has ${length} ${length === 1 ? one : many} (${length === 1 ? "index 0" : `indices 0–${length - 1}`})`;
      const next = formatPath([...listPath, length]);
      const what = removing
        ? "there is nothing to remove there"
        : last
          ? `a new ${one} goes at the next index, ${next}`
          : `--set can change ${length === 0 ? `a ${one}` : `an existing ${one}`} but not add one field by field; to add one, give all of it at the next index, e.g. --set '${next}={...}'`;
      return { path: formatPath(path.slice(0, i + 1)), message: `${has}; ${what}` };
    }
    node = isCollection(node) ? node.get(part, true) : undefined;
  }
  return undefined;
}

function isPrefix(prefix: readonly PropertyKey[], path: readonly PropertyKey[]): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => p === path[i]);
}

// ---------------------------------------------------------------------------------------------
// Locating and describing problems

/** The YAML node at `path` (the key node of `key` when given), or the nearest ancestor. */
function nodeAt(doc: Document, path: readonly PropertyKey[], key?: string): Node | undefined {
  let node: unknown = doc.contents;
  for (const part of path) {
    const next = isCollection(node) ? node.get(part, true) : undefined;
    if (next === undefined || next === null) break;
    node = next;
  }
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === key);
    if (pair && isPair(pair) && isScalar(pair.key)) return pair.key;
  }
  return node as Node | undefined;
}

/** Renders ["producers", 0, "rate"] as `producers[0].rate`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const part of path) {
    if (value === null || typeof value !== "object") return undefined;
    if (!Object.hasOwn(value, part)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

/**
 * The part of a schema path the user wrote: shorthands such as `rate: 3000/s` are expanded before
 * validation (to `rate.rate`), so a path that runs through a scalar is cut at that scalar.
 */
function writtenPath(path: PropertyKey[], data: unknown): PropertyKey[] {
  let value = data;
  for (let i = 0; i < path.length; i++) {
    if (value === null || typeof value !== "object") return path.slice(0, i);
    value = (value as Record<PropertyKey, unknown>)[path[i]!];
  }
  return path;
}

interface Problem {
  path: PropertyKey[];
  message: string;
  key?: string;
}

type ZodIssue = z.core.$ZodIssue;

function describeIssue(issue: ZodIssue, data: unknown): Problem[] {
  const path = writtenPath(issue.path as PropertyKey[], data);
  const value = valueAt(data, path);
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = knownKeys(path, data);
      return issue.keys.map((key) => ({ path: [...path, key], key, message: unknownKey(key, known) }));
    }
    case "invalid_type":
      if (value === undefined && path.length > 0) {
        return [{ path: path.slice(0, -1), key: undefined, message: missing(String(path.at(-1))) }];
      }
      return [
        {
          path,
          message: issue.message.startsWith("Invalid input")
            ? expected(
                issue.expected === "array"
                  ? "a list"
                  : issue.expected === "object"
                    ? "a mapping"
                    : `a ${issue.expected}`,
                value,
              )
            : issue.message,
        },
      ];
    case "invalid_value":
      return [
        {
          path,
          message: issue.message.startsWith("Invalid")
            ? notOneOf(value, issue.values.map(String))
            : issue.message,
        },
      ];
    case "invalid_union": {
      // A mapping that matched the mapping branch in shape but not in content: report that
      // branch's own problems (e.g. a bad startingPosition), not "expected a valid value".
      const branches = "errors" in issue && Array.isArray(issue.errors) ? (issue.errors as ZodIssue[][]) : [];
      if (value !== null && typeof value === "object") {
        const inside = branches.find(
          (b) => b.length > 0 && b.every((i) => i.path.length > 0 || i.code === "custom"),
        );
        const problems = inside?.flatMap((i) =>
          describeIssue(
            { ...i, path: [...(issue.path as PropertyKey[]), ...(i.path as PropertyKey[])] } as ZodIssue,
            data,
          ),
        );
        if (problems && problems.length > 0 && problems.every((p) => !p.message.startsWith("Invalid")))
          return problems;
      }
      const options =
        "options" in issue && Array.isArray(issue.options)
          ? (issue.options as unknown[]).map(String)
          : undefined;
      const message = options
        ? notOneOf(value, options)
        : issue.message.startsWith("Invalid input")
          ? expected("a valid value", value)
          : issue.message;
      if (value === undefined && path.length > 0) {
        return [
          {
            path: path.slice(0, -1),
            message: `${missing(String(path.at(-1)))}; ${options ? `expected one of ${options.map((o) => `"${o}"`).join(", ")}` : message.replace(/, got nothing$/, "")}`,
          },
        ];
      }
      return [{ path, message }];
    }
    case "too_small":
      if (issue.origin === "array")
        return [
          {
            path,
            message: issue.message.startsWith("Too small")
              ? `expected at least ${issue.minimum} item(s)`
              : issue.message,
          },
        ];
      if (issue.origin === "string")
        return [{ path, message: `expected a non-empty string, got ${describeValue(value)}` }];
      return [{ path, message: issue.message }];
    case "too_big":
      if (issue.origin === "string")
        return [
          { path, message: `expected at most ${issue.maximum} characters, got ${String(value).length}` },
        ];
      return [{ path, message: issue.message }];
    case "invalid_format":
      return [
        {
          path,
          message: issue.message.startsWith("Invalid string")
            ? expected("text of the right form", value)
            : issue.message,
        },
      ];
    default:
      return [{ path, message: issue.message || expected(EXPECTED.number, value) }];
  }
}

// zod internals, read only to suggest keys: each schema has `_zod.def` with a `type`.
interface Def {
  type: string;
  shape?: Record<string, { _zod: { def: Def } }>;
  innerType?: { _zod: { def: Def } };
  in?: { _zod: { def: Def } };
  out?: { _zod: { def: Def } };
  element?: { _zod: { def: Def } };
  options?: { _zod: { def: Def } }[];
  discriminator?: string;
  values?: unknown[];
}

/** The keys the schema allows for the mapping at `path`. */
function knownKeys(path: readonly PropertyKey[], data: unknown): string[] {
  let def: Def | undefined = (scenarioSchema as unknown as { _zod: { def: Def } })._zod.def;
  let value: unknown = data;
  const steps = [...path];
  for (;;) {
    def = unwrap(def, value);
    if (!def) return [];
    if (steps.length === 0) return def.type === "object" && def.shape ? Object.keys(def.shape) : [];
    const step = steps.shift()!;
    value =
      value !== null && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[step] : undefined;
    if (def.type === "object") def = def.shape?.[String(step)]?._zod.def;
    else if (def.type === "array") def = def.element?._zod.def;
    else return [];
  }
}

function unwrap(start: Def | undefined, value: unknown): Def | undefined {
  let def = start;
  for (let guard = 0; def && guard < 50; guard++) {
    switch (def.type) {
      case "optional":
      case "default":
      case "prefault":
      case "nullable":
      case "readonly":
      case "catch":
        def = def.innerType?._zod.def;
        break;
      case "pipe":
        def = def.in?._zod.def.type === "transform" ? def.out?._zod.def : def.in?._zod.def;
        break;
      case "union": {
        const options = def.options ?? [];
        const discriminator = def.discriminator;
        const chosen = discriminator
          ? options.find(
              (o) =>
                literalOf(o._zod.def.shape?.[discriminator]?._zod.def) ===
                (value as Record<string, unknown> | undefined)?.[discriminator],
            )
          : options.find((o) => unwrap(o._zod.def, value)?.type === "object");
        def = (chosen ?? options[0])?._zod.def;
        if (def?.type !== "object" && def?.type !== "pipe") return def;
        break;
      }
      default:
        return def;
    }
  }
  return def;
}

function literalOf(def: Def | undefined): unknown {
  return def?.type === "literal" ? def.values?.[0] : undefined;
}

// ---------------------------------------------------------------------------------------------
// Trace replay

function readTrace(
  spec: Extract<RateProfile, { profile: "trace" }>,
  readFile: LoadOptions["readFile"],
): RateProfile {
  if (!readFile) throw new Error(`cannot read trace file "${spec.file}": no file access in this context`);
  let text: string;
  try {
    text = readFile(spec.file);
  } catch (error) {
    throw new Error(`cannot read trace file "${spec.file}": ${firstLine((error as Error).message)}`);
  }
  let rows: string[][];
  try {
    rows = parseCsv(text, { skip_empty_lines: true, trim: true, relax_column_count: true }) as string[][];
  } catch (error) {
    throw new Error(`trace file "${spec.file}" is not valid CSV: ${firstLine((error as Error).message)}`);
  }
  if (rows.length === 0) throw new Error(`trace file "${spec.file}" has no rows`);
  const header = rows[0]!;
  const hasHeader = header.some((cell) => cell !== "" && Number.isNaN(Number(cell)));
  const body = hasHeader ? rows.slice(1) : rows;
  let column: number;
  if (spec.column !== undefined) {
    column = hasHeader ? header.indexOf(spec.column) : -1;
    if (column < 0)
      throw new Error(
        `trace file "${spec.file}" has no column "${spec.column}"${hasHeader ? `; columns: ${header.join(", ")}` : " (no header row)"}`,
      );
  } else {
    const first = body[0] ?? [];
    column = -1;
    for (let c = first.length - 1; c >= 0; c--) {
      if (first[c] !== "" && Number.isFinite(Number(first[c]))) {
        column = c;
        break;
      }
    }
    if (column < 0) throw new Error(`trace file "${spec.file}" has no numeric column`);
  }
  const seconds = spec.interval / 1e6;
  const perSecond = body.map((row, i) => {
    const value = Number(row[column]);
    if (!Number.isFinite(value) || value < 0) {
      throw new Error(
        `trace file "${spec.file}" row ${i + 1 + (hasHeader ? 1 : 0)}: expected a number ≥ 0, got ${JSON.stringify(row[column] ?? "")}`,
      );
    }
    return (spec.values === "sum" ? value / seconds : value) * spec.scale;
  });
  if (perSecond.length === 0) throw new Error(`trace file "${spec.file}" has no data rows`);
  return { profile: "series", intervalUs: spec.interval, perSecond, loop: spec.loop };
}

/** Re-exported for callers building Documents (tests, the CLI). */
export { Document, formatIssue, problemsFound, ScenarioError, type ScenarioIssue };
