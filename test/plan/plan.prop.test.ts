// Plan laws over generated scenarios: the answer never loses records unless loss is allowed; with
// loss allowed, one shard more never loses clearly more; AWS's formula equals an independent
// reading of the developer guide for any rates, sizes and readers.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateCount } from "../../src/plan/evaluation.js";
import { awsSizing, type Evaluation, searchShards } from "../../src/plan/plan.js";
import { runInMemory, scenarioOf } from "../laws.js";
import { propertySeed, runs } from "../support/property.js";

const generated = fc.record({
  rate: fc.integer({ min: 300, max: 4000 }),
  size: fc.constantFrom("200B", "1KiB", "3KiB"),
  keys: fc.constantFrom(
    "{ dist: random }",
    "{ dist: uniform, keys: 500 }",
    "{ dist: uniform, keys: 500, hotKeys: [{ key: hot, share: 20% }] }",
  ),
  retry: fc.constantFrom("sdk-v3-standard", "none"),
  slo: fc.constantFrom(
    'putLatencyP99: "< 2s"',
    'writeThrottledFraction: "< 1%"',
    'putLatencyP99: "< 1s over run"',
  ),
  allowLoss: fc.boolean(),
  seed: fc.integer({ min: 1, max: 100_000 }),
});

function scenarioText(g: typeof generated extends fc.Arbitrary<infer T> ? T : never): string {
  return `name: law
seed: ${g.seed}
duration: 20s
resolution: 10ms
stream: { shards: 1 }
producers:
  - { name: p, instances: 8, rate: ${g.rate}/s, recordSize: ${g.size}, partitionKey: ${g.keys}, retry: { preset: ${g.retry} } }
slo:
  ${g.slo}
${g.allowLoss ? '  recordsLostFraction: "< 5% over run"\n' : ""}`;
}

describe("plan laws", () => {
  it("an answer loses no record unless loss is allowed; with loss allowed, a shard more loses no more", async () => {
    await fc.assert(
      fc.asyncProperty(generated, async (g) => {
        const scenario = scenarioOf(scenarioText(g));
        const evaluate = async (shards: number): Promise<Evaluation> =>
          evaluateCount(
            scenario,
            shards,
            ["a", "b"].map((seed) => ({
              summary: runInMemory({ ...scenario, seed, stream: { ...scenario.stream, shards } }).summary,
              monthlyCost: shards,
            })),
          );
        const result = await searchShards(evaluate, awsSizing(scenario).shards, 12);
        if (result.chosen === undefined) return;
        const chosen = result.evaluations.find((e) => e.shards === result.chosen)!;
        if (!g.allowLoss) expect(chosen.lostFraction).toBe(0);
        else {
          const more = await evaluate(result.chosen + 1);
          expect(more.lostFraction).toBeLessThanOrEqual(chosen.lostFraction + 0.005);
        }
      }),
      { seed: propertySeed("plan laws"), numRuns: runs(10, 200) },
    );
  }, 600_000);

  it("AWS's formula equals an independent reading of the guide", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 0, max: 5 }),
        (rate, bytes, consumers) => {
          const readers = Array.from({ length: consumers }, (_, i) => `{ name: c${i}, type: polling }`).join(
            ", ",
          );
          const s = scenarioOf(
            `name: f\nduration: 10s\nstream: { shards: 1 }\nproducers: [{ name: p, rate: ${rate}/s, recordSize: ${bytes}B }]\n${consumers > 0 ? `consumers: [${readers}]\n` : ""}`,
          );
          const kb = Math.ceil(bytes / 1024);
          const write = kb * rate;
          const expected = Math.max(1, Math.ceil(Math.max(write / 1024, (write * consumers) / 2048)));
          expect(awsSizing(s).shards).toBe(expected);
        },
      ),
      { seed: propertySeed("aws formula"), numRuns: runs(200, 5000) },
    );
  });
});
