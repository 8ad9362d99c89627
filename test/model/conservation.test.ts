import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { US_PER_S } from "../../src/engine/time.js";
import { ConservationError } from "../../src/model/summarize.js";
import { simulate } from "../../src/simulate.js";
import { expectLedgerBalanced, runInMemory, scenarioOf } from "../laws.js";

const overCapacity = readFileSync("scenarios/over-capacity.yaml", "utf8");

describe("conservation: produced = accepted + in flight + dropped", () => {
  it.each(["record", "10ms", "1s"])(
    "balances at %s resolution, with heavy throttling and drops",
    (resolution) => {
      // The run ends 100 ms into a second: at 1 s cohorts a tick's attempts can all be over
      // before its end, but requests are on the wire just after a tick starts.
      const run = runInMemory(scenarioOf(overCapacity, { resolution, duration: "60100ms" }));
      expectLedgerBalanced(run);
      expect(run.summary.records.dropped).toBeGreaterThan(0);
      expect(run.summary.records.inFlightAtEnd).toBeGreaterThan(0);
      // The time series adds up to the totals too.
      const rows = run.sink.records("timeseries");
      const sum = (column: string) => rows.reduce((a, r) => a + Number(r[column]), 0);
      expect(sum("ProducedRecords")).toBe(run.summary.records.produced);
      expect(sum("AcceptedRecords")).toBe(run.summary.records.accepted);
      expect(sum("IncomingRecords")).toBe(run.summary.records.accepted); // one Kinesis record per user record (SDK)
      expect(sum("DroppedRecords")).toBe(run.summary.records.dropped);
      const last = rows.at(-1)!;
      expect(Number(last["BufferedRecords"]) + Number(last["InFlightRecords"])).toBe(
        run.summary.records.inFlightAtEnd,
      );
    },
  );

  it.each(["record", "10ms"])(
    "a run that loses records without counting them fails loudly (%s)",
    (resolution) => {
      const scenario = scenarioOf(overCapacity, { resolution, duration: "20s" });
      expect(() => simulate(scenario, { testHooks: { leakAtUs: 5 * US_PER_S } })).toThrow(ConservationError);
      expect(() => simulate(scenario, { testHooks: { leakAtUs: 5 * US_PER_S } })).toThrow(/unaccounted for/);
    },
  );

  it("records never retried are never dropped, and retries never exceed the policy's attempts", () => {
    const run = runInMemory(scenarioOf(overCapacity, { duration: "30s", "producers[0].retry": "none" }));
    expectLedgerBalanced(run);
    expect(run.summary.records.retried).toBe(0);
    // With one attempt every throttled record is dropped at once.
    expect(run.summary.records.dropped).toBe(run.summary.records.throttledAttempts);
  });
});
