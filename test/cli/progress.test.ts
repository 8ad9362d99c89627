// Progress of commands that run simulations, and the estimate that warns or refuses before a
// long command: what is printed where, and that the estimate brackets the run.

import { describe, expect, it } from "vitest";
import {
  commandEstimate,
  extrapolate,
  judgeEstimate,
  LONGEST_PILOT_MS,
  PilotWindow,
  REFUSE_SECONDS,
  WARM_UP_MS,
} from "../../src/cli/estimate.js";
import { formatWall } from "../../src/cli/human.js";
import { mostPlanRuns } from "../../src/cli/plan.js";
import { Progress } from "../../src/cli/progress.js";
import { loadScenario } from "../../src/scenario/load.js";
import { CLI } from "../support/cli.js";

/** A stream that is not a terminal and keeps what is written to it. */
function capture(): { stream: NodeJS.WriteStream; lines: string[] } {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (text: string) => lines.push(text) } as unknown as NodeJS.WriteStream;
  return { stream, lines };
}

function scenario(yaml: string) {
  return loadScenario(yaml, { file: "test.yaml" }).scenario;
}

describe("progress", () => {
  it("writes a heartbeat line (runs done of runs planned, simulated time) when not on a terminal", () => {
    const { stream, lines } = capture();
    const progress = new Progress("plan of x", 4, 60_000_000, { stream, heartbeatMs: 0 });
    progress.update(0, 60_000_000);
    progress.update(1, 30_000_000);
    expect(lines.at(-1)).toMatch(/^plan of x: 1 of 4 runs done, 1 min 30 s simulated, /);
    progress.setRuns(6);
    progress.update(1, 60_000_000);
    expect(lines.at(-1)).toMatch(/^plan of x: 2 of 6 runs done, 2 min 00 s simulated/);
    expect(progress.fraction).toBeCloseTo(2 / 6, 9);
  });

  it("gives time left as a bracket where a command may add runs, that stays honest once it passes the runs expected", () => {
    const { stream, lines } = capture();
    let now = 0;
    const minute = 60_000_000;
    const progress = new Progress("plan of x", 10, minute, {
      stream,
      heartbeatMs: 0,
      mostRuns: 20,
      clock: () => now,
    });
    // Five runs of ten expected in 50 s: 50 s more for the ten, 150 s for the twenty it may make.
    now = 50_000;
    for (let run = 0; run < 5; run++) progress.update(run, minute);
    expect(lines.at(-1)).toBe(
      `plan of x: 5 of 10 to 20 runs done, 5 min 00 s simulated, about ${formatWall(50_000)} to ${formatWall(150_000)} left\n`,
    );
    // Past the runs expected, the plan counts those it started: once they are all done the line
    // gives only the most that may be left.
    now = 120_000;
    progress.setRuns(12);
    for (let run = 5; run < 12; run++) progress.update(run, minute);
    expect(lines.at(-1)).toBe(
      `plan of x: 12 of 12 to 20 runs done, 12 min 00 s simulated, up to ${formatWall(80_000)} left\n`,
    );
    // More runs than the most allowed for: the bracket closes on them.
    progress.setRuns(24);
    expect(lines.at(-1)).toBe(
      `plan of x: 12 of 24 runs done, 12 min 00 s simulated, about ${formatWall(120_000)} left\n`,
    );
    // A single run says how far it is.
    const single = capture();
    const one = new Progress("run of x", 1, minute, {
      stream: single.stream,
      heartbeatMs: 0,
      clock: () => now,
    });
    now += 10_000;
    one.update(0, minute / 4);
    expect(single.lines.at(-1)).toBe(
      `run of x: 1 run 25% done, ${formatWall(15_000)} simulated, about ${formatWall(30_000)} left\n`,
    );
  });

  it("stays silent when quiet, and between heartbeats", () => {
    const quiet = capture();
    new Progress("x", 2, 1_000_000, { stream: quiet.stream, quiet: true, heartbeatMs: 0 }).update(
      0,
      1_000_000,
    );
    expect(quiet.lines).toEqual([]);
    const slow = capture();
    const p = new Progress("x", 2, 1_000_000, { stream: slow.stream, heartbeatMs: 3_600_000 });
    p.update(0, 500_000);
    p.update(0, 1_000_000);
    expect(slow.lines).toEqual([]);
  });
});

