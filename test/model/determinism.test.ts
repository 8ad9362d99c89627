import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCommand } from "../../src/cli/run.js";
import { expectSameSeedSameOutput, runInMemory, scenarioOf } from "../laws.js";

const work = mkdtempSync(join(tmpdir(), "kinesim-determinism-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function files(dir: string): Map<string, string> {
  return new Map(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), "latin1")]));
}

describe("determinism", () => {
  it.each(["record", "10ms"])(
    "the same scenario and seed write byte-identical files (%s)",
    async (resolution) => {
      const a = join(work, `a-${resolution}`);
      const b = join(work, `b-${resolution}`);
      const options = { scenario: "scenarios/spike.yaml", resolution, duration: "7m", quiet: true };
      await runCommand({ ...options, out: a });
      await runCommand({ ...options, out: b });
      const fa = files(a);
      const fb = files(b);
      const names = [
        "scenario.yaml",
        "shards.csv",
        "summary.csv",
        "summary.json",
        "timeseries.csv",
        "index.html",
        "cloudwatch.csv",
      ];
      expect([...fa.keys()]).toEqual(expect.arrayContaining(names));
      expect([...fb.keys()].sort()).toEqual([...fa.keys()].sort());
      for (const [name, content] of fa) expect(fb.get(name), name).toBe(content);
    },
  );

  it("another seed gives different traffic", () => {
    const text = readFileSync("scenarios/quickstart.yaml", "utf8");
    const one = runInMemory(scenarioOf(text, { duration: "30s", seed: 1 }));
    const two = runInMemory(scenarioOf(text, { duration: "30s", seed: 2 }));
    const produced = (r: typeof one) => r.sink.records("timeseries").map((row) => row["ProducedRecords"]);
    expect(produced(two)).not.toEqual(produced(one));
  });

  it.each(["record", "10ms"])("in-memory runs repeat exactly (%s)", (resolution) => {
    expectSameSeedSameOutput(
      scenarioOf(readFileSync("scenarios/hot-key.yaml", "utf8"), { resolution, duration: "40s" }),
    );
  });
});

describe("common random numbers", () => {
  it.each(["record", "10ms"])(
    "changing only the shard count leaves the offered traffic unchanged (%s)",
    (resolution) => {
      const text = readFileSync("scenarios/spike.yaml", "utf8");
      const series = (shards: number) => {
        const run = runInMemory(scenarioOf(text, { resolution, duration: "6m", "stream.shards": shards }));
        return run.sink.records("timeseries").map((row) => row["ProducedRecords"]);
      };
      const four = series(4);
      expect(series(2)).toEqual(four);
      expect(series(9)).toEqual(four);
      expect(four.some((n) => Number(n) > 0)).toBe(true);
    },
  );
});
