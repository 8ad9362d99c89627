// One input file of `kinesim import`: parsed as YAML (JSON is a subset), so every value keeps its
// line and column; CloudFormation's short-form tags (!Ref, !GetAtt, !Sub …) become the long form.
// Problems are collected with the file, line, column and path, and thrown together.

import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import { ScenarioError, type ScenarioIssue } from "../scenario/issues.js";
import { describeValue } from "../scenario/messages.js";

/** A path into a parsed file: keys and list indices. */
export type Path = readonly (string | number)[];

/** Renders a path as `Resources.Orders.Properties.ShardCount` or `Shards[2].ShardId`. */
export function formatPath(path: Path): string {
  let text = "";
  for (const part of path) {
    if (typeof part === "number") text += `[${part}]`;
    else text += text === "" ? part : `.${part}`;
  }
  return text;
}

/** CloudFormation functions whose short form is a YAML tag, and their long names. */
const SHORT_FORMS: Record<string, string> = {
  "!Ref": "Ref",
  "!Condition": "Condition",
};

/** A parsed input file with its places, and the problems found in it. */
export class SourceFile {
  /** The file's content as plain data (tags turned into `{ "Fn::X": … }`). */
  data: unknown;
  private readonly doc: ReturnType<typeof parseDocument>;
  private readonly lines = new LineCounter();

  constructor(
    /** The file as the user named it, for messages. */
    readonly file: string,
    readonly text: string,
    private readonly problems: Problems,
  ) {
    this.data = undefined;
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true });
    const error = this.doc.errors[0];
    if (error) {
      const pos = this.lines.linePos(error.pos[0]);
      problems.add({
        file,
        path: "",
        line: pos.line,
        column: pos.col,
        message: `not valid JSON or YAML: ${error.message.split("\n")[0]}`,
      });
      this.data = undefined;
      return;
    }
    this.data = this.doc.contents ? plain(this.doc.contents) : undefined;
  }

  /** Line and column of the value at `path` (or of the nearest enclosing value that exists). */
  place(path: Path): { line?: number; column?: number } {
    for (let n = path.length; n >= 0; n--) {
      const node = this.doc.getIn(path.slice(0, n), true) as Node | undefined;
      const offset = node?.range?.[0];
      if (offset !== undefined) {
        const pos = this.lines.linePos(offset);
        return { line: pos.line, column: pos.col };
      }
    }
    return {};
  }

  /** Records a problem at `path`. */
  problem(path: Path, message: string): void {
    this.problems.add({ file: this.file, path: formatPath(path), message, ...this.place(path) });
  }

  /** `file: path`, for provenance comments. */
  where(path: Path): string {
    return path.length === 0 ? this.file : `${this.file}: ${formatPath(path)}`;
  }

  /** The value at `path` in `data`. */
  at(path: Path): unknown {
    let v: unknown = this.data;
    for (const part of path) {
      if (v === null || typeof v !== "object") return undefined;
      v = (v as Record<string | number, unknown>)[part];
    }
    return v;
  }

  /** The object at `path`, or undefined (with a problem when something else is there). */
  object(path: Path, required = false): Record<string, unknown> | undefined {
    const v = this.at(path);
    if (v === undefined || v === null) {
      if (required) this.problem(path, `missing: expected a mapping here`);
      return undefined;
    }
    if (typeof v !== "object" || Array.isArray(v)) {
      this.problem(path, `expected a mapping, got ${found(v)}`);
      return undefined;
    }
    return v as Record<string, unknown>;
  }

  /** The list at `path`, or undefined (with a problem when something else is there). */
  list(path: Path, required = false): unknown[] | undefined {
    const v = this.at(path);
    if (v === undefined || v === null) {
      if (required) this.problem(path, `missing: expected a list here`);
      return undefined;
    }
    if (!Array.isArray(v)) {
      this.problem(path, `expected a list, got ${found(v)}`);
      return undefined;
    }
    return v;
  }

  /** The string at `path` (numbers are written as strings by some tools). */
  string(path: Path, required = false): string | undefined {
    const v = this.at(path);
    if (v === undefined || v === null) {
      if (required) this.problem(path, "missing: expected a string");
      return undefined;
    }
    if (typeof v === "string") return v;
    if (typeof v === "number") return String(v);
    this.problem(path, `expected a string, got ${found(v)}`);
    return undefined;
  }

  /** The number at `path` (a numeric string is accepted, as CloudFormation and Terraform write some). */
  number(
    path: Path,
    options: { required?: boolean; integer?: boolean; min?: number } = {},
  ): number | undefined {
    const v = this.at(path);
    if (v === undefined || v === null) {
      if (options.required) this.problem(path, "missing: expected a number");
      return undefined;
    }
    const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : Number.NaN;
    if (!Number.isFinite(n) || (options.integer && !Number.isInteger(n))) {
      this.problem(path, `expected ${options.integer ? "a whole number" : "a number"}, got ${found(v)}`);
      return undefined;
    }
    if (options.min !== undefined && n < options.min) {
      this.problem(path, `expected a number of at least ${options.min}, got ${n}`);
      return undefined;
    }
    return n;
  }

  /** The boolean at `path` ("true"/"false" strings accepted). */
  boolean(path: Path): boolean | undefined {
    const v = this.at(path);
    if (v === undefined || v === null) return undefined;
    if (typeof v === "boolean") return v;
    if (v === "true" || v === "false") return v === "true";
    this.problem(path, `expected true or false, got ${found(v)}`);
    return undefined;
  }
}

/** What a value is, for "expected …, got …" messages; an unresolved intrinsic function says so. */
function found(v: unknown): string {
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    const keys = Object.keys(v);
    if (keys.length === 1 && (keys[0] === "Ref" || keys[0]!.startsWith("Fn::")))
      return `${keys[0]} that kinesim could not resolve (it resolves Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select, Fn::FindInMap and Parameters' defaults; give the value with --parameter NAME=VALUE or write it in the template)`;
  }
  return describeValue(v);
}

/** The problems of every input file, thrown together as a ScenarioError (exit code 2). */
export class Problems {
  readonly issues: ScenarioIssue[] = [];

  add(issue: ScenarioIssue): void {
    this.issues.push(issue);
  }

  /** Throws when any problem was found. */
  throwIfAny(): void {
    if (this.issues.length > 0) throw new ScenarioError(this.issues);
  }
}

/** A YAML node as plain data; CloudFormation's short-form tags become their long form. */
function plain(node: unknown): unknown {
  const tag = (node as { tag?: string }).tag;
  let value: unknown;
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      out[key] = pair.value === null ? null : plain(pair.value);
    }
    value = out;
  } else if (isSeq(node)) {
    value = node.items.map((item) => plain(item));
  } else if (isScalar(node)) {
    value = node.value;
  } else {
    value = node;
  }
  if (tag?.startsWith("!") && !tag.startsWith("!!")) {
    const name = SHORT_FORMS[tag] ?? `Fn::${tag.slice(1)}`;
    // !GetAtt Resource.Attribute is the short form of ["Resource", "Attribute"].
    if (name === "Fn::GetAtt" && typeof value === "string") {
      const dot = value.indexOf(".");
      value = dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)];
    }
    return { [name]: value };
  }
  return value;
}
