// Cohort resolution pools clients into groups; for clients too sparse to fill a batch, their real
// batches hold a record or two that wait the whole linger time. The load-time warning says so, and
// these tests check that what it says is true (and that it stays quiet for the examples).

import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkPooling } from "../../src/model/pooling.js";
import { loadScenario } from "../../src/scenario/load.js";
import { simulate } from "../../src/simulate.js";
import { scenarioOf } from "../laws.js";

const sparse = (rate: number, resolution: string) =>
  scenarioOf(`name: sparse
seed: 3
duration: 3m
resolution: ${resolution}
stream: { shards: 2 }
producers:
  - name: devices
    instances: 2000
    rate: ${rate}/s
    recordSize: 1KB
    partitionKey: { dist: uniform, keys: 2000 }
    batch: { maxRecords: 50, linger: 1s }
`);

describe("pooling sparse clients at cohort resolution", () => {
  it("is warned about, with the clients' records per linger time", () => {
    const problems = checkPooling(sparse(1200, "10ms"));
    expect(problems).toHaveLength(1);
    expect(problems[0]!.severity).toBe("warning");
    expect(problems[0]!.path).toEqual(["producers", 0, "instances"]);
    expect(problems[0]!.message).toContain("about 0.60 records per 1s linger time");
    // Record resolution simulates each client: nothing to warn about.
    expect(checkPooling(sparse(1200, "record"))).toEqual([]);
  });

  it("is not warned about for the example scenarios", () => {
    for (const file of readdirSync("scenarios").filter((f) => f.endsWith(".yaml"))) {
      const { scenario } = loadScenario(readFileSync(`scenarios/${file}`, "utf8"), {
        file,
        readFile: (p) => readFileSync(`scenarios/${p}`, "utf8"),
      });
      expect(checkPooling(scenario), file).toEqual([]);
    }
  });

  it("reads put latency low and, over the limit, first-attempt throttling low — as the warning says", () => {
    const under = (r: string) => simulate(sparse(1200, r)).summary.putLatencyMs.p50;
    // Each client's batch waits the whole 1 s linger time; pooled, records wait about half of it.
    expect(under("record")).toBeGreaterThan(1000);
    expect(under("10ms")).toBeLessThan(0.75 * under("record"));
    const over = (r: string) => simulate(sparse(2600, r)).summary.throttle.firstAttemptFraction;
    expect(over("record") - over("10ms")).toBeGreaterThan(0.02);
  });
});
