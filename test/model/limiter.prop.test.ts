import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { US_PER_S } from "../../src/engine/time.js";
import { createLimiter, type LimiterSettings, type WriteLimiter } from "../../src/model/limiter.js";
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

/** Requests' parts on one shard: records of their own sizes, each part landing `dtUs` after the
 *  one before; an `edge` part is remade, as it lands, to fill the room the limiter has left to
 *  within a byte or a record (see edgePart). */
const parts = fc.array(
  fc.record({
    dtUs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 1, max: 1_200_000 })),
    sizes: fc.array(
      fc.oneof(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 100_000, max: 2 * 1024 * 1024 })),
      { minLength: 1, maxLength: 60 },
    ),
    edge: fc.constantFrom(undefined, undefined, "bytes", "records"),
    delta: fc.constantFrom(-1, 0, 1),
  }),
  { minLength: 1, maxLength: 120 },
);

const anyLimiter = fc.record({
  policy: fc.constantFrom<"window" | "token-bucket">("window", "token-bucket"),
  // Whole numbers mostly; a rate such as 1000/min gives a fraction a second.
  recordsPerSecond: fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.double({ min: 1, max: 100, noNaN: true })),
  bytesPerSecond: fc.integer({ min: 1000, max: 2 * 1024 * 1024 }),
  burstUs: fc.integer({ min: 1000, max: 2 * US_PER_S }),
  largeRecordTankBytes: fc.constantFrom(0, 10 * 1024 * 1024),
});

/** A copy of a limiter in its current state (its tank too), to probe without changing it. */
function copyOf(limiter: WriteLimiter): WriteLimiter {
  const copy = Object.create(Object.getPrototypeOf(limiter)) as Record<string, unknown>;
  for (const [k, v] of Object.entries(limiter))
    copy[k] =
      k !== "settings" && v !== null && typeof v === "object"
        ? Object.assign(Object.create(Object.getPrototypeOf(v)), v)
        : v;
  return copy as unknown as WriteLimiter;
}

/** Records and bytes the limiter would take at `t`, one record at a time: the records of one
 *  byte it admits in turn, and the largest single record it admits (bisected). */
function roomOf(limiter: WriteLimiter, t: number): { records: number; bytes: number } {
  let records = 0;
  const probe = copyOf(limiter);
  while (records < 5000 && probe.admit(t, 1, 1) > 0) records++;
  let lo = 0;
  let hi = 64 * 1024 * 1024;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (copyOf(limiter).admit(t, 1, mid) > 0) lo = mid;
    else hi = mid - 1;
  }
  return { records, bytes: lo };
}

/** A part remade to end at the limiter's room: its sizes scaled to sum to the byte room ± 1, or
 *  as many one-byte records as the record room ± 1. */
function edgePart(
  sizes: number[],
  edge: "bytes" | "records",
  delta: number,
  limiter: WriteLimiter,
  t: number,
): number[] {
  const room = roomOf(limiter, t);
  if (edge === "records") return new Array<number>(Math.max(1, room.records + delta)).fill(1);
  const count = Math.max(1, Math.min(sizes.length, room.records || 1));
  const target = Math.max(count, room.bytes + delta);
  const weights = sizes.slice(0, count);
  const total = weights.reduce((a, b) => a + b, 0);
  const out = weights.map((w) => Math.max(1, Math.floor((w / total) * target)));
  out[count - 1]! += target - out.reduce((a, b) => a + b, 0);
  if (out[count - 1]! < 1) return [target];
  return out;
}

describe("a part admitted whole", () => {
  // Stream.writeWhole takes a request's part on a shard at once where a call per record would
  // have accepted every record: it must admit a part only when they would (and, for limits of
  // whole records, whenever they would), and leave the limiter as they would (its fields
  // compared), whatever the sizes, times and policy — at the edge of its room too.
  it("is admitted only when every record would be, one by one, and leaves the same limiter", () => {
    let wholes = 0;
    let refused = 0;
    let edges = 0;
    fc.assert(
      fc.property(anyLimiter, parts, (settings, sequence) => {
        const byRecord = createLimiter(settings);
        const byPart = createLimiter(settings);
        const wholeRecords = Number.isInteger(settings.recordsPerSecond);
        let t = 0;
        for (const part of sequence) {
          t += part.dtUs;
          const sizes = part.edge ? edgePart(part.sizes, part.edge, part.delta, byRecord, t) : part.sizes;
          if (part.edge) edges++;
          // A record is accepted when its call admits any of it (Stream.writeRecord).
          const oneByOne = sizes.map((b) => byRecord.admit(t, 1, b));
          const all = oneByOne.every((k) => k > 0);
          const sum = sizes.reduce((a, b) => a + b, 0);
          const whole = byPart.admitWhole(t, sizes.length, sum);
          if (whole) expect(all).toBe(true);
          if (wholeRecords) expect(whole).toBe(all);
          if (whole) wholes++;
          else refused++;
          if (!whole) expect(sizes.map((b) => byPart.admit(t, 1, b))).toEqual(oneByOne);
          expect(JSON.stringify(byPart)).toBe(JSON.stringify(byRecord));
        }
      }),
      { numRuns: runs(400), seed: propertySeed("admit-whole") },
    );
    // The generated parts reach both outcomes, and the edges of the room.
    expect(wholes).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
    expect(edges).toBeGreaterThan(100);
  });

  it("is refused, changing nothing, when the last record of a full second's part does not fit", () => {
    const settings: LimiterSettings = {
      policy: "window",
      recordsPerSecond: 1000,
      bytesPerSecond: 1024 * 1024,
      burstUs: US_PER_S,
      largeRecordTankBytes: 0,
    };
    const limiter = createLimiter(settings);
    expect(limiter.admitWhole(10, 999, 999 * 100)).toBe(true);
    expect(limiter.admitWhole(20, 2, 200)).toBe(false); // 1,001 records
    expect(limiter.admit(20, 1, 100)).toBe(1); // the 1,000th still fits
    expect(limiter.admitWhole(1_000_000, 1000, 1024 * 1024)).toBe(true); // a new second, exactly full
    expect(limiter.admitWhole(1_000_001, 1, 1)).toBe(false);
  });

  it("a token bucket refilled by a fraction of a byte takes only the whole bytes", () => {
    const limiter = createLimiter({
      policy: "token-bucket",
      recordsPerSecond: 1000,
      bytesPerSecond: 1000,
      burstUs: US_PER_S,
      largeRecordTankBytes: 0,
    });
    expect(limiter.admitWhole(0, 1, 1000)).toBe(true); // the bucket's 1,000 bytes
    // 1.5 ms later 1.5 bytes have come back: one whole byte.
    expect(limiter.admitWhole(1500, 1, 2)).toBe(false);
    expect(limiter.admit(1500, 1, 2)).toBe(0);
    expect(limiter.admitWhole(1500, 1, 1)).toBe(true);
  });
});
