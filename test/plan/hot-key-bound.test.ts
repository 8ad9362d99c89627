import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KINESIS } from "../../src/data/kinesis-limits.js";
import { compileDistribution } from "../../src/engine/distributions.js";
import { KeySpace } from "../../src/model/keys.js";
import { rateFunction } from "../../src/model/traffic.js";
import { hotKeyBound, peakRate } from "../../src/plan/plan.js";
import { loadScenario } from "../../src/scenario/load.js";
import type { Scenario } from "../../src/scenario/schema.js";
import { propertySeed } from "../support/property.js";

/** The check as it was written first: every key's records and bytes added up by name. */
function everyKeyByName(scenario: Scenario): string | undefined {
  const byKey = new Map<string, { records: number; bytes: number }>();
  for (const p of scenario.producers.filter((x) => x.target === scenario.stream.name)) {
    const keys = new KeySpace(p.partitionKey);
    const peak = peakRate(
      rateFunction(p.rate, p.start, p.stop ?? scenario.duration, scenario.duration),
      scenario.duration,
    );
    const size = compileDistribution(p.recordSize).mean;
    keys.names.forEach((name, i) => {
      const records = peak * keys.probabilities[i]!;
      const k = byKey.get(name) ?? { records: 0, bytes: 0 };
      k.records += records;
      k.bytes += records * (size + keys.keyBytes[i]!);
      byKey.set(name, k);
    });
  }
  const recordLimit = KINESIS.shardWriteRecordsPerSecond.value;
  const byteLimit = KINESIS.shardWriteBytesPerSecond.value;
  let worst: { name: string; records: number } | undefined;
  let worstLoad = 0;
  for (const [name, k] of byKey) {
    const load = Math.max(k.records / recordLimit, k.bytes / byteLimit);
    if (load > 1 && (!worst || load > worstLoad)) {
      worst = { name, records: k.records };
      worstLoad = load;
    }
  }
  return worst && `${worst.name} ${Math.round(worst.records)}`;
}

/** The key and its records/s that hotKeyBound's message names. */
function named(message: string | undefined): string | undefined {
  const m = message?.match(/^partition key "(.*)" alone writes ([\d,]+) records\/s/s);
  return m ? `${m[1]} ${m[2]!.replaceAll(",", "")}` : undefined;
}

/** A producer's YAML: keys that share names with the other producers' and its own hot keys. */
const producer = fc.record({
  rate: fc.integer({ min: 100, max: 6000 }),
  size: fc.constantFrom("1KiB", "10KiB", "100B"),
  keys: fc.oneof(
    fc.record({
      dist: fc.constant("uniform"),
      keys: fc.integer({ min: 1, max: 30 }),
      prefix: fc.constantFrom("k-", ""),
    }),
    fc.record({
      dist: fc.constant("zipf"),
      keys: fc.integer({ min: 1, max: 30 }),
      prefix: fc.constantFrom("k-", ""),
    }),
    fc.record({
      dist: fc.constant("list"),
      keys: fc.uniqueArray(fc.constantFrom("k-1", "k-2", "a", "b", "3"), { minLength: 1 }),
    }),
  ),
  hot: fc.uniqueArray(fc.constantFrom("k-0", "k-1", "k-2", "1", "a", "z"), { maxLength: 2 }),
  share: fc.constantFrom(0.2, 0.4),
});

type Producer = typeof producer extends fc.Arbitrary<infer T> ? T : never;

function scenarioOf(producers: Producer[]): Scenario {
  const lines = ["name: t", "duration: 10s", "stream: { shards: 4 }", "producers:"];
  producers.forEach((p, n) => {
    const { dist, keys, prefix } = p.keys as { dist: string; keys: number | string[]; prefix?: string };
    const hot =
      p.hot.length > 0
        ? `, hotKeys: [${p.hot.map((k) => `{ key: "${k}", share: ${p.share} }`).join(", ")}]`
        : "";
    const spec =
      dist === "list"
        ? `{ dist: list, keys: [${(keys as string[]).map((k: string) => `"${k}"`).join(", ")}]${hot} }`
        : `{ dist: ${dist}, keys: ${keys}, prefix: "${prefix}"${hot} }`;
    lines.push(`  - { name: p${n}, rate: ${p.rate}/s, recordSize: ${p.size}, partitionKey: ${spec} }`);
  });
  return loadScenario(`${lines.join("\n")}\n`, { file: "t.yaml" }).scenario;
}

describe("a key no shard count can help", () => {
  it("is the one that adding up every key by name finds, with the same records/s", () => {
    let found = 0;
    fc.assert(
      fc.property(fc.array(producer, { minLength: 1, maxLength: 3 }), (producers) => {
        const scenario = scenarioOf(producers);
        const expected = everyKeyByName(scenario);
        if (expected) found++;
        expect(named(hotKeyBound(scenario))).toBe(expected);
      }),
      { numRuns: 300, seed: propertySeed("hot-key-bound") },
    );
    // The property means something only if some scenarios have such a key.
    expect(found).toBeGreaterThan(20);
  });

  it("adds a hot key's share to the generated key of the same name (a counterexample the property found)", () => {
    // Neither share alone is over the limit: 2,552 × 0.2 and 2,552 × 0.8 × (1/2)/H₄ records/s.
    const scenario = scenarioOf([
      { rate: 2552, size: "1KiB", keys: { dist: "zipf", keys: 4, prefix: "k-" }, hot: ["k-2"], share: 0.2 },
    ]);
    expect(named(hotKeyBound(scenario))).toBe("k-2 1000");
  });

  it("checks a million keys without adding up each by name", () => {
    const yaml = `name: t
duration: 10s
stream: { shards: 4 }
producers:
  - name: p
    rate: 5000/s
    partitionKey: { dist: uniform, keys: 1000000, prefix: user-, hotKeys: [{ key: user-7, share: 0.4 }] }
`;
    const { scenario } = loadScenario(yaml, { file: "t.yaml" });
    // The hot key is also a generated key: both of its shares count (0.4 + 0.6 / 1,000,000).
    expect(named(hotKeyBound(scenario))).toBe("user-7 2000");
    expect(named(hotKeyBound(scenario))).toBe(everyKeyByName(scenario));
  });
});
