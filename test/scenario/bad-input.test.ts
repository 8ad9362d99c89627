// Every file in test/fixtures/bad/ is a scenario that is wrong in one way (or, for a couple, in
// several). Its leading comment lines say what the loader must report:
//   # expect: <substring of an issue's message>     (one or more)
//   # at: <line>:<column>                            (absent: the issue has no position)
//   # path: <YAML path>                              (absent: the path is "")
// `at` and `path` are checked against the first issue whose message contains the first `expect`.
// A YAML syntax error must be the only issue reported (the check stops there).
// Scheduled capacity actions are replayed against AWS's rules, as every command does.
// `.bin` fixtures hold bytes that are not (or not only) text: they are read with the CLI's
// readScenarioFile, which rejects non-UTF-8 files before loadScenario sees them.

import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readScenarioFile } from "../../src/cli/files.js";
import { SOURCES } from "../../src/data/sources.js";
import { checkSchedule } from "../../src/model/capacity.js";
import { checkRecordSizes } from "../../src/model/record-sizes.js";
import { formatIssue, loadScenario, ScenarioError, type ScenarioIssue } from "../../src/scenario/load.js";
import { CLI } from "../support/cli.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DIR = "test/fixtures/bad";
const FIXTURES = readdirSync(join(ROOT, DIR))
  .filter((name) => name.endsWith(".yaml") || name.endsWith(".bin"))
  .sort();

interface Expectation {
  expects: string[];
  at?: { line: number; column: number };
  path: string;
}

/** Reads the leading `# key: value` comment lines of a fixture. */
function expectationOf(name: string): Expectation {
  const raw = readFileSync(join(ROOT, DIR, name));
  // Binary fixtures start with an ASCII header; latin1 maps every byte to one character.
  const text = isBinary(name) ? raw.toString("latin1") : raw.toString("utf8");
  const expects: string[] = [];
  let at: Expectation["at"];
  let path = "";
  for (const line of text.split(/\r?\n/)) {
    if (!line.startsWith("#")) break;
    const match = /^# (expect|at|path): (.*)$/.exec(line);
    if (!match) continue;
    const value = match[2]!.trim();
    if (match[1] === "expect") expects.push(value);
    else if (match[1] === "path") path = value;
    else {
      const place = /^(\d+):(\d+)$/.exec(value);
      if (!place) throw new Error(`${name}: bad "# at:" line ${JSON.stringify(line)}`);
      at = { line: Number(place[1]), column: Number(place[2]) };
    }
  }
  if (expects.length === 0) throw new Error(`${name} has no "# expect:" line`);
  return { expects, ...(at ? { at } : {}), path };
}

function isBinary(name: string): boolean {
  return name.endsWith(".bin");
}

/** Loads a fixture the way its kind requires; returns the issues of the ScenarioError it must throw. */
function issuesOf(name: string): ScenarioIssue[] {
  const file = `${DIR}/${name}`;
  try {
    const text = isBinary(name) ? readScenarioFile(join(ROOT, file)) : readFileSync(join(ROOT, file), "utf8");
    loadScenario(text, { file, check: (s) => [...checkSchedule(s), ...checkRecordSizes(s)] });
  } catch (error) {
    if (error instanceof ScenarioError) return error.issues;
    throw new Error(`${file}: expected a ScenarioError, got ${String((error as Error)?.stack ?? error)}`);
  }
  throw new Error(`${file} loaded without an error`);
}

function listed(issues: readonly ScenarioIssue[]): string {
  return issues.map((issue) => `  ${formatIssue(issue)}`).join("\n");
}

describe("malformed scenario files", () => {
  it("the corpus has at least 30 fixtures", () => {
    expect(FIXTURES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(FIXTURES)("%s", (name) => {
    const expectation = expectationOf(name);
    const started = performance.now();
    const issues = issuesOf(name);
    // Nothing may hang or take long, the alias bomb included.
    expect(performance.now() - started).toBeLessThan(2000);
    expect(issues.length).toBeGreaterThan(0);

    for (const wanted of expectation.expects) {
      expect(
        issues.some((issue) => issue.message.includes(wanted)),
        `no issue mentions ${JSON.stringify(wanted)}; the loader reported:\n${listed(issues)}`,
      ).toBe(true);
    }

    // A YAML syntax error stops the check: it is reported alone, without the parser's follow-on errors.
    if (issues.some((issue) => issue.message.startsWith("YAML syntax:")))
      expect(issues.length, `a syntax error is reported alone; the loader reported:\n${listed(issues)}`).toBe(
        1,
      );

    const first = issues.find((issue) => issue.message.includes(expectation.expects[0]!))!;
    expect(
      { line: first.line, column: first.column, path: first.path },
      `place of: ${formatIssue(first)}`,
    ).toEqual({ line: expectation.at?.line, column: expectation.at?.column, path: expectation.path });
    if (!isBinary(name)) expect(first.file).toBe(`${DIR}/${name}`);
  });

  it("messages cite AWS documents by readable title, never by the data files' internal ids", () => {
    const ids = Object.keys(SOURCES);
    const cited = FIXTURES.flatMap(issuesOf).filter((issue) => /\(AWS limit: /.test(issue.message));
    // The corpus holds limits from Kinesis, Firehose, Lambda and analytics tables.
    expect(cited.length).toBeGreaterThan(20);
    for (const issue of cited) {
      expect(issue.message, formatIssue(issue)).toMatch(/Sources?: [A-Z]/);
      for (const id of ids) expect(issue.message, formatIssue(issue)).not.toMatch(new RegExp(`\\b${id}\\b`));
    }
  });

  it("a __proto__ key does not pollute Object.prototype", () => {
    issuesOf("proto-key.yaml");
    expect((Object.prototype as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("the fixtures' common skeleton is valid, with retention at 10 days (inside AWS's 24h–365d)", () => {
    const text = [
      "name: ok",
      "duration: 1m",
      "stream:",
      "  shards: 2",
      "  retention: 10d",
      "producers:",
      "  - name: p",
      "    rate: 100/s",
      "",
    ].join("\n");
    const { scenario } = loadScenario(text, { file: "inline.yaml" });
    expect(scenario.stream.retention).toBe(10 * 24 * 3600 * 1e6);
  });
});

interface Exit {
  status: number | null;
  stderr: string;
}

function runCli(args: string[]): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI, ...args], {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stderr }));
  });
}

describe("kinesim validate on malformed files", () => {
  it.concurrent.for(["batch-max-records-600.yaml", "jitter-fulll.yaml", "shards-string.yaml"])(
    "%s exits 2 with file:line:column and no stack trace",
    async (name, { expect }) => {
      const file = `${DIR}/${name}`;
      const { at, expects } = expectationOf(name);
      const { status, stderr } = await runCli(["validate", file]);
      expect(status, stderr).toBe(2);
      expect(stderr).toContain(`${file}:${at!.line}:${at!.column}: `);
      expect(stderr).toContain(expects[0]!);
      expect(stderr).not.toMatch(/^ {4}at /m);
      expect(stderr).not.toContain("internal error");
    },
  );
});
