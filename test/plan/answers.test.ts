// Answers a capacity planner can act on: the plan never trades records away unless told to, AWS's
// formula is AWS's formula (checked against an independent reading of the developer guide), the
// busiest second counts each producer's own record size, and a cause is printed only when its own
// measurement is there.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { planCommand } from "../../src/cli/plan.js";
import type { RunSummary } from "../../src/metrics/summary.js";
import { type CauseKind, causesAt } from "../../src/plan/causes.js";
import { awsSizing, peakSecond } from "../../src/plan/plan.js";
import type { Scenario } from "../../src/scenario/schema.js";
import { runInMemory, scenarioOf } from "../laws.js";

const work = mkdtempSync(join(tmpdir(), "kinesim-answers-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * The developer guide's formula, read independently: average data size in KB rounded up to a whole
 * KB (KiB, to match the formula's divisors), × records/s = write KB; × consumers = read KB;
 * shards = max(write/1024, read/2048), rounded up.
 */
function guideFormula(recordsPerSecond: number, dataBytes: number, consumers: number): number {
  const kb = Math.ceil(dataBytes / 1024);
  const write = kb * recordsPerSecond;
  return Math.max(1, Math.ceil(Math.max(write / 1024, (write * consumers) / 2048)));
}

const one = (rate: string, size: string, extra = "") =>
  scenarioOf(
    `name: f\nduration: 1m\nstream: { shards: 1 }\nproducers: [{ name: p, rate: ${rate}, recordSize: ${size} }]\n${extra}`,
  );

describe("AWS's sizing formula", () => {
  it("gives 4 shards for 4,000 records/s of 1 KiB (the partition key is not part of the record size)", () => {
    const s = awsSizing(one("4000/s", "1KiB"));
    expect(s.shards).toBe(4);
    expect(s.inputs.averageDataSizeKiB).toBe(1);
    expect(s.inputs.incomingWriteKiB).toBeCloseTo(4000, 6);
  });

  it("equals an independent reading of the guide for sizes around the KiB boundaries and any readers", () => {
    const readers = [
      "",
      "consumers: [{ name: a, type: polling }]\n",
      "consumers: [{ name: a, type: polling }, { name: b, type: efo }, { name: c, type: lambda }]\n",
    ];
    for (const [rate, bytes] of [
      [4000, 1024],
      [4000, 1025],
      [100, 35_000],
      [2500, 512],
      [3000, 3072],
      [999, 1],
    ] as const)
      for (const [i, extra] of readers.entries()) {
        const consumers = [0, 1, 3][i]!;
        expect(
          awsSizing(one(`${rate}/s`, `${bytes}B`, extra)).shards,
          `${rate}/s × ${bytes} B, ${consumers}`,
        ).toBe(guideFormula(rate, bytes, consumers));
      }
  });
});

describe("the busiest second", () => {
  it("adds each producer's records at its own size (a storm of large records binds on bytes)", () => {
    const s = scenarioOf(`
name: storm
duration: 30m
stream: { shards: 1 }
producers:
  - { name: small, rate: 2400/s, recordSize: 2KB, partitionKey: { dist: random } }
  - { name: big, rate: { profile: steps, steps: [{ at: 0s, rate: 0/s }, { at: 10m, rate: 25/s }, { at: 20m, rate: 0/s }] }, recordSize: 50KB, partitionKey: { dist: random } }
`);
    const peak = peakSecond(s);
    const bytes = 2400 * (2000 + 36) + 25 * (50_000 + 36);
    expect(peak.bytes).toBeCloseTo(bytes, 0);
    expect(peak.byBytes).toBe(Math.ceil(bytes / 1048576));
    expect(peak.byBytes).toBe(6);
    expect(peak.binding).toBe("bytes");
    expect(peak.atSeconds).toBeGreaterThanOrEqual(600);
  });
});

describe("plan never trades records away unless told to", () => {
  const plan = async (slo: string[], out: string) => {
    const code = await planCommand({
      scenario: "scenarios/hot-key.yaml",
      slo,
      seeds: 2,
      // In the test's own thread: the answer is the same on two (see pool.test.ts), and each thread
      // started under vitest loads the sources anew.
      workers: 1,
      duration: "1m",
      set: ["stream.shards=2"],
      out: join(work, out),
      quiet: true,
    });
    return {
      code,
      json: JSON.parse(readFileSync(join(work, out, "plan.json"), "utf8")),
      csv: readFileSync(join(work, out, "plan.csv"), "utf8"),
    };
  };

  it("finds no count for a hot key over one shard's limit when only latency is asked for (it once answered 3)", async () => {
    const { code, json, csv } = await plan(["putLatencyP99<2s"], "latency-only");
    expect(code).toBe(1);
    expect(json.chosen).toBeNull();
    for (const e of json.evaluations) {
      expect(e.pass).toBe(false);
      expect(e.lostFraction).toBeGreaterThan(0);
      expect(e.failing).toContain("no loss");
    }
    // Every count shows what it costs: loss, throttling and p99 side by side.
    const [header, ...rows] = csv.trim().split("\n");
    expect(header).toMatch(
      /^shards,pass,failing,lostFraction,firstAttemptThrottledFraction,putLatencyP99Ms,/,
    );
    expect(rows.length).toBe(json.evaluations.length);
  });

  it("takes a count with loss when the user allows loss, and judges it by that SLO", async () => {
    // The hot key's retries wait the SDK's throttling backoff (up to 1 s, then up to 2 s): p99 ≈ 3.6 s.
    const { json } = await plan(["putLatencyP99<5s", "recordsLostFraction<50% over run"], "loss-allowed");
    expect(json.chosen).not.toBeNull();
    const chosen = json.evaluations.find((e: { shards: number }) => e.shards === json.chosen);
    expect(chosen.failing).toEqual([]);
    expect(chosen.lostFraction).toBeLessThan(0.5);
  });
});

/** The causes measured at `shards` over two seeds. */
function causes(scenario: Scenario, shards: number): CauseKind[] {
  const runs: RunSummary[] = ["a", "b"].map(
    (seed) => runInMemory({ ...scenario, seed, stream: { ...scenario.stream, shards } }).summary,
  );
  return causesAt(scenario, shards, runs).map((c) => c.kind);
}

const base = (producer: string) =>
  scenarioOf(
    `name: c\nduration: 3m\nresolution: record\nstream: { shards: 1 }\nproducers:\n  - ${producer}\n`,
  );

describe("causes are printed only when measured", () => {
  it("even arrivals of large records with random keys: bytes and the spread of keys, nothing else", () => {
    const found = causes(
      base("{ name: p, rate: 100/s, arrivals: even, recordSize: 35KB, partitionKey: { dist: random } }"),
      5,
    );
    expect(found).toContain("bytes");
    expect(found).toContain("keySpread");
    for (const absent of ["arrivals", "bursts", "keySkew", "mean", "rejected", "consumers"] as const)
      expect(found).not.toContain(absent);
  });

  it("Poisson arrivals on two shards: the arrivals are named; even ones on the same shards are not", () => {
    // One record per call (PutRecord): no batches to add noise of their own; and enough calls in
    // flight per client that a retry's backoff (up to seconds) never holds new records back.
    const producer = (arrivals: string) =>
      `{ name: p, instances: 100, maxInFlight: 20, api: PutRecord, rate: 1900/s, arrivals: ${arrivals}, recordSize: 100B, partitionKey: { dist: uniform, keys: 100000 } }`;
    const poisson = causes(base(producer("poisson")), 2);
    const even = causes(base(producer("even")), 2);
    expect(poisson).toContain("arrivals");
    expect(even).not.toContain("arrivals");
    expect(poisson).not.toContain("bytes");
  });

  it("one hot key: key skew and the mean over the limit; no bursts", () => {
    const found = causes(
      base(
        "{ name: p, instances: 8, rate: 3000/s, recordSize: 200B, partitionKey: { dist: uniform, keys: 1000, hotKeys: [{ key: hot, share: 45% }] } }",
      ),
      4,
    );
    expect(found).toContain("keySkew");
    expect(found).toContain("mean");
    expect(found).not.toContain("bursts");
  });

  it("bursts in the rate profile are named; a constant rate's are not", () => {
    const bursty = causes(
      base(
        "{ name: p, instances: 8, rate: { profile: pulse, base: 500/s, peak: 4000/s, every: 10s, width: 1s }, recordSize: 300B, partitionKey: { dist: uniform, keys: 5000 } }",
      ),
      2,
    );
    expect(bursty).toContain("bursts");
    const steady = causes(
      base(
        "{ name: p, instances: 8, rate: 1900/s, recordSize: 300B, partitionKey: { dist: uniform, keys: 5000 } }",
      ),
      2,
    );
    expect(steady).not.toContain("bursts");
  });

  it("retries are named when they add load, with the mean over the limit", () => {
    const found = causes(
      base(
        "{ name: p, instances: 8, rate: 3000/s, recordSize: 300B, partitionKey: { dist: uniform, keys: 5000 } }",
      ),
      2,
    );
    expect(found).toContain("retries");
    expect(found).toContain("mean");
  });

  it("a Lambda that cannot keep up is named with what it processes per shard", () => {
    const s = scenarioOf(`
name: slow
duration: 3m
stream: { shards: 1 }
producers: [{ name: p, rate: 1200/s, recordSize: 500B, partitionKey: { dist: uniform, keys: 5000 } }]
consumers: [{ name: fn, type: lambda, batchSize: 100, duration: { base: 30ms, perRecord: 2.5ms } }]
`);
    const runs = ["a", "b"].map(
      (seed) => runInMemory({ ...s, seed, stream: { ...s.stream, shards: 3 } }).summary,
    );
    const found = causesAt(s, 3, runs);
    const consumer = found.find((c) => c.kind === "consumers");
    expect(consumer?.text).toMatch(
      /consumer fn \(lambda\) processed 3\d\d(\.\d)? records\/s per shard while each shard was sent 40\d/,
    );
    // 100 records in 30 + 250 ms: about 357 records/s per shard at most.
    const rate = Number(/processed ([\d.]+)/.exec(consumer!.text)![1]);
    expect(rate).toBeLessThan(100 / 0.28 + 1);
  });
});