describe("the estimate of a run", () => {
  const steady = scenario(
    "name: s\nduration: 1h\nstream: { shards: 2 }\nproducers: [{ name: p, rate: 1000/s }]\n",
  );
  const ramp = scenario(
    "name: r\nduration: 1h\nstream: { shards: 2 }\nproducers: [{ name: p, rate: { profile: ramp, from: 100/s, to: 1900/s, start: 0s, end: 1h } }]\n",
  );

  it("scales a pilot by simulated time when the rate is constant", () => {
    const e = extrapolate(steady, 60_000_000, 500);
    expect(e.lowSeconds).toBeCloseTo(30, 6);
    expect(e.highSeconds).toBeCloseTo(30, 6);
  });

  it("brackets a run whose cost is any mix of per-record and per-second work", () => {
    // A pilot of the first 6 minutes of a ramp: records grow faster than time.
    const t = 360_000_000;
    const e = extrapolate(ramp, t, 1000);
    expect(e.lowSeconds).toBeCloseTo(10, 6); // by time: 1 h / 6 min
    expect(e.highSeconds).toBeGreaterThan(e.lowSeconds);
    // For a cost of a·records + b·seconds, the whole run lies within the bracket.
    const records = (until: number) => 100 * until + ((1800 / 3600) * (until * until)) / 2;
    for (const [a, b] of [
      [1, 0],
      [0, 1],
      [0.3, 50],
    ] as const) {
      const pilotCost = a * records(360) + b * 360;
      const wholeCost = a * records(3600) + b * 3600;
      const whole = (1 * wholeCost) / pilotCost; // seconds, with the pilot taking 1 s
      expect(whole).toBeGreaterThanOrEqual(e.lowSeconds - 1e-9);
      expect(whole).toBeLessThanOrEqual(e.highSeconds + 1e-9);
    }
  });

  it("refuses over an hour unless forced, names what to change, and warns over a minute", () => {
    const month = scenario(
      "name: m\nduration: 30d\nresolution: record\nstream: { shards: 60 }\nproducers: [{ name: p, rate: 50000/s }]\n",
    );
    const flags = { duration: "--duration", resolution: "--resolution" };
    const e = extrapolate(month, 2_000_000, 500);
    expect(() => judgeEstimate("this run", month, e, { flags })).toThrow(
      /estimated to take about \d+ d.*--duration.*--resolution 10ms.*--force/,
    );
    expect(judgeEstimate("this run", month, e, { flags, force: true })).toMatch(/will take/);
    expect(
      judgeEstimate("this run", steady, extrapolate(steady, 60_000_000, 500), { flags }),
    ).toBeUndefined();
    expect(judgeEstimate("this run", steady, extrapolate(steady, 60_000_000, 5_000), { flags })).toMatch(
      /will take about 5 min 00 s; for a quicker answer use a shorter window \(--duration 10m\) or a coarser tick \(--resolution 100ms\)/,
    );
  });

  it("measures longer before it refuses: a slow start does not refuse a run that would finish", () => {
    // A day of 1,000 records/s whose first 2 s of wall time go at 100 ms a simulated second
    // (2.4 h at that pace) and then at 5 ms (7 min 12 s for the day); a clock of our own.
    const day = scenario(
      "name: d\nduration: 24h\nstream: { shards: 2 }\nproducers: [{ name: p, rate: 1000/s }]\n",
    );
    const flags = { duration: "--duration", resolution: "--resolution" };
    const pace = (wallMs: number) => (wallMs < 2000 ? 100 : 5);
    const drive = (pilot: PilotWindow, paceOf: (wallMs: number) => number) => {
      let wall = 0;
      for (let t = 1_000_000; ; t += 1_000_000) {
        wall += paceOf(wall);
        const estimate = pilot.judge(t, wall);
        if (estimate) return { estimate, wall };
      }
    };
    const once = drive(new PilotWindow(day, 0, 400, Number.POSITIVE_INFINITY), pace);
    // Forced (nothing to refuse): two windows at the slow pace agree, and it answers with them.
    expect(once.wall).toBeLessThanOrEqual(WARM_UP_MS + 400 + 800 + 100);
    expect(once.estimate.lowSeconds).toBeGreaterThan(REFUSE_SECONDS);
    const longer = drive(new PilotWindow(day, 0, 400), pace);
    expect(longer.wall).toBeLessThanOrEqual(LONGEST_PILOT_MS);
    expect(longer.estimate.highSeconds).toBeLessThan(REFUSE_SECONDS / 4);
    expect(() => judgeEstimate("this run", day, longer.estimate, { flags })).not.toThrow();
    // A run slow throughout is still refused, after at most the longest pilot.
    const slow = drive(new PilotWindow(day, 0, 400), () => 100);
    expect(slow.wall).toBeLessThanOrEqual(LONGEST_PILOT_MS);
    expect(slow.estimate.lowSeconds).toBeGreaterThan(REFUSE_SECONDS);
    expect(() => judgeEstimate("this run", day, slow.estimate, { flags })).toThrow(/estimated to take/);
  });

  it("measures until the pace settles before it warns: a slow first window does not set the estimate", () => {
    // A day whose first second of wall time goes at 30 ms a simulated second and the rest at 10
    // (14 min 24 s for the day at that pace), as the JIT warms up; a clock of our own.
    const day = scenario(
      "name: d\nduration: 24h\nstream: { shards: 2 }\nproducers: [{ name: p, rate: 1000/s }]\n",
    );
    const drive = (paceOf: (wallMs: number) => number) => {
      const pilot = new PilotWindow(day, 0, 400, Number.POSITIVE_INFINITY);
      let wall = 0;
      for (let t = 1_000_000; ; t += 1_000_000) {
        wall += paceOf(wall);
        const estimate = pilot.judge(t, wall);
        if (estimate) return { estimate, wall };
      }
    };
    const warming = drive((wallMs) => (wallMs < 1000 ? 30 : 10));
    const steadySeconds = (24 * 3600 * 10) / 1000;
    expect(warming.estimate.highSeconds).toBeLessThan(steadySeconds * 1.1);
    expect(warming.estimate.lowSeconds).toBeGreaterThan(steadySeconds * 0.9);
    expect(warming.wall).toBeLessThanOrEqual(LONGEST_PILOT_MS);
    // Steady from the start: two windows agree, and it answers after the second.
    const steady = drive(() => 10);
    expect(steady.estimate.highSeconds).toBeCloseTo(steadySeconds, -1);
    expect(steady.wall).toBeLessThanOrEqual(WARM_UP_MS + 400 + 800 + 20);
    // A run that does not warn is answered after its first window.
    const short = scenario(
      "name: s\nduration: 10m\nstream: { shards: 2 }\nproducers: [{ name: p, rate: 1000/s }]\n",
    );
    const quick = new PilotWindow(short, 0, 400);
    let wall = 0;
    let answer: ReturnType<PilotWindow["judge"]>;
    for (let t = 1_000_000; !answer; t += 1_000_000) {
      wall += 10;
      answer = quick.judge(t, wall);
    }
    expect(wall).toBeLessThanOrEqual(WARM_UP_MS + 400 + 10);
    expect(answer.highSeconds).toBeLessThan(60);
    // The same run as one of a command's many, where 1 s a run would make the command warn: it
    // measures until two windows agree.
    const many = new PilotWindow(short, 0, 400, Number.POSITIVE_INFINITY, 1);
    wall = 0;
    answer = undefined;
    for (let t = 1_000_000; !answer; t += 1_000_000) {
      wall += 10;
      answer = many.judge(t, wall);
    }
    expect(wall).toBeGreaterThan(WARM_UP_MS + 400 + 10);
    expect(wall).toBeLessThanOrEqual(WARM_UP_MS + 400 + 800 + 10);
  });

  it("brackets a command of several runs: the low end for the runs expected, the high end for the most it may make", () => {
    const perRun = { lowSeconds: 10, highSeconds: 12 };
    // Runs of a known number: both ends scale by it over the threads they keep busy.
    expect(commandEstimate(perRun, 7, 2)).toEqual({ lowSeconds: 35, highSeconds: 42 });
    expect(commandEstimate(perRun, 1, 8)).toEqual({ lowSeconds: 10, highSeconds: 12 });
    // A plan: 23 runs expected, up to 35.
    expect(commandEstimate(perRun, { expected: 23, most: 35 }, 2)).toEqual({
      lowSeconds: 115,
      highSeconds: 210,
    });
    // The plan for 200 shards of the bench (3 seeds, a bisection of 6 counts) expected 23 runs and
    // made 32: its most covers that; a single seed's plan allows one more bisection.
    expect(mostPlanRuns(23, 6, 3)).toBeGreaterThanOrEqual(32);
    expect(mostPlanRuns(12, 6, 1)).toBe(18);
  });

  it("prints wall times a person reads", () => {
    expect([4_240, 59_600, 200_000, 3_599_600, 3_900_000, 200_000_000].map(formatWall)).toEqual([
      "4.2 s",
      "1 min 00 s",
      "3 min 20 s",
      "1 h 00 min",
      "1 h 05 min",
      "2 d",
    ]);
  });
});

