// SLOs over windows: a throttle or loss SLO holds in every minute by default, so a storm that the
// whole run's mean hides is what the verdict sees; "over run" and "over 5m" choose other windows.
// The worst window is checked against the time series, minute by minute.

import { describe, expect, it } from "vitest";
import { runInMemory, scenarioOf } from "../laws.js";

// 2,400 records/s of 2 KiB on 6 shards (~800 KiB/s a shard) and a 3-minute storm of 50 KB bundles.
const yaml = `
name: storm
duration: 10m
resolution: record
stream: { shards: 6 }
producers:
  - name: devices
    instances: 20
    rate: 2400/s
    recordSize: 2KiB
  - name: storm
    instances: 4
    rate: { profile: steps, steps: [{ at: 0s, rate: 0/s }, { at: 4m, rate: 40/s }, { at: 7m, rate: 0/s }] }
    recordSize: 50KB
slo:
  writeThrottledFraction: "< 0.1%"
  recordsLostFraction: "< 1% over run"
  putLatencyP99: "< 2s over 5m"
`;

describe("SLO windows", () => {
  const run = runInMemory(scenarioOf(yaml));
  const s = run.summary;
  const verdict = (name: string) => s.slo.find((v) => v.name === name)!;

  it("judge a share by its worst minute, and say when it was", () => {
    const v = verdict("writeThrottledFraction");
    expect(v.over).toBe("1m");
    expect(v.wholeRun).toBeCloseTo(s.throttle.firstAttemptFraction, 6);
    expect(v.actual!).toBeGreaterThan(2 * v.wholeRun!);
    expect(v.worstAtSeconds).toBeGreaterThanOrEqual(240);
    expect(v.worstAtSeconds).toBeLessThan(420);
    // The same worst minute, from the time series.
    const rows = run.sink.records("timeseries");
    let worst = 0;
    for (let m = 0; m < 10; m++) {
      const minute = rows.filter((r) => Number(r["Time"]) >= 60 * m && Number(r["Time"]) < 60 * (m + 1));
      const first = minute.reduce((a, r) => a + Number(r["FirstAttemptRecords"]), 0);
      const throttled = minute.reduce((a, r) => a + Number(r["FirstAttemptThrottledRecords"]), 0);
      worst = Math.max(worst, throttled / first);
    }
    expect(v.actual!).toBeCloseTo(worst, 6);
  });

  it("take the whole run with `over run` and five minutes with `over 5m`", () => {
    const lost = verdict("recordsLostFraction");
    expect(lost.over).toBe("run");
    expect(lost.actual).toBeCloseTo(s.loss.lostFraction, 6);
    const p99 = verdict("putLatencyP99");
    expect(p99.over).toBe("5m");
    expect(s.sloWindows.map((w) => w.overSeconds).sort()).toEqual([300, 60]);
    expect(s.sloWindows.find((w) => w.overSeconds === 300)!.windows).toBe(2);
    expect(p99.actual!).toBeGreaterThanOrEqual(p99.wholeRun! * 0.999);
  });
});
