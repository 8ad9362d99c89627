import { describe, expect, it } from "vitest";
import { US_PER_MS, US_PER_S } from "../../src/engine/time.js";
import { checkSchedule } from "../../src/model/capacity.js";
import { loadScenario, parsePath, ScenarioError } from "../../src/scenario/load.js";

const minimal = "name: t\nduration: 1m\nstream: { shards: 2 }\nproducers: [{ name: p, rate: 100/s }]\n";

function issuesOf(text: string, overrides: { path: string; value: string }[] = []) {
  try {
    loadScenario(text, { file: "s.yaml", overrides });
  } catch (error) {
    if (error instanceof ScenarioError) return error.issues;
    throw error;
  }
  throw new Error("expected a ScenarioError");
}

describe("loadScenario", () => {
  it("fills every default from AWS's own defaults", () => {
    const { scenario } = loadScenario(minimal, { file: "s.yaml" });
    const p = scenario.producers[0]!;
    expect(scenario.stream.retention).toBe(24 * 3600 * US_PER_S);
    expect(scenario.stream.maxRecordSize).toBe(1024 * 1024);
    expect(scenario.stream.writeRecordsPerSecond).toBe(1000);
    expect(scenario.stream.writeBytesPerSecond).toBe(1024 * 1024);
    expect(scenario.stream.limiter.policy).toBe("window");
    expect(p.api).toBe("PutRecords");
    expect(p.batch).toEqual({ maxRecords: 500, maxBytes: 5 * 1024 * 1024, linger: 100 * US_PER_MS });
    expect(p.retry).toMatchObject({
      preset: "sdk-v3-standard",
      // The pinned SDK's throttling base (its 2026 retry behaviour), checked in test/clients/agreement.
      base: 1000 * US_PER_MS,
      cap: 20 * US_PER_S,
      maxAttempts: 3,
      jitter: "full",
    });
    expect(p.rate).toEqual({ profile: "constant", rate: 100 });
  });

  it("applies retry presets with field overrides", () => {
    const { scenario } = loadScenario(
      minimal.replace("rate: 100/s", "rate: 100/s, retry: { preset: kpl, recordTtl: 5s }"),
      { file: "s.yaml" },
    );
    expect(scenario.producers[0]!.retry).toMatchObject({
      preset: "custom",
      base: 50 * US_PER_MS,
      jitter: "none",
      maxAttempts: Number.POSITIVE_INFINITY,
      recordTtl: 5 * US_PER_S,
    });
  });

  it("applies --set overrides before validation, including new keys and list items", () => {
    const { scenario } = loadScenario(minimal, {
      file: "s.yaml",
      overrides: [
        { path: "stream.shards", value: "8" },
        { path: "producers[0].batch.linger", value: "250ms" },
        { path: "seed", value: '"abc"' },
      ],
    });
    expect(scenario.stream.shards).toBe(8);
    expect(scenario.producers[0]!.batch.linger).toBe(250 * US_PER_MS);
    expect(scenario.seed).toBe("abc");
  });

  it("parses override paths", () => {
    expect(parsePath("producers[0].batch.maxRecords")).toEqual(["producers", 0, "batch", "maxRecords"]);
    expect(parsePath("stream")).toEqual(["stream"]);
    expect(parsePath("a..b")).toBeUndefined();
    expect(parsePath("[0]")).toBeUndefined();
    expect(parsePath("a.")).toBeUndefined();
  });

  it("reports every problem at once, in file order, with line and column", () => {
    const text =
      "name: t\nduration: 1x\nstream:\n  shards: 0\n  retension: 24h\nproducers:\n  - name: p\n    rate: 100/s\n    jitter: full\n";
    const issues = issuesOf(text);
    expect(issues.map((i) => [i.line, i.column, i.path])).toEqual([
      [2, 11, "duration"],
      [4, 11, "stream.shards"],
      [5, 3, "stream.retension"],
      [9, 5, "producers[0].jitter"],
    ]);
    expect(issues[2]!.message).toBe('unknown key "retension"; did you mean "retention"?');
  });

  it("reads trace files through the caller's reader and rejects bad ones", () => {
    const text = minimal.replace("rate: 100/s", "rate: { profile: trace, file: t.csv, interval: 1m }");
    const { scenario } = loadScenario(text, {
      file: "s.yaml",
      readFile: () => "Timestamp,Sum\n2026-01-01T00:00,6000\n2026-01-01T00:01,12000\n",
    });
    expect(scenario.producers[0]!.rate).toEqual({
      profile: "series",
      intervalUs: 60 * US_PER_S,
      perSecond: [100, 200],
      loop: false,
    });
    const bad = (() => {
      try {
        loadScenario(text, { file: "s.yaml", readFile: () => "Timestamp,Sum\nx,-1\n" });
      } catch (error) {
        return (error as ScenarioError).issues[0]!;
      }
      return undefined;
    })();
    expect(bad?.path).toBe("producers[0].rate.file");
    expect(bad?.message).toContain("row 2: expected a number ≥ 0");
  });

  it("warns of a scheduled action after the end of the run, and runs without it", () => {
    const text = `${minimal}events:\n  - { at: 5m, action: SplitShard, shard: 0 }\n`;
    const { scenario, warnings } = loadScenario(text, { file: "t.yaml", check: checkSchedule });
    expect(scenario.events).toHaveLength(1);
    expect(warnings).toEqual([
      "t.yaml:6:11: events[0].at: SplitShard at 5m is not before the end of the run (1m): it never happens",
    ]);
    expect(
      loadScenario(text.replace("5m", "30s"), { file: "t.yaml", check: checkSchedule }).warnings,
    ).toEqual([]);
  });

  it("loads every variant, so a bad one fails at once and not halfway through a comparison", () => {
    const good = `${minimal}variants:\n  - { name: more, set: { stream.shards: 4 } }\n`;
    expect(loadScenario(good, { file: "t.yaml" }).scenario.variants).toHaveLength(1);
    const bad = good.replace("stream.shards: 4", "stream.shards: 0");
    const issues = issuesOf(bad);
    expect(issues.map((i) => [i.line, i.path])).toEqual([[6, "variants[0].set.stream.shards"]]);
    expect(issues[0]!.message).toMatch(/^variant "more": stream.shards: .*minimum of 1/);
  });
});
