// The README's example of kinesim/testing, run as a test: a true claim holds for every generated
// traffic, and a false one is caught with a shrunk counterexample that shows why it is false.

import { fc, runTraffic, throttledFraction, trafficArbitrary } from "kinesim/testing";
import { describe, expect, it } from "vitest";
import { propertySeed } from "./support/property.js";

describe("kinesim/testing", () => {
  it("16 shards keep throttling under 0.5% for 2,000–6,000 records/s with up to 5% on one key", () => {
    fc.assert(
      fc.property(trafficArbitrary({ minRate: 2000, maxRate: 6000, maxHotKeyShare: 0.05 }), (traffic) => {
        const summary = runTraffic(traffic, { shards: 16, duration: "20s" });
        return throttledFraction(summary) < 0.005;
      }),
      { numRuns: 8, seed: propertySeed("testing-api-true") },
    );
  });

  it("finds, and shrinks, the traffic that breaks a false claim", () => {
    // False: 20% of 8,000 records/s is 1,600/s on one key, over one shard's 1,000/s.
    const claim = fc.property(
      trafficArbitrary({ minRate: 2000, maxRate: 8000, maxHotKeyShare: 0.2 }),
      (traffic) => {
        const summary = runTraffic(traffic, { shards: 12, duration: "20s" });
        return throttledFraction(summary) < 0.001;
      },
    );
    const result = fc.check(claim, { numRuns: 30, seed: propertySeed("testing-api-false") });
    expect(result.failed).toBe(true);
    const [traffic] = result.counterexample!;
    console.log(`[testing-api] shrunk counterexample: ${JSON.stringify(traffic)}`);
    // Shrunk toward the edge of the claim: the shard that carries the hot key is offered its share
    // of the other keys plus the hot key — close enough to 1,000 records/s that batches and
    // Poisson arrivals push some seconds over; slightly less traffic no longer breaks the claim.
    const hotShard = (traffic.rate * (1 - traffic.hotKeyShare)) / 12 + traffic.rate * traffic.hotKeyShare;
    expect(hotShard).toBeGreaterThan(800);
    const smaller = { ...traffic, rate: Math.round(traffic.rate * 0.8) };
    expect(throttledFraction(runTraffic(smaller, { shards: 12, duration: "20s" }))).toBeLessThan(0.001);
  });
});
