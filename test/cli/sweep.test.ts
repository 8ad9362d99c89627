// Sweeps give the same bytes with one worker, with two, and as three partitions merged — the
// property that lets a sweep be spread over cores and machines.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mergeCommand, sweepCommand } from "../../src/cli/sweep.js";
import { partitionFrom, partitionOf, sweepRuns } from "../../src/plan/sweep.js";
import { simulate } from "../../src/simulate.js";
import { runInMemory, scenarioOf } from "../laws.js";

const work = mkdtempSync(join(tmpdir(), "kinesim-sweep-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const sweep = (out: string, more: { workers?: number; partition?: string }) =>
  sweepCommand({
    scenario: "scenarios/over-capacity.yaml",
    params: ["stream.shards=2,3", "producers[0].retry.preset=sdk-v3-standard,kpl"],
    seeds: 2,
    set: ["duration=40s"],
    out,
    quiet: true,
    env: {},
    ...more,
  });

describe("sweep", () => {
  it("writes the same bytes with 1 and 2 workers, and as 3 partitions merged", async () => {
    expect(await sweep(join(work, "one"), { workers: 1 })).toBe(0);
    expect(await sweep(join(work, "two"), { workers: 2 })).toBe(0);
    // The partitions run on one thread each: two threads are the sweep above's business, and each
    // thread started here loads the sources anew (a few seconds under vitest).
    for (const p of ["1/3", "2/3", "3/3"])
      expect(await sweep(join(work, "parts"), { partition: p, workers: 1 })).toBe(0);
    const merged = join(work, "merged.csv");
    const parts = [3, 1, 2].map((i) => join(work, "parts", `sweep-part-${i}-of-3.csv`));
    expect(mergeCommand(parts, merged, true)).toBe(0);
    const one = readFileSync(join(work, "one", "sweep.csv"), "utf8");
    expect(one.trim().split("\n")).toHaveLength(1 + 2 * 2 * 2);
    expect(readFileSync(join(work, "two", "sweep.csv"), "utf8")).toBe(one);
    expect(readFileSync(merged, "utf8")).toBe(one);
    // The grid is really swept: 3 shards throttle less than 2 on the same seeds.
    const rows = one
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(","));
    const throttled = (shards: string) =>
      rows.filter((r) => r[2] === shards).reduce((a, r) => a + Number(r[7]), 0);
    expect(throttled("3")).toBeLessThan(throttled("2"));
  });

  it("refuses to merge an incomplete set of partitions", async () => {
    const parts = [1, 2].map((i) => join(work, "parts", `sweep-part-${i}-of-3.csv`));
    expect(() => mergeCommand(parts, join(work, "bad.csv"), true)).toThrow(/runs are missing/);
  });
});

describe("runs whose rows are discarded", () => {
  it("give the same summary as runs that keep every row", () => {
    for (const file of ["scenarios/quickstart.yaml", "scenarios/analytics-chain.yaml"]) {
      const scenario = scenarioOf(readFileSync(file, "utf8"), { duration: "2m" });
      const kept = runInMemory(scenario).summary;
      const discarded = simulate(scenario).summary;
      expect(JSON.stringify(discarded)).toBe(JSON.stringify(kept));
    }
  });
});

describe("partitions", () => {
  const runs = sweepRuns([{ path: "a", values: ["1", "2", "3"] }], ["s1", "s2"]);
  it("cover every run exactly once", () => {
    const covered = [0, 1, 2, 3]
      .flatMap((i) => partitionOf(runs, i, 4).map((r) => r.index))
      .sort((a, b) => a - b);
    expect(covered).toEqual(runs.map((r) => r.index));
  });

  it("come from the flag, a Kubernetes Indexed Job or an AWS Batch array job", () => {
    expect(partitionFrom("2/3", {})).toEqual({ index: 1, count: 3 });
    expect(partitionFrom(undefined, { JOB_COMPLETION_INDEX: "4", JOB_COMPLETIONS: "5" })).toEqual({
      index: 4,
      count: 5,
    });
    expect(partitionFrom(undefined, { AWS_BATCH_JOB_ARRAY_INDEX: "0", KINESIM_PARTITIONS: "2" })).toEqual({
      index: 0,
      count: 2,
    });
    expect(partitionFrom(undefined, {})).toBeUndefined();
    expect(() => partitionFrom(undefined, { AWS_BATCH_JOB_ARRAY_INDEX: "1" })).toThrow(/KINESIM_PARTITIONS/);
  });

  it("the flag is 1-based and says so when i is 0, above n, or not a number", () => {
    expect(partitionFrom("3/3", {})).toEqual({ index: 2, count: 3 });
    expect(partitionFrom(" 1 / 2 ", {})).toEqual({ index: 0, count: 2 });
    expect(() => partitionFrom("0/2", {})).toThrow(
      "--partition 0/2: expected i/n, 1-based: i from 1 to 2 (e.g. --partition 1/3, 2/3 and 3/3 split a sweep in three)",
    );
    expect(() => partitionFrom("4/3", {})).toThrow(
      /^--partition 4\/3: expected i\/n, 1-based: i from 1 to 3 /,
    );
    expect(() => partitionFrom("a/3", {})).toThrow(/1-based: i from 1 to 3/);
    expect(() => partitionFrom("1.5/3", {})).toThrow(/1-based: i from 1 to 3/);
    expect(() => partitionFrom("-1/3", {})).toThrow(/1-based: i from 1 to 3/);
    expect(() => partitionFrom("2", {})).toThrow(/^--partition 2: expected i\/n, 1-based: i from 1 to n/);
    expect(() => partitionFrom("1/0", {})).toThrow(/n must be a whole number of at least 1/);
    expect(() => partitionFrom("1/x", {})).toThrow(/n must be a whole number of at least 1/);
  });

  it("the schedulers' indices are 0-based, and a bad one names the variable and its range", () => {
    expect(() => partitionFrom(undefined, { JOB_COMPLETION_INDEX: "5", JOB_COMPLETIONS: "5" })).toThrow(
      "JOB_COMPLETION_INDEX=5 with JOB_COMPLETIONS=5: expected a partition index from 0 to 4 (0-based, as Kubernetes sets it)",
    );
    expect(() =>
      partitionFrom(undefined, { AWS_BATCH_JOB_ARRAY_INDEX: "x", KINESIM_PARTITIONS: "2" }),
    ).toThrow(/from 0 to 1 \(0-based, as AWS Batch sets it\)/);
  });
});

describe("merge", () => {
  it("refuses slices of different sweeps: another seed, duration or grid (exit 2)", async () => {
    const part = (dir: string, more: { set?: string[]; params?: string[]; seeds?: number }) =>
      sweepCommand({
        scenario: "scenarios/over-capacity.yaml",
        params: more.params ?? ["stream.shards=2,3"],
        seeds: more.seeds ?? 1,
        set: more.set ?? ["duration=10s"],
        out: join(work, dir),
        quiet: true,
        env: {},
        partition: dir.endsWith("1") ? "1/2" : "2/2",
      });
    await part("same-1", {});
    await part("same-2", {});
    await part("seed-2", { set: ["duration=10s", "seed=other"] });
    await part("long-2", { set: ["duration=12s"] });
    await part("grid-2", { params: ["stream.shards=2,4"] });
    const first = join(work, "same-1", "sweep-part-1-of-2.csv");
    const second = (dir: string) => join(work, dir, "sweep-part-2-of-2.csv");
    expect(mergeCommand([first, second("same-2")], join(work, "ok.csv"), true)).toBe(0);
    for (const other of ["seed-2", "long-2", "grid-2"])
      expect(() => mergeCommand([first, second(other)], join(work, `${other}.csv`), true), other).toThrow(
        /is a slice of another sweep than .*: a different scenario, --set, --param, --seeds or duration/,
      );
  });
});
