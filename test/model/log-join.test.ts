// At cohort resolution a shard's log joins the cohorts it accepts within one tick into one entry
// while no reader has taken any of it, so consumers handle a tick's records of a shard once
// however many requests brought them. The joined entry keeps every sequence number, the span its
// records arrived over and the span they were created over; what a user reads of a run — records
// processed, read delay, end-to-end latency — stays what separate entries give.

import { describe, expect, it } from "vitest";
import type { Spread } from "../../src/metrics/latency-histogram.js";
import { IntervalHistogram, NO_SPREAD } from "../../src/metrics/latency-histogram.js";
import { NULL_SINK } from "../../src/metrics/sink.js";
import { buildRun } from "../../src/model/build.js";
import { type Cursor, type LogEntry, ShardLog } from "../../src/model/shard-log.js";
import { summarize } from "../../src/model/summarize.js";
import { loadScenario } from "../../src/scenario/load.js";

const MS = 1000;
const TICK = 1000 * MS;

class TestCursor implements Cursor {
  constructor(
    public readSeq = 0,
    readonly keepsArrivals = false,
  ) {}
  retainFromSeq(): number {
    return this.readSeq;
  }
  expire(_records: number, toSeq: number): void {
    this.readSeq = toSeq;
  }
}

/** A log of a 1 s tick with one cursor at its start. */
function joiningLog(cursor = new TestCursor()): ShardLog {
  const log = new ShardLog(0);
  log.attach(cursor);
  log.joinCohortsWithin(TICK);
  return log;
}

/** A cohort of mixed keys: `count` records of 1,000 bytes created over `spanUs` before `originUs`. */
function appendCohort(log: ShardLog, count: number, arrivalUs: number, originUs: number, spanUs: number) {
  const spread: Spread = spanUs > 0 ? { lo: 0, hi: spanUs } : NO_SPREAD;
  log.append(count, count * 1000, arrivalUs, originUs, spread, -1, -1);
}

function entries(log: ShardLog, nowUs: number): LogEntry[] {
  return log.read(0, nowUs, 1e9, 1e15).pieces;
}

