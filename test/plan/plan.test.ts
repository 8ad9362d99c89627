// Shard planning: the search on a known curve (monotone or not), the UpdateShardCount schedule
// against AWS's rules, and `kinesim plan` on steady, hot-key and bursty traffic.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { planCommand, sloOverride } from "../../src/cli/plan.js";
import { checkSchedule } from "../../src/model/capacity.js";
import { evaluateCount } from "../../src/plan/evaluation.js";
import {
  closedForm,
  type Evaluation,
  guidedSearch,
  searchShards,
  updateSchedule,
} from "../../src/plan/plan.js";
import { replicationSeeds } from "../../src/plan/sweep.js";
import { loadScenario } from "../../src/scenario/load.js";
import { simulate } from "../../src/simulate.js";
import { scenarioOf } from "../laws.js";

const work = mkdtempSync(join(tmpdir(), "kinesim-plan-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const verdict =
  (pass: (n: number) => boolean) =>
  async (shards: number): Promise<Evaluation> => ({
    shards,
    seeds: 1,
    pass: pass(shards),
    failing: pass(shards) ? [] : ["x"],
    metrics: [],
    lostFraction: 0,
    backlogSeconds: 0,
    firstAttemptThrottled: 0,
    putLatencyP99Ms: 0,
    monthlyCost: shards,
  });

describe("the search", () => {
  it("finds the smallest passing count of a monotone curve from above or below, in few evaluations", async () => {
    for (const start of [1, 3, 7, 40, 200]) {
      const evaluate = vi.fn(verdict((n) => n >= 7));
      const r = await searchShards(evaluate, start, 1000);
      expect(r.chosen).toBe(7);
      expect(r.monotone).toBe(true);
      expect(r.scanned).toBe(false);
      expect(evaluate.mock.calls.length).toBeLessThanOrEqual(12);
    }
  });

  it("checks the count above its answer, and scans when what it saw is not monotone", async () => {
    // Passes from 6 on, except at 7: bisection settles on 6, the check of 7 fails, a scan follows.
    const evaluate = vi.fn(verdict((n) => n >= 6 && n !== 7));
    const r = await searchShards(evaluate, 4, 64);
    expect(r.scanned).toBe(true);
    expect(r.monotone).toBe(false);
    expect(r.chosen).toBe(6);
    expect(evaluate.mock.calls.map((c) => c[0]).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("starting next to a coarse pass's count, steps 1, 2, 4… away from it and finds the same count", async () => {
    for (const answer of [1, 5, 19, 60])
      for (const guess of [1, answer - 1, answer, answer + 1, answer + 5, 3 * answer]) {
        if (guess < 1) continue;
        const evaluate = vi.fn(verdict((n) => n >= answer));
        const r = await searchShards(evaluate, guess, 1000, { near: true });
        expect(r.chosen, `answer ${answer}, guess ${guess}`).toBe(answer);
        // A guess one off costs the count, its neighbour and the check above: three evaluations.
        const off = Math.abs(guess - answer);
        expect(evaluate.mock.calls.length).toBeLessThanOrEqual(3 + 2 * Math.ceil(Math.log2(off + 1)));
      }
  });

  it("takes a caller's estimate beside its start in the first round, and finds the same count", async () => {
    for (const answer of [3, 19, 40])
      for (const estimate of [1, answer - 2, answer, answer + 3]) {
        if (estimate < 1) continue;
        const evaluate = vi.fn(verdict((n) => n >= answer));
        const r = await searchShards(evaluate, 48, 1000, { width: 2, alongside: [estimate] });
        expect(r.chosen, `answer ${answer}, estimate ${estimate}`).toBe(answer);
        expect(evaluate.mock.calls.slice(0, 2).map((c) => c[0])).toEqual([48, estimate]);
      }
    // The busiest second's 16 beside the formula's 24, for an answer of 19: three rounds of two
    // where halving (24, 12) took four.
    const calls = (alongside?: number[]) => {
      const evaluate = vi.fn(verdict((n) => n >= 19));
      return searchShards(evaluate, 24, 1000, { width: 2, ...(alongside ? { alongside } : {}) }).then(
        () => evaluate.mock.calls.length,
      );
    };
    expect(await calls([16])).toBeLessThan(await calls());
  });

  it("with two counts a round, finds what one count a round finds, in fewer rounds", async () => {
    // Counts evaluated in the same round are asked for together, before any answer comes back.
    const rounds = (pass: (n: number) => boolean) => {
      let round = 0;
      let open = false;
      const calls: number[][] = [];
      const evaluate = async (n: number) => {
        if (!open) {
          open = true;
          calls.push([]);
          queueMicrotask(() => {
            open = false;
            round++;
          });
        }
        calls[round]!.push(n);
        return verdict(pass)(n);
      };
      return { evaluate, calls };
    };
    for (const answer of [1, 2, 5, 19, 60])
      for (const guess of [1, answer - 2, answer - 1, answer, answer + 1, answer + 2, answer + 7, 3 * answer])
        for (const near of [true, false]) {
          if (guess < 1) continue;
          const pass = (n: number) => n >= answer;
          const one = await searchShards(verdict(pass), guess, 1000, { near });
          const { evaluate, calls } = rounds(pass);
          const two = await searchShards(evaluate, guess, 1000, { near, width: 2 });
          const what = `answer ${answer}, guess ${guess}, near ${near}`;
          expect(two.chosen, what).toBe(answer);
          expect(two.chosen, what).toBe(one.chosen);
          expect(two.monotone, what).toBe(true);
          // The count above the answer is always checked.
          expect(
            two.evaluations.some((e) => e.shards === answer + 1),
            what,
          ).toBe(true);
          expect(
            calls.every((c) => c.length <= 2),
            what,
          ).toBe(true);
          // A coarse guess one below the answer, or up to two above, costs two rounds: ten runs
          // of five seeds, on two cores five rounds of runs where one count at a time took six
          // or nine.
          if (near && guess >= answer - 1 && guess <= answer + 2)
            expect(calls.length, what).toBeLessThanOrEqual(2);
          expect(calls.length, what).toBeLessThanOrEqual(one.evaluations.length);
        }
  });

  it("near a start well above the answer, jumps to a floor once the start and the count below pass", async () => {
    for (const answer of [1, 5, 19, 186])
      for (const guess of [answer, answer + 1, answer + 5, answer + 44, 3 * answer])
        for (const floor of [1, answer - 20, answer - 1, answer, answer + 2]) {
          if (floor < 1 || guess < 1) continue;
          const what = `answer ${answer}, guess ${guess}, floor ${floor}`;
          const evaluate = vi.fn(verdict((n) => n >= answer));
          const r = await searchShards(evaluate, guess, 1000, { near: true, width: 2, floor });
          expect(r.chosen, what).toBe(answer);
          expect(r.monotone, what).toBe(true);
          // A guess at the answer (the count below it fails) never goes to the floor.
          if (guess === answer)
            expect(
              evaluate.mock.calls.map((c) => c[0]),
              what,
            ).not.toContain(floor < answer - 2 ? floor : -1);
        }
    // 44 above the answer with the busiest second's count 20 below it: fewer evaluations than
    // stepping 2, 4, 8… down.
    const count = async (floor?: number) => {
      const evaluate = vi.fn(verdict((n) => n >= 186));
      await searchShards(evaluate, 230, 1000, { near: true, width: 2, ...(floor ? { floor } : {}) });
      return evaluate.mock.calls.length;
    };
    expect(await count(166)).toBeLessThan(await count());
  });

  it("reports no plan when nothing up to the maximum passes", async () => {
    const r = await searchShards(
      verdict(() => false),
      4,
      32,
    );
    expect(r.chosen).toBeUndefined();
    expect(Math.max(...r.evaluations.map((e) => e.shards))).toBe(32);
  });
});

describe("the guided search", () => {
  // Curves of a plan with two seeds: the coarse pass passes from `coarse` on, the first seed from
  // `first` on, the second seed and so every seed from `answer` on (first ≤ answer).
  const curves = (coarse: number, first: number, answer: number) => {
    const every = vi.fn(async (n: number) => ({ ...(await verdict((x) => x >= answer)(n)), seeds: 2 }));
    const one = vi.fn((seed: number, n: number) => verdict((x) => x >= (seed === 0 ? first : answer))(n));
    return {
      coarse: vi.fn(verdict((n) => n >= coarse)),
      oneSeed: { seeds: 2, evaluate: one },
      everySeed: every,
      one,
    };
  };

  it("answers what the search on every seed alone answers, wherever the cheaper searches point", async () => {
    for (const answer of [1, 4, 19, 60])
      for (const first of [1, answer - 3, answer - 1, answer])
        for (const coarse of [first, answer + 1, answer + 24, 3 * answer]) {
          if (first < 1 || coarse < 1) continue;
          const what = `answer ${answer}, first seed ${first}, coarse ${coarse}`;
          const e = curves(coarse, first, answer);
          const guided = await guidedSearch(e, 48, 1000, { width: 2 });
          const alone = await searchShards(
            verdict((n) => n >= answer),
            48,
            1000,
            { width: 2 },
          );
          expect(guided.chosen, what).toBe(alone.chosen);
          expect(guided.monotone, what).toBe(true);
          // The count above the answer is checked on every seed.
          expect(
            e.everySeed.mock.calls.map((c) => c[0]),
            what,
          ).toContain(answer + 1);
          // Counts the first seed failed are failed without running every seed.
          for (const [n] of e.everySeed.mock.calls) expect(n, what).toBeGreaterThanOrEqual(first);
          expect(guided.coarse?.chosen, what).toBe(coarse);
          // The first seed's search, then the second seed's where it failed at the first's answer.
          expect(
            guided.seeds?.map((x) => [x.seed, x.search.chosen]),
            what,
          ).toEqual(
            first === answer
              ? [[0, first]]
              : [
                  [0, first],
                  [1, answer],
                ],
          );
          // The second seed's own search runs no count at or below the first seed's answer.
          for (const [seed, n] of e.one.mock.calls) if (seed === 1) expect(n, what).toBeGreaterThan(first);
          // Every seed runs at the first seed's answer and next to the answer only: there, the
          // count above and the count below.
          expect(e.everySeed.mock.calls.length, what).toBeLessThanOrEqual(4);
          expect(new Set(e.everySeed.mock.calls.map((c) => c[0])).size, what).toBe(
            e.everySeed.mock.calls.length,
          );
          // Every count every seed ran on is among the evaluations the plan reports.
          const reported = guided.evaluations.map((x) => x.shards);
          for (const [n] of e.everySeed.mock.calls) expect(reported, what).toContain(n);
        }
  });

  it("runs every seed on three counts when the first seed agrees, however far above the coarse pass lands", async () => {
    // The coarse pass 24 above the answer (1 s cohorts pool clients into lumps that throttle).
    const e = curves(214, 190, 190);
    const guided = await guidedSearch(e, 235, 2000, { width: 2 });
    expect(guided.chosen).toBe(190);
    // 190, and 191 above it; 189 is the first seed's failure, taken as it was.
    expect(e.everySeed.mock.calls.map((c) => c[0]).sort((a, b) => a - b)).toEqual([190, 191]);
    expect(guided.evaluations.map((x) => [x.shards, x.pass])).toEqual([
      [189, false],
      [190, true],
      [191, true],
    ]);
    // Walking down from the coarse count on every seed ran every seed on ten passing counts.
    const everyFromCoarse = vi.fn(verdict((n) => n >= 190));
    await searchShards(everyFromCoarse, 214, 2000, { near: true, width: 2 });
    const passing = everyFromCoarse.mock.calls.filter((c) => c[0] >= 190).length;
    expect(passing).toBeGreaterThanOrEqual(8);
  });

  it("where the first seed passes nowhere, searches no further seed and runs every seed on nothing new", async () => {
    const e = curves(1, 2000, 2000);
    const guided = await guidedSearch(e, 48, 64, { width: 2 });
    expect(guided.chosen).toBeUndefined();
    expect(guided.seeds?.map((x) => x.seed)).toEqual([0]);
    expect(e.everySeed).not.toHaveBeenCalled();
  });

  it("does not scan where one seed's curve is not monotone: the search on every seed checks its own", async () => {
    // One seed passes at 17, fails at 18, passes from 19 on; every seed passes from 19 on.
    const first = vi.fn((_seed: number, n: number) => verdict((x) => x === 17 || x >= 19)(n));
    const every = vi.fn(verdict((n) => n >= 19));
    const guided = await guidedSearch(
      { oneSeed: { seeds: 1, evaluate: first }, everySeed: every },
      24,
      1000,
      {
        width: 2,
      },
    );
    expect(guided.chosen).toBe(19);
    expect(guided.seeds?.[0]?.search.scanned).toBe(false);
    expect(first.mock.calls.length).toBeLessThan(12);
  });
});

describe("the UpdateShardCount schedule", () => {
  it("doubles or halves at most per call, and keeps 10 calls in any 24 hours", () => {
    const up = updateSchedule(1, 3000, 120);
    expect(up.map((s) => s.targetShardCount)).toEqual([2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 3000]);
    // The 11th call waits until the first has left the rolling 24-hour window.
    expect(up[10]!.atSeconds).toBe(24 * 3600);
    expect(updateSchedule(40, 9, 120).map((s) => s.targetShardCount)).toEqual([20, 10, 9]);
    expect(updateSchedule(5, 5, 120)).toEqual([]);
  });

  it("refuses counts below one shard, from which doubling never arrives", () => {
    expect(() => updateSchedule(0, 4, 120)).toThrow(RangeError);
    expect(() => updateSchedule(4, 0, 120)).toThrow(RangeError);
    expect(() => updateSchedule(2.5, 4, 120)).toThrow(RangeError);
  });

  it("is accepted by the same checks as a scenario's timetable", () => {
    const steps = updateSchedule(2, 24, 120);
    const events = steps.map(
      (s) =>
        `  - { at: ${s.atSeconds + 1}s, action: UpdateShardCount, targetShardCount: ${s.targetShardCount} }`,
    );
    const text = `name: s\nduration: 1h\nstream: { shards: 2 }\nproducers: [{ name: p, rate: 10/s }]\nevents:\n${events.join("\n")}\n`;
    expect(() => loadScenario(text, { file: "s.yaml", check: checkSchedule })).not.toThrow();
  });
});

describe("closed forms", () => {
  it("AWS's formula rounds records up to 1 KB and counts shared readers", () => {
    const s = scenarioOf(
      "name: t\nduration: 1m\nstream: { shards: 1 }\nproducers: [{ name: p, rate: 2500/s, recordSize: 512B, arrivals: even }]\nconsumers: [{ name: a, type: polling }, { name: b, type: polling }, { name: c, type: polling }]\n",
    );
    const { aws, peak } = closedForm(s);
    expect(aws.inputs.recordsPerSecond).toBeCloseTo(2500, 6);
    expect(aws.inputs.numberOfConsumers).toBe(3);
    expect(peak.sharedReaders).toBe(3);
    // write 2,500 KiB/s → 3 shards; read 7,500 KiB/s ÷ 2,048 → 4 shards.
    expect(aws.shards).toBe(4);
  });

  it("parses --slo flags and rejects what it cannot read", () => {
    expect(sloOverride("putLatencyP99<2s")).toEqual({ path: "slo.putLatencyP99", value: '"< 2s"' });
    expect(sloOverride("writeThrottledFraction <= 0.1%")).toEqual({
      path: "slo.writeThrottledFraction",
      value: '"<= 0.1%"',
    });
    expect(() => sloOverride("p99 2s")).toThrow(/expected name<value/);
  });
});

function scenarioFile(name: string, text: string): string {
  const file = join(work, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
}

// The plan is the same on one thread and on two (see pool.test.ts): these plans run in the test's
// own thread, since each thread started under vitest loads the sources anew (seconds each). The
// README's plan command (readme-commands.test.ts) runs the built command line's plan on threads.
const plan = (file: string, out: string, slo: string[]) =>
  planCommand({ scenario: file, slo, seeds: 2, workers: 1, out: join(work, out), quiet: true });

describe("kinesim plan", () => {
  it("after its coarse pass, answers what evaluating every count at the scenario's resolution answers", async () => {
    const text =
      "name: grid\nseed: 9\nduration: 1m\nresolution: 100ms\nstream: { shards: 1 }\nproducers:\n  - { name: p, instances: 8, rate: { profile: diurnal, mean: 3000/s, peak: 4000/s, period: 1m, peakAt: 30s }, recordSize: 700B, partitionKey: { dist: uniform, keys: 3000 } }\nslo: { writeThrottledFraction: '< 0.1%' }\n";
    const file = scenarioFile("grid", text);
    expect(await plan(file, "grid", [])).toBe(0);
    const result = JSON.parse(readFileSync(join(work, "grid", "plan.json"), "utf8"));
    // Every count from 1 to 8 on the plan's two seeds, in full.
    const scenario = scenarioOf(text);
    const exhaustive = [1, 2, 3, 4, 5, 6, 7, 8].map((shards) =>
      evaluateCount(
        scenario,
        shards,
        replicationSeeds("9", 2).map((seed) => ({
          summary: simulate(scenarioOf(text, { "stream.shards": shards, seed: JSON.stringify(seed) }))
            .summary,
          monthlyCost: 0,
        })),
      ),
    );
    const smallest = exhaustive.find((e) => e.pass)!.shards;
    expect(exhaustive.filter((e) => e.shards >= smallest).every((e) => e.pass)).toBe(true);
    expect(result.chosen).toBe(smallest);
    // The plan's own evaluations agree with the exhaustive ones where they overlap (above 8, where
    // a coarse guess may start, every count passes: the curve is monotone).
    for (const e of result.evaluations)
      expect(e.pass, `${e.shards} shards`).toBe(e.shards <= 8 ? exhaustive[e.shards - 1]!.pass : true);
    // Where the plan ran every seed, its numbers are the runs' own, whichever search made a run
    // first (the first seed's search hands its runs on).
    const passing = result.evaluations.filter((x: Evaluation) => x.pass && x.shards <= 8);
    expect(passing.length).toBeGreaterThan(0);
    for (const e of passing) {
      const whole = exhaustive[e.shards - 1]!;
      expect(e.firstAttemptThrottled, `${e.shards} shards`).toBe(whole.firstAttemptThrottled);
      expect(e.putLatencyP99Ms, `${e.shards} shards`).toBe(whole.putLatencyP99Ms);
      expect(e.metrics, `${e.shards} shards`).toEqual(whole.metrics);
    }
  });

  it("on steady uniform traffic, returns AWS's formula", async () => {
    const file = scenarioFile(
      "steady",
      "name: steady\nseed: 5\nduration: 1m\nstream: { shards: 1 }\nproducers:\n  - { name: p, instances: 8, rate: 2500/s, recordSize: 512B, partitionKey: { dist: uniform, keys: 5000 } }\n",
    );
    expect(await plan(file, "steady", ["writeThrottledFraction<0.5%"])).toBe(0);
    const result = JSON.parse(readFileSync(join(work, "steady", "plan.json"), "utf8"));
    expect(result.closedForm.aws.shards).toBe(3);
    expect(result.chosen).toBe(3);
    expect(result.reasons[0]).toMatch(/same as AWS's formula/);
    const csv = readFileSync(join(work, "steady", "plan.csv"), "utf8")
      .trim()
      .split("\n");
    expect(csv[0]).toBe(
      "shards,pass,failing,lostFraction,firstAttemptThrottledFraction,putLatencyP99Ms,backlogSeconds,writeThrottledFraction.mean,writeThrottledFraction.worst,writeThrottledFraction.wholeRunWorst,writeThrottledFraction.seedsMet,monthlyCost,seedsRun",
    );
    // 2 shards are below the limit the traffic needs: the row says so.
    expect(csv.find((l) => l.startsWith("2,"))).toMatch(/^2,false,/);
    // A failing count stops at its first failing seed; a passing count ran every seed.
    const seedsRun = new Map(
      result.evaluations.map((e: { shards: number; seeds: number }) => [e.shards, e.seeds]),
    );
    expect(seedsRun.get(2)).toBe(1);
    expect(csv.find((l) => l.startsWith("2,"))).toMatch(/,1$/);
    expect(seedsRun.get(3)).toBe(result.seeds);
    expect(result.seeds).toBeGreaterThan(1);
  });

  it("on a hot key, reports the plan infeasible and why (exit 1)", async () => {
    const file = scenarioFile(
      "hot",
      "name: hot\nseed: 5\nduration: 1m\nstream: { shards: 4 }\nproducers:\n  - { name: p, instances: 8, rate: 3000/s, recordSize: 200B, partitionKey: { dist: uniform, keys: 100, hotKeys: [{ key: big, share: 40% }] } }\n",
    );
    expect(await plan(file, "hot", ["writeThrottledFraction<1%"])).toBe(1);
    const result = JSON.parse(readFileSync(join(work, "hot", "plan.json"), "utf8"));
    expect(result.chosen).toBeNull();
    expect(result.infeasible[0]).toMatch(/partition key "big" alone writes 1,200 records\/s/);
  });

  it("on bursty traffic, needs more than the formula and says the bursts are why", async () => {
    // One-second bursts at 3× the base, every 10 s: the mean is 1,400 records/s, the peak 3,000.
    const file = scenarioFile(
      "bursty",
      "name: bursty\nseed: 5\nduration: 1m\nstream: { shards: 1 }\nproducers:\n  - { name: p, instances: 8, rate: { profile: pulse, base: 1000/s, peak: 5000/s, every: 10s, width: 1s }, recordSize: 300B, partitionKey: { dist: uniform, keys: 5000 } }\n",
    );
    expect(await plan(file, "bursty", ["writeThrottledFraction<0.5%"])).toBe(0);
    const result = JSON.parse(readFileSync(join(work, "bursty", "plan.json"), "utf8"));
    expect(result.chosen).toBeGreaterThan(result.closedForm.aws.shards);
    expect(result.reasons.join("\n")).toMatch(/bursts in the rate: the busiest second offers 5,000 records/);
  });
});