describe("commands that run simulations", () => {
  it("print a heartbeat when stderr is not a terminal: sweep, cost", async () => {
    const { spawnSync } = await import("node:child_process");
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const work = mkdtempSync(join(tmpdir(), "kinesim-progress-"));
    try {
      const run = (...args: string[]) =>
        spawnSync(process.execPath, [...CLI, ...args], {
          encoding: "utf8",
          env: { ...process.env, KINESIM_HEARTBEAT_MS: "0" },
        });
      const sweep = run(
        "sweep",
        "scenarios/over-capacity.yaml",
        "--param",
        "stream.shards=2,3",
        "--duration",
        "20s",
        "--workers",
        "1",
        "--out",
        join(work, "sweep"),
      );
      expect(sweep.status, sweep.stderr).toBe(0);
      expect(sweep.stderr).toMatch(/^sweep of over-capacity: 1 of 2 runs done, \d+ s simulated/m);
      expect(sweep.stderr).toMatch(/^sweep of over-capacity: 2 of 2 runs done, 40 s simulated/m);
      // The closing table: one row per grid point.
      expect(sweep.stdout).toMatch(
        /stream\.shards\s+throttled \(1st attempt\)\s+dropped\s+put p99\s+cost per month\n\s+2\s+\d/,
      );
      const cost = run("cost", "scenarios/quickstart.yaml", "--duration", "20s", "--out", join(work, "cost"));
      expect(cost.status, cost.stderr).toBe(0);
      expect(cost.stderr).toMatch(/^cost of quickstart: [12] of 2 runs done/m);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
