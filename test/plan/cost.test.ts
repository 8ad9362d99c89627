// `kinesim cost`: both modes run on the same traffic, the bill's files are written, and a user's
// price table changes the bill.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { costCommand } from "../../src/cli/cost.js";
import { PricesError } from "../../src/cli/prices.js";

// Cost runs its two modes on as many threads as the machine has cores; here it sees one core and
// runs them in the test's own thread, since each thread started under vitest loads the sources
// anew (seconds each). The bill is the same either way (see pool.test.ts); progress.test.ts runs
// the built command line's cost on its threads.
vi.mock("node:os", async (importOriginal) => ({
  ...(await importOriginal<typeof import("node:os")>()),
  availableParallelism: () => 1,
}));

const work = mkdtempSync(join(tmpdir(), "kinesim-cost-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("kinesim cost", () => {
  it("bills provisioned, on-demand and Advantage on the same traffic and writes its files", async () => {
    const out = join(work, "q");
    expect(
      await costCommand({ scenario: "scenarios/quickstart.yaml", set: ["duration=2m"], out, quiet: true }),
    ).toBe(0);
    for (const f of ["cost.csv", "cost.json", "cost.svg", "cost.png", "cost.vl.json"])
      expect(existsSync(join(out, f))).toBe(true);
    const cost = JSON.parse(readFileSync(join(out, "cost.json"), "utf8"));
    expect(cost.modes.map((m: { mode: string }) => m.mode)).toEqual([
      "provisioned",
      "on-demand",
      "on-demand advantage",
    ]);
    expect(cost.hoursPerMonth).toBe(730);
    // A month is 730 / (2/60) runs of 2 minutes; both amounts are written rounded to 6 decimals.
    const runsPerMonth = 730 / (2 / 60);
    for (const m of cost.modes) {
      expect(m.total).toBeGreaterThan(0);
      expect(Math.abs(m.monthlyTotal - m.total * runsPerMonth)).toBeLessThanOrEqual(
        (runsPerMonth + 1) * 0.5e-6,
      );
    }
    // Quickstart's 4 shards at 3,300 records/s: provisioned is far cheaper than on-demand here.
    expect(cost.modes[0].monthlyTotal).toBeLessThan(cost.modes[1].monthlyTotal);
    expect(cost.breakEven.utilization).toBeGreaterThan(0);
    expect(cost.breakEven.utilization).toBeLessThan(0.2);
    const csv = readFileSync(join(out, "cost.csv"), "utf8");
    expect(csv.split("\n")[0]).toBe("mode,component,item,quantity,unit,rate,cost,monthly");
    expect(csv).toContain("provisioned,stream clicks,PUT payload units,");
  });

  it("bills with a user's prices, and rejects a bad price file", async () => {
    const prices = join(work, "prices.yaml");
    writeFileSync(prices, "provisioned: { shardHour: 0.03 }\n");
    const out = join(work, "p");
    await costCommand({
      scenario: "scenarios/quickstart.yaml",
      set: ["duration=1m"],
      out,
      prices,
      quiet: true,
    });
    const cost = JSON.parse(readFileSync(join(out, "cost.json"), "utf8"));
    const line = cost.modes[0].lines.find((l: { item: string }) => l.item === "shard-hours");
    expect(line.rate).toBe(0.03);
    writeFileSync(prices, "provisioned: { shardHour: cheap }\n");
    await expect(
      costCommand({ scenario: "scenarios/quickstart.yaml", out, prices, quiet: true }),
    ).rejects.toThrow(PricesError);
  });
});

describe("kinesim cost: one story across the bill", () => {
  const file = join(work, "readers.yaml");
  writeFileSync(
    file,
    `name: readers
duration: 2m
stream: { name: s, shards: 7 }
producers: [{ name: p, rate: 1500/s, recordSize: 1KiB, partitionKey: { dist: uniform, keys: 5000 } }]
consumers: [{ name: fn, type: lambda, batchSize: 100 }]
firehose: [{ name: archive, source: { stream: s }, destination: { type: s3 } }]
`,
  );

  // The bill with the default options, run once for the three tests that read it.
  const fresh = join(work, "new");
  let exit: number | undefined;
  beforeAll(async () => {
    exit = await costCommand({ scenario: file, out: fresh, quiet: true });
  });

  it("counts for the break-even the readers it bills data out for (a Lambda and a delivery stream)", () => {
    expect(exit).toBe(0);
    const cost = JSON.parse(readFileSync(join(fresh, "cost.json"), "utf8"));
    expect(cost.breakEven.sharedThroughputReaders).toBe(2);
    const onDemand = cost.modes.find((m: { mode: string }) => m.mode === "on-demand");
    const out_ = onDemand.lines.find((l: { item: string }) => l.item.startsWith("data out"));
    const inn = onDemand.lines.find((l: { item: string }) => l.item.startsWith("data in"));
    // Both readers read every record: data out is about twice data in (1 KiB records, so the
    // 1 KB rounding of data in adds nothing).
    expect(out_.quantity / inn.quantity).toBeGreaterThan(1.9);
    expect(out_.quantity / inn.quantity).toBeLessThan(2.05);
  });

  it("starts the on-demand side as a new stream by default, or keeps the shards when switched", async () => {
    const switched = join(work, "switch");
    await costCommand({ scenario: file, out: switched, quiet: true, onDemandStart: "switch" });
    const shardsOf = (dir: string) =>
      JSON.parse(readFileSync(join(dir, "cost.json"), "utf8")).modes.find(
        (m: { mode: string }) => m.mode === "on-demand",
      ).maxOpenShards;
    expect(shardsOf(fresh)).toBe(4);
    expect(shardsOf(switched)).toBe(7);
  });

  it("says how often the window repeats in a month", () => {
    expect(JSON.parse(readFileSync(join(fresh, "cost.json"), "utf8")).windowsPerMonth).toBe(730 * 30);
  });
});