describe("a shard's log joins a tick's cohorts into one entry", () => {
  it("while unread: every sequence number, the arrival span and the creation span are kept", () => {
    const log = joiningLog();
    // Three requests, each with the records created over the 100 ms before it was sent, landing
    // 35 ms after.
    appendCohort(log, 30, 135 * MS, 100 * MS, 100 * MS);
    appendCohort(log, 50, 235 * MS, 200 * MS, 100 * MS);
    appendCohort(log, 20, 335 * MS, 300 * MS, 100 * MS);
    const [entry, ...rest] = entries(log, 400 * MS);
    expect(rest).toHaveLength(0);
    expect(entry).toMatchObject({ firstSeq: 0, count: 100, kinesisRecords: 100, bytes: 100_000 });
    expect(log.nextSeq).toBe(100);
    // Arrived over [135, 335] ms: readable only once the last of them arrived.
    expect(entry!.arrivalUs).toBe(335 * MS);
    expect(entry!.arrivalSpreadUs).toBe(200 * MS);
    expect(log.readableAt(0)).toBe(335 * MS);
    // Created as one uniform span with the three cohorts' mean and variance.
    const oldest = entry!.originUs - entry!.spread.hi;
    const newest = entry!.originUs - entry!.spread.lo;
    const spans: [number, number, number][] = [
      [30, 0, 100],
      [50, 100, 200],
      [20, 200, 300],
    ];
    const mean = spans.reduce((m, [n, a, b]) => m + (n * (a + b)) / 2, 0) / 100;
    const variance =
      spans.reduce((v, [n, a, b]) => v + n * ((b - a) ** 2 / 12 + ((a + b) / 2 - mean) ** 2), 0) / 100;
    expect((oldest + newest) / 2 / MS).toBeCloseTo(mean, 6);
    expect(((newest - oldest) / MS) ** 2 / 12).toBeCloseTo(variance, 3);
    expect(newest).toBeLessThanOrEqual(entry!.arrivalUs);
  });

  it("not across a tick's end, nor once a reader has taken the last entry", () => {
    const cursor = new TestCursor();
    const log = joiningLog(cursor);
    appendCohort(log, 10, 935 * MS, 900 * MS, 100 * MS);
    appendCohort(log, 10, 1135 * MS, 1100 * MS, 100 * MS); // the next tick
    appendCohort(log, 10, 1235 * MS, 1200 * MS, 100 * MS); // joins the one before
    expect(entries(log, 1300 * MS).map((e) => e.count)).toEqual([10, 20]);
    cursor.readSeq = 25; // a reader took part of the second entry
    appendCohort(log, 10, 1335 * MS, 1300 * MS, 100 * MS);
    expect(entries(log, 1400 * MS).map((e) => [e.firstSeq, e.count])).toEqual([
      [0, 10],
      [10, 20],
      [30, 10],
    ]);
  });

  it("changes no spread another entry shares: a request's parts on every shard carry one", () => {
    // One request's parts land on two shards with the same spread object; more requests join the
    // first shard's entry, twice (the second join changes the spread the first join made).
    const shared: Spread = { lo: 0, hi: 100 * MS };
    const a = joiningLog();
    const b = joiningLog();
    a.append(10, 10_000, 135 * MS, 100 * MS, shared, -1, -1);
    b.append(10, 10_000, 135 * MS, 100 * MS, shared, -1, -1);
    appendCohort(a, 10, 235 * MS, 200 * MS, 100 * MS);
    const afterOne = { ...entries(a, 300 * MS)[0]!.spread };
    appendCohort(a, 10, 335 * MS, 300 * MS, 100 * MS);
    expect(shared).toEqual({ lo: 0, hi: 100 * MS });
    expect(entries(b, 400 * MS)[0]!.spread).toEqual({ lo: 0, hi: 100 * MS });
    const [joined] = entries(a, 400 * MS);
    expect(joined!.count).toBe(30);
    expect(joined!.spread).not.toBe(shared);
    // Three spans of 100 ms, 100 ms apart: wider than two.
    expect(joined!.spread.hi - joined!.spread.lo).toBeGreaterThan(afterOne.hi - afterOne.lo);
  });

  it("not when one span would claim records created after they arrived (a retry's old cohort)", () => {
    const log = joiningLog();
    appendCohort(log, 10, 135 * MS, 100 * MS, 100 * MS);
    // Records sent again, created 2 s earlier: one span of both would reach past 235 ms.
    log.append(10, 10_000, 235 * MS, -1900 * MS, { lo: 0, hi: 100 * MS }, -1, -1);
    expect(entries(log, 300 * MS)).toHaveLength(2);
  });

  it("not for records of one key, aggregated records, sparse clients' batches, or off cohort resolution", () => {
    const spread: Spread = { lo: 0, hi: 100 * MS };
    const at = 235 * MS;
    const created = 200 * MS;
    const cases: [string, (log: ShardLog) => void][] = [
      ["a named key", (log) => log.append(5, 5000, at, created, spread, 7, 0.25)],
      ["a random key's position", (log) => log.append(1, 1000, at, created, spread, -1, 0.5)],
      ["aggregated records", (log) => log.append(50, 50_000, at, created, spread, -1, -1, 2)],
      [
        "openers of sparse batches",
        (log) => log.append(5, 5000, at, created, { ...spread, atHi: 0.5 }, -1, -1),
      ],
    ];
    const first = (log: ShardLog) => appendCohort(log, 10, 135 * MS, 100 * MS, 100 * MS);
    // The same pair as cohorts of mixed keys joins.
    const plain = joiningLog();
    first(plain);
    appendCohort(plain, 10, at, created, 100 * MS);
    expect(entries(plain, 300 * MS)).toHaveLength(1);
    for (const [what, append] of cases) {
      const log = joiningLog();
      first(log);
      append(log);
      expect(entries(log, 300 * MS), what).toHaveLength(2);
    }
    const recordResolution = new ShardLog(0);
    recordResolution.attach(new TestCursor());
    first(recordResolution);
    appendCohort(recordResolution, 10, at, created, 100 * MS);
    expect(entries(recordResolution, 300 * MS)).toHaveLength(2);
    // A service answering clients' GetRecords keeps each request's records as they arrived.
    const served = joiningLog(new TestCursor(0, true));
    first(served);
    appendCohort(served, 10, at, created, 100 * MS);
    expect(entries(served, 300 * MS)).toHaveLength(2);
  });

  it("records a joined entry's read delays over the span its records arrived in", () => {
    const h = new IntervalHistogram();
    // Read at 1.2 s; arrived uniformly over [0.2, 1.0] s: delays from 200 to 1,000 ms.
    h.recordRange(200 * MS, 1000, 0, 800 * MS);
    const total = h.total;
    expect(total.count).toBe(1000);
    expect(total.percentile(0)).toBeGreaterThanOrEqual(200 * MS);
    expect(total.max).toBeLessThanOrEqual(1000 * MS + 1);
    expect(total.mean).toBeGreaterThan(560 * MS);
    expect(total.mean).toBeLessThan(640 * MS);
  });
});

/** A pooled fleet at 1 s cohorts — ten or more requests per shard and tick — read by a Lambda
 *  mapping, a polling reader and a delivery stream. */
function pooledScenario(consumerStart = "0s") {
  const text = [
    "name: log-join",
    "seed: 5",
    "duration: 5m",
    "resolution: 1s",
    "stream: { name: s, shards: 4 }",
    "producers: [{ name: p, instances: 200, rate: 2000/s, recordSize: 1KiB }]",
    "consumers:",
    `  - { name: fn, type: lambda, batchSize: 500, parallelizationFactor: 2, start: ${consumerStart}, duration: { base: 40ms, perRecord: 0.1ms } }`,
    `  - { name: reader, type: polling, start: ${consumerStart} }`,
    "firehose: [{ name: f, source: { stream: s }, buffering: { size: 1MiB, interval: 60s }, destination: { type: s3 } }]",
  ].join("\n");
  return loadScenario(text, { file: "log-join.yaml" }).scenario;
}

