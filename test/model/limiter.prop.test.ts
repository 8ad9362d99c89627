import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { US_PER_S } from "../../src/engine/time.js";
import { createLimiter, type LimiterSettings } from "../../src/model/limiter.js";
import { expectLedgerBalanced, expectWriteLimitsHeld, runInMemory, scenarioOf } from "../laws.js";
import { propertySeed, runs } from "../support/property.js";

interface Offer {
  dtUs: number;
  count: number;
  bytesPerRecord: number;
}

const offers = fc.array(
  fc.record({
    dtUs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 1, max: 1_500_000 })),
    count: fc.integer({ min: 1, max: 700 }),
    bytesPerRecord: fc.integer({ min: 1, max: 20_000 }),
  }),
  { minLength: 1, maxLength: 150 },
);

const limits = fc.record({
  recordsPerSecond: fc.integer({ min: 1, max: 2000 }),
  bytesPerSecond: fc.integer({ min: 1000, max: 3 * 1024 * 1024 }),
  burstUs: fc.integer({ min: 1000, max: 3 * US_PER_S }),
});

function replay(
  settings: LimiterSettings,
  sequence: Offer[],
): { t: number; records: number; bytes: number }[] {
  const limiter = createLimiter(settings);
  const accepted: { t: number; records: number; bytes: number }[] = [];
  let t = 0;
  for (const offer of sequence) {
    t += offer.dtUs;
    const bytes = offer.count * offer.bytesPerRecord;
    const k = limiter.admit(t, offer.count, bytes);
    expect(k).toBeGreaterThanOrEqual(0);
    expect(k).toBeLessThanOrEqual(offer.count);
    accepted.push({
      t,
      records: k,
      bytes: k === offer.count ? bytes : Math.round((bytes * k) / offer.count),
    });
  }
  return accepted;
}

describe("write limiters", () => {
  it("window: never more than the limits in any calendar second", () => {
    fc.assert(
      fc.property(limits, offers, (l, sequence) => {
        const perSecond = new Map<number, { records: number; bytes: number }>();
        for (const a of replay({ policy: "window", ...l, largeRecordTankBytes: 0 }, sequence)) {
          const s = Math.floor(a.t / US_PER_S);
          const w = perSecond.get(s) ?? { records: 0, bytes: 0 };
          w.records += a.records;
          w.bytes += a.bytes;
          perSecond.set(s, w);
        }
        for (const w of perSecond.values()) {
          expect(w.records).toBeLessThanOrEqual(l.recordsPerSecond);
          expect(w.bytes).toBeLessThanOrEqual(l.bytesPerSecond);
        }
      }),
      { numRuns: runs(300), seed: propertySeed("window-limiter") },
    );
  });

  it("token bucket: never more than burst + rate × t in any interval", () => {
    fc.assert(
      fc.property(limits, offers, (l, sequence) => {
        const accepted = replay({ policy: "token-bucket", ...l, largeRecordTankBytes: 0 }, sequence);
        const burstS = l.burstUs / US_PER_S;
        for (let i = 0; i < accepted.length; i++) {
          let records = 0;
          let bytes = 0;
          for (let j = i; j < accepted.length; j++) {
            records += accepted[j]!.records;
            bytes += accepted[j]!.bytes;
            const span = (accepted[j]!.t - accepted[i]!.t) / US_PER_S;
            expect(records).toBeLessThanOrEqual(l.recordsPerSecond * (burstS + span) + 1e-9);
            expect(bytes).toBeLessThanOrEqual(l.bytesPerSecond * (burstS + span) + 1e-9);
          }
        }
      }),
      { numRuns: runs(200), seed: propertySeed("token-bucket-limiter") },
    );
  });

  it("window: a full second of demand is accepted up to exactly the limit", () => {
    const limiter = createLimiter({
      policy: "window",
      recordsPerSecond: 1000,
      bytesPerSecond: 1024 * 1024,
      burstUs: US_PER_S,
      largeRecordTankBytes: 0,
    });
    expect(limiter.admit(0, 600, 600 * 100)).toBe(600);
    expect(limiter.admit(500_000, 600, 600 * 100)).toBe(400);
    expect(limiter.admit(999_999, 1, 100)).toBe(0);
    expect(limiter.admit(1_000_000, 1, 100)).toBe(1); // a new calendar second
    // Bytes bind first: 1 MiB of 2 KiB records is 512 records.
    expect(limiter.admit(2_000_000, 1000, 1000 * 2048)).toBe(512);
  });

  it("large records draw on a 10 MiB tank that refills at 1 MiB/s", () => {
    const MiB = 1024 * 1024;
    const limiter = createLimiter({
      policy: "window",
      recordsPerSecond: 1000,
      bytesPerSecond: MiB,
      burstUs: US_PER_S,
      largeRecordTankBytes: 10 * MiB,
    });
    expect(limiter.admit(0, 5, 5 * 2 * MiB)).toBe(5); // 10 MiB at once
    expect(limiter.admit(10, 1, 2 * MiB)).toBe(0); // tank empty
    expect(limiter.admit(2 * US_PER_S + 10, 1, 2 * MiB)).toBe(1); // 2 s refilled 2 MiB
  });
});

const limitScenario = (
  shards: number,
  rate: number,
  policy: string,
  resolution: string,
  sizeBytes: number,
) => `
name: limits
seed: 5
duration: 20s
resolution: ${resolution}
stream: { shards: ${shards}, limiter: { policy: ${policy}, burst: 500ms } }
producers:
  - name: p
    instances: 4
    rate: { profile: pulse, base: ${rate}/s, peak: ${rate * 2}/s, every: 3s, width: 700ms }
    recordSize: ${sizeBytes}B
    retry: { preset: kpl }
`;

describe("write limits in whole runs", () => {
  it("no shard ever accepts more than its limit, whatever the traffic, shard count, policy and resolution", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 200, max: 6000 }),
        fc.constantFrom("window", "token-bucket"),
        fc.constantFrom("record", "10ms", "100ms"),
        fc.integer({ min: 10, max: 4000 }),
        (shards, rate, policy, resolution, size) => {
          const overrides: Record<string, string> =
            policy === "token-bucket" ? { metricsInterval: "100ms" } : {};
          const run = runInMemory(
            scenarioOf(limitScenario(shards, rate, policy, resolution, size), overrides),
          );
          expectWriteLimitsHeld(run);
          expectLedgerBalanced(run);
        },
      ),
      { numRuns: runs(12, 200), seed: propertySeed("limits-in-runs") },
    );
  });

  it("over capacity: 2 shards offered 3,000 records/s of 1 KiB accept at most 1,000 records per shard-second", () => {
    const text = `
name: over
duration: 30s
resolution: record
stream: { shards: 2 }
producers: [{ name: p, instances: 10, rate: 3000/s, recordSize: 1KiB, partitionKey: { dist: random, keyLength: 1 } }]
`;
    const run = runInMemory(scenarioOf(text));
    expectWriteLimitsHeld(run);
    const rows = run.sink.records("shards");
    const busy = rows.filter((r) => Number(r["Time"]) >= 5);
    // Byte-bound: 1 KiB + 1-byte key, so 1 MiB/s holds 1023 records; records bind at 1000.
    expect(Math.max(...busy.map((r) => Number(r["IncomingRecords"])))).toBe(1000);
    expect(run.summary.throttle.firstAttemptFraction).toBeGreaterThan(0.2);
  });
});
