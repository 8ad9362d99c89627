// The laws over generated scenarios: for any traffic, keys, shard count, limiter, resolution,
// consumers and reshards, the books balance (producers and every consumer), no shard accepts more
// than its limit in any window, the open shards tile the hash space, and (every tenth case) the
// same seed gives the same bytes. `npm test` runs a few dozen; `npm run test:deep` 10,000.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  expectLedgerBalanced,
  expectSameSeedSameOutput,
  expectWriteLimitsHeld,
  runInMemory,
  scenarioOf,
} from "./laws.js";
import { propertySeed, runs } from "./support/property.js";

const MAX_HASH = 2n ** 128n - 1n;
/** test:deep's 10,000 cases take about a quarter of an hour on 2 cores. */
const DEEP_TIMEOUT_MS = process.env["KINESIM_DEEP"] ? 3_600_000 : undefined;

const generated = fc.record({
  shards: fc.integer({ min: 1, max: 6 }),
  rate: fc.integer({ min: 10, max: 4000 }),
  recordSize: fc.constantFrom("100B", "1KiB", "20KiB", "{ dist: lognormal, median: 500B, p99: 8KiB }"),
  keys: fc.constantFrom(
    "{ dist: random }",
    "{ dist: uniform, keys: 7 }",
    "{ dist: uniform, keys: 500 }",
    "{ dist: zipf, keys: 1000, exponent: 1.2 }",
    "{ dist: uniform, keys: 100, hotKeys: [{ key: hot, share: 40% }] }",
  ),
  api: fc.constantFrom("PutRecords", "PutRecord"),
  instances: fc.integer({ min: 1, max: 12 }),
  retry: fc.constantFrom("sdk-v3-standard", "kpl", "none"),
  limiter: fc.constantFrom("{ policy: window }", "{ policy: token-bucket, burst: 1s }"),
  resolution: fc.constantFrom("record", "10ms", "100ms"),
  consumer: fc.constantFrom(
    "",
    "{ name: c, type: polling }",
    "{ name: c, type: efo }",
    "{ name: c, type: kcl, workers: 2, retrieval: polling }",
    "{ name: c, type: lambda, batchSize: 100 }",
  ),
  split: fc.boolean(),
  seconds: fc.integer({ min: 3, max: 20 }),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
});

type Generated = typeof generated extends fc.Arbitrary<infer T> ? T : never;

function text(g: Generated): string {
  return `name: law
seed: ${g.seed}
duration: ${g.seconds}s
resolution: ${g.resolution}
stream: { shards: ${g.shards}, limiter: ${g.limiter} }
producers:
  - name: p
    instances: ${g.instances}
    rate: ${g.rate}/s
    recordSize: ${g.recordSize}
    partitionKey: ${g.keys}
    api: ${g.api}
    retry: { preset: ${g.retry} }
${g.consumer ? `consumers: [${g.consumer}]\n` : ""}${g.split ? `events: [{ at: ${Math.floor(g.seconds / 2)}s, action: SplitShard, shard: 0 }]\n` : ""}`;
}

describe("laws over generated scenarios", () => {
  it(
    "balance their books, hold every limit, tile the hash space and repeat exactly",
    () => {
      let cases = 0;
      fc.assert(
        fc.property(generated, (g) => {
          const scenario = scenarioOf(text(g));
          const run = runInMemory(scenario);
          expectLedgerBalanced(run);
          for (const c of run.summary.consumers) expect(c.ledger.balanced, c.name).toBe(true);
          if (g.limiter.includes("window")) expectWriteLimitsHeld(run);
          // The open shards cover the hash space exactly once, in order.
          const open = run.run.stream.open;
          expect(open[0]!.range.start).toBe(0n);
          for (let i = 1; i < open.length; i++)
            expect(open[i]!.range.start).toBe(open[i - 1]!.range.end + 1n);
          expect(open.at(-1)!.range.end).toBe(MAX_HASH);
          if (cases % 10 === 0) expectSameSeedSameOutput(scenario);
          cases++;
        }),
        { seed: propertySeed("laws"), numRuns: runs(30, 10_000) },
      );
      console.log(`[laws] ${cases} generated scenarios obeyed every law`);
      expect(cases).toBeGreaterThanOrEqual(30);
    },
    DEEP_TIMEOUT_MS,
  );
});
