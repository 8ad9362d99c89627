// The summary's hottest shard is the one sent the most records, and its share is a share of
// records (first attempts): a throttled shard's retries do not inflate it. (It once counted every
// attempt: a 30% hot key on 8 shards, 38.75% of the records, was reported as 57.6%.)

import { describe, expect, it } from "vitest";
import { runInMemory, scenarioOf } from "../laws.js";

const yaml = `
name: hot
duration: 1m
stream: { shards: 8 }
producers:
  - name: p
    instances: 10
    rate: 4000/s
    recordSize: 1KiB
    partitionKey: { dist: uniform, keys: 10000, hotKeys: [{ key: hot, share: 30% }] }
`;

describe("the hottest shard", () => {
  it.each(["record", "10ms"])(
    "takes 30% + 70%/8 of the records when a hot key takes 30% of them (%s)",
    (resolution) => {
      const s = runInMemory(scenarioOf(yaml, { resolution })).summary;
      // The hot shard is far over its limit: most of what it is sent is retried.
      expect(s.throttle.firstAttemptFraction).toBeGreaterThan(0.1);
      expect(s.hottestShard.share).toBeGreaterThan(0.3 + 0.7 / 8 - 0.01);
      expect(s.hottestShard.share).toBeLessThan(0.3 + 0.7 / 8 + 0.01);
      expect(s.hottestShard.bytesShare).toBeCloseTo(s.hottestShard.share, 2);
      expect(s.hottestShard.retriedAttempts).toBeGreaterThan(0);
    },
  );
});
