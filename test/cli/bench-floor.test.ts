import { describe, expect, it } from "vitest";
import { runFloor } from "../../src/cli/bench-floor.js";

describe("the bench's floor kernel", () => {
  it("puts every record through and holds each shard to 1,000 records a second", () => {
    // One shard offered 3,000 records a second for 5 s: at most 1,000 a second get in.
    const over = runFloor({ seconds: 5, shards: 1, rate: 3000, keys: 100 });
    expect(over.records).toBeGreaterThan(14_000);
    expect(over.records).toBeLessThan(16_000);
    expect(over.accepted).toBeLessThanOrEqual(5 * 1000 + 1000);
    expect(over.accepted).toBeGreaterThanOrEqual(5 * 1000 - 1000);
    // Four shards offered 3,000 a second between them: under the limit, everything gets in.
    const under = runFloor({ seconds: 5, shards: 4, rate: 3000, keys: 10_000 });
    expect(under.accepted).toBe(under.records);
  });
});
