// The command line users run is the bundle in dist/bin (see src/cli/bundle.ts; the tests' global
// setup rebuilds it when a source is newer): check that it loads a scenario, runs, and starts
// worker threads.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI } from "../support/cli.js";

const work = mkdtempSync(join(tmpdir(), "kinesim-bundle-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function bin(...args: string[]) {
  return binIn(process.cwd(), ...args);
}

function binIn(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [...CLI, ...args], { encoding: "utf8", cwd });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("the bundled command line", () => {
  it("prints its version and validates a scenario", () => {
    const version = bin("--version");
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync("package.json", "utf8")).version);
    // From any folder, with or without a command (yargs read the package.json of the folder it
    // ran in, and printed "unknown" outside kinesim's own).
    const pkg = JSON.parse(readFileSync("package.json", "utf8")).version;
    for (const args of [["--version"], ["validate", "--version"]]) {
      const elsewhere = binIn(work, ...args);
      expect(elsewhere.code, args.join(" ")).toBe(0);
      expect(elsewhere.stdout.trim(), args.join(" ")).toBe(pkg);
    }
    const valid = bin("validate", "scenarios/quickstart.yaml");
    expect(valid.code, valid.stderr).toBe(0);
    expect(valid.stdout).toMatch(/valid/);
  });

  it("runs a scenario and a sweep on two worker threads", () => {
    const run = bin(
      "run",
      "scenarios/over-capacity.yaml",
      "--duration",
      "5s",
      "--out",
      join(work, "run"),
      "--quiet",
    );
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(work, "run", "summary.json"), "utf8"));
    expect(summary.producers[0].produced).toBeGreaterThan(10_000);
    const sweep = bin(
      "sweep",
      "scenarios/over-capacity.yaml",
      "--param",
      "stream.shards=2,3",
      "--set",
      "duration=5s",
      "--workers",
      "2",
      "--out",
      join(work, "sweep"),
      "--quiet",
    );
    expect(sweep.code, sweep.stderr).toBe(0);
    expect(
      readFileSync(join(work, "sweep", "sweep.csv"), "utf8")
        .trim()
        .split("\n"),
    ).toHaveLength(3);
  });

  it("imports AWS CLI output into a scenario that validates", () => {
    const out = join(work, "import", "orders.yaml");
    const r = bin(
      "import",
      "test/import/fixtures/orders-describe-stream.json",
      "test/import/fixtures/orders-event-source-mappings.json",
      "--out",
      out,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out, "utf8")).toContain("shardId-000000000003");
    const bad = bin(
      "import",
      "test/import/fixtures/bad/not-aws.json",
      "--out",
      join(work, "import", "x.yaml"),
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not-aws\.json:1:1: not a file kinesim import recognises/);
  });

  it("reports bad input with exit code 2 and no stack trace", () => {
    const r = bin("run", "scenarios/quickstart.yaml", "--set", "stream.shards=0", "--out", join(work, "bad"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/stream\.shards/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