function runOf(joined: boolean) {
  const scenario = pooledScenario();
  const run = buildRun(scenario, { sink: NULL_SINK });
  if (!joined) for (const stream of run.streams) stream.joinCohortsWithin(0);
  run.sim.run(scenario.duration);
  run.recorder.finish(scenario.duration);
  return summarize(scenario, run);
}

describe("joined entries leave what a run reports as separate entries give it", () => {
  it("a tick's requests become a few entries per shard", () => {
    const scenario = pooledScenario("2m");
    const count = (joined: boolean) => {
      const run = buildRun(scenario, { sink: NULL_SINK });
      if (!joined) for (const stream of run.streams) stream.joinCohortsWithin(0);
      // The consumers start at 2 min: until then the logs keep every entry.
      run.sim.run(60 * TICK);
      return run.stream.open.reduce((n, shard) => n + entries(shard.log, 60 * TICK).length, 0);
    };
    const separate = count(false);
    const joined = count(true);
    // 4 shards × 60 ticks: a few entries a shard and tick (the delivery stream's read each second
    // parts a tick's records, and so does a request whose records' span would not fit).
    expect(joined).toBeLessThanOrEqual(3 * 4 * 61);
    // The pooled groups' requests: hundreds a shard and tick.
    expect(separate).toBeGreaterThan(20 * joined);
  });

  it("the same records processed, and read delay and end-to-end latency within a few percent", () => {
    const separate = runOf(false);
    const joined = runOf(true);
    expect(joined.ledger.balanced).toBe(true);
    expect(joined.ledger.produced).toBe(separate.ledger.produced);
    for (const [i, s] of separate.consumers.entries()) {
      const j = joined.consumers[i]!;
      expect(j.name).toBe(s.name);
      expect(Math.abs(j.processed - s.processed) / s.processed, s.name).toBeLessThan(0.005);
      for (const key of ["readDelayMs", "endToEndLatencyMs"] as const) {
        for (const p of ["p50", "p90", "p99", "mean"] as const) {
          const relative = Math.abs(j[key][p] - s[key][p]) / s[key][p];
          expect(relative, `${s.name} ${key} ${p}: ${j[key][p]} against ${s[key][p]}`).toBeLessThan(0.05);
        }
      }
    }
  });
});

describe("a shard's log lets go of what every reader has passed", () => {
  it("keeps what a cursor may still read or go back to, drops the rest, and reads the same", () => {
    const reader = new TestCursor();
    // A consumer that may replay from its checkpoint (KCL, a Lambda mapping's batch in flight).
    const replaying = new TestCursor();
    let checkpoint = 0;
    replaying.retainFromSeq = () => Math.min(replaying.readSeq, checkpoint);
    const log = new ShardLog(0);
    log.attach(reader);
    log.attach(replaying);
    for (let i = 0; i < 100; i++) log.append(10, 10_000, i * MS, i * MS, NO_SPREAD, -1, -1);
    reader.readSeq = 600;
    replaying.readSeq = 800;
    checkpoint = 450;
    const before = log.read(450, 200 * MS, 1e9, 1e15);
    log.dropRead();
    // Entries up to sequence number 450 are behind every cursor and every checkpoint.
    expect(log.trimSeq).toBe(450);
    expect(log.heldRecords).toBe(550);
    expect(log.read(450, 200 * MS, 1e9, 1e15)).toEqual(before);
    checkpoint = 1000;
    reader.readSeq = 1000;
    replaying.readSeq = 1000;
    log.dropRead();
    expect(log.heldRecords).toBe(0);
    log.append(5, 5000, 150 * MS, 150 * MS, NO_SPREAD, -1, -1);
    expect(log.read(1000, 200 * MS, 1e9, 1e15).pieces.map((e) => [e.firstSeq, e.count])).toEqual([[1000, 5]]);
  });

  it("within a second in a run: a Lambda mapping that keeps up leaves seconds of records, not a minute's", () => {
    const text = [
      "name: log-drop",
      "duration: 90s",
      "metricsInterval: 60s",
      "resolution: 1s",
      "stream: { name: s, shards: 2 }",
      "producers: [{ name: p, instances: 4, rate: 400/s, recordSize: 1KiB }]",
      "consumers: [{ name: c, type: lambda, batchSize: 100, duration: { base: 20ms } }]",
    ].join("\n");
    const s = loadScenario(text, { file: "log-drop.yaml" }).scenario;
    const run = buildRun(s, { sink: NULL_SINK });
    let most = 0;
    // Just before the first minute's metrics row (and its trim), and every second of the run.
    for (let t = 1; t <= 90; t++) {
      run.sim.run(t * TICK - 1);
      most = Math.max(
        most,
        run.stream.shards.reduce((a, sh) => a + sh.log.heldRecords, 0),
      );
    }
    // 400 records/s: a minute's worth would be 24,000; read within about a second, kept about two.
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThan(400 * 3);
  });
});
