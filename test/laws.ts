// Laws every run must obey, shared by the component tests: the same seed gives the same output,
// the books balance, and no shard ever accepts more than its limit in any window.

import { expect } from "vitest";
import { US_PER_S } from "../src/engine/time.js";
import { type Cell, MemorySink } from "../src/metrics/sink.js";
import { loadScenario, type Override } from "../src/scenario/load.js";
import type { Scenario } from "../src/scenario/schema.js";
import { type RunResult, simulate } from "../src/simulate.js";

/** Loads scenario YAML text with overrides (throws on bad input). */
export function scenarioOf(text: string, overrides: Record<string, string | number> = {}): Scenario {
  const list: Override[] = Object.entries(overrides).map(([path, value]) => ({ path, value: String(value) }));
  return loadScenario(text, { file: "test.yaml", overrides: list }).scenario;
}

/** A run with its tables kept in memory. */
export interface MemoryRun extends RunResult {
  sink: MemorySink;
}

/** Runs a scenario keeping every table in memory. */
export function runInMemory(scenario: Scenario): MemoryRun {
  const sink = new MemorySink();
  return { ...simulate(scenario, { sink }), sink };
}

/** Law: the same scenario and seed give identical tables and summary. */
export function expectSameSeedSameOutput(scenario: Scenario): void {
  const a = runInMemory(scenario);
  const b = runInMemory(scenario);
  expect(JSON.stringify(b.summary)).toBe(JSON.stringify(a.summary));
  for (const [name, table] of a.sink.tables) expect(b.sink.tables.get(name)?.rows, name).toEqual(table.rows);
}

/** Law: produced = accepted + in flight + dropped + rejected, overall and per producer. */
export function expectLedgerBalanced(run: RunResult): void {
  const l = run.summary.ledger;
  expect(l.balanced).toBe(true);
  expect(l.produced).toBe(l.accepted + l.inFlight + l.dropped + l.rejected);
  for (const p of run.summary.producers)
    expect(p.produced).toBe(p.accepted + p.inFlightAtEnd + p.dropped + p.rejected);
}

/** Per-shard rows of shards.csv: shard id → [time (s), records, bytes][] in time order. */
function shardSeries(run: MemoryRun): Map<string, [number, number, number][]> {
  const series = new Map<string, [number, number, number][]>();
  for (const row of run.sink.records("shards")) {
    const id = String(row["ShardId"]);
    const list = series.get(id) ?? [];
    list.push([
      Number(row["Time"]),
      Number(row["IncomingRecords"] as Cell),
      Number(row["IncomingBytes"] as Cell),
    ]);
    series.set(id, list);
  }
  return series;
}

/**
 * Law: no shard accepts more than its limit. Under `window` (rows of 1 s), every calendar second
 * holds at most the per-second limits. Under `token-bucket`, any run of consecutive rows holds at
 * most burst + rate × its length.
 */
export function expectWriteLimitsHeld(run: MemoryRun): void {
  const s = run.scenario;
  const records = s.stream.writeRecordsPerSecond;
  const bytes = s.stream.writeBytesPerSecond;
  const intervalS = s.metricsInterval / US_PER_S;
  for (const [id, rows] of shardSeries(run)) {
    if (s.stream.limiter.policy === "window") {
      expect(intervalS, "window law needs 1 s rows").toBe(1);
      for (const [t, r, b] of rows) {
        expect(r, `${id} records in second ${t}`).toBeLessThanOrEqual(records);
        expect(b, `${id} bytes in second ${t}`).toBeLessThanOrEqual(bytes);
      }
    } else {
      const burstS = s.stream.limiter.burst / US_PER_S;
      for (let i = 0; i < rows.length; i++) {
        let sumR = 0;
        let sumB = 0;
        for (let j = i; j < rows.length; j++) {
          sumR += rows[j]![1];
          sumB += rows[j]![2];
          const span = rows[j]![0] + intervalS - rows[i]![0];
          // Every pair of rows is checked; expect is reached only by a pair over its bound (and
          // fails there, with this message), since calling it for each of the tens of thousands
          // of pairs a run has cost seconds.
          if (!(sumR <= records * (burstS + span) + 1e-6))
            expect(sumR, `${id} records in [${rows[i]![0]}, +${span}s)`).toBeLessThanOrEqual(
              records * (burstS + span) + 1e-6,
            );
          if (!(sumB <= bytes * (burstS + span) + 1e-6))
            expect(sumB, `${id} bytes in [${rows[i]![0]}, +${span}s)`).toBeLessThanOrEqual(
              bytes * (burstS + span) + 1e-6,
            );
        }
      }
    }
  }
}
