import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EngineError, Simulation } from "../../src/engine/simulation.js";
import { propertySeed, runs } from "../support/property.js";

/**
 * A chain of arrivals at `times` beside other events (each at its time, some scheduling a
 * follow-up `delay` later) and periodic hooks; `inline` runs each next arrival through advanceTo
 * when it may, otherwise every arrival is its own event. Returns what fired, when, and the count.
 */
function trace(
  times: number[],
  others: { at: number; delay: number }[],
  hookUs: number,
  slices: number[],
  inline: boolean,
): { log: string[]; fired: number } {
  const sim = new Simulation();
  const log: string[] = [];
  sim.every(hookUs, (t) => log.push(`hook ${t}`));
  for (const [i, o] of others.entries())
    sim.at(o.at, () => {
      log.push(`other ${i} at ${sim.nowUs}`);
      if (o.delay >= 0) sim.schedule(o.delay, () => log.push(`follow ${i} at ${sim.nowUs}`));
    });
  let next = 0;
  const arrival = (now: number): void => {
    for (let t = now; ; ) {
      log.push(`arrival ${next} at ${t}`);
      // An arrival schedules work of its own now and later, as a producer's does.
      if (next % 3 === 0) sim.schedule(0, () => log.push(`send at ${sim.nowUs}`));
      next++;
      if (next >= times.length) return;
      const at = times[next]!;
      if (!inline || !sim.advanceTo(at)) {
        sim.at(at, arrival);
        return;
      }
      t = at;
    }
  };
  if (times.length > 0) sim.at(times[0]!, arrival);
  for (const until of slices) sim.run(until);
  return { log, fired: sim.eventsFired };
}

describe("Simulation", () => {
  it("fires events in time order, ties in scheduling order, and records the clock", () => {
    const sim = new Simulation();
    const log: [string, number][] = [];
    const mark = (label: string) => () => log.push([label, sim.nowUs]);
    sim.at(10, mark("a"));
    sim.at(5, () => {
      log.push(["b", sim.nowUs]);
      sim.schedule(5, mark("c")); // same time as "a", scheduled later
      sim.schedule(0, mark("d")); // now, after b
    });
    sim.run(100);
    expect(log).toEqual([
      ["b", 5],
      ["d", 5],
      ["a", 10],
      ["c", 10],
    ]);
    expect(sim.nowUs).toBe(100);
    expect(sim.eventsFired).toBe(4);
  });

  it("runs periodic hooks before any event at their boundary and leaves later events pending", () => {
    const sim = new Simulation();
    const log: [string, number][] = [];
    sim.every(10, (t) => log.push(["tick", t]));
    sim.at(10, () => log.push(["event", sim.nowUs]));
    sim.at(25, () => log.push(["late", sim.nowUs]));
    sim.at(40, () => log.push(["never", sim.nowUs]));
    sim.run(30);
    expect(log).toEqual([
      ["tick", 10],
      ["event", 10],
      ["tick", 20],
      ["late", 25],
      ["tick", 30],
    ]);
    expect(sim.pending).toBe(1);
    sim.run(40);
    expect(log.at(-1)).toEqual(["tick", 40]); // the event at 40 is not before 40
  });

  it("refuses to schedule into the past or at fractional microseconds", () => {
    const sim = new Simulation();
    sim.at(10, () => {
      expect(() => sim.at(9, () => {})).toThrow(EngineError);
      expect(() => sim.schedule(0.5, () => {})).toThrow(/integer/);
    });
    sim.run(20);
  });

  it("runs a handler's next event at once only when it is the very next event of the run", () => {
    const sim = new Simulation();
    const seen: string[] = [];
    expect(sim.advanceTo(5)).toBe(false); // not inside run
    sim.every(100, () => {});
    sim.at(10, () => {
      sim.at(30, () => seen.push("pending at 30"));
      expect(sim.advanceTo(30)).toBe(false); // an event scheduled earlier at the same time goes first
      expect(sim.advanceTo(9)).toBe(false); // the past
      expect(sim.advanceTo(12.5)).toBe(false); // not a whole µs
      expect(sim.advanceTo(20)).toBe(true);
      expect(sim.nowUs).toBe(20);
      seen.push(`inline at ${sim.nowUs}`);
    });
    sim.at(50, () => {
      expect(sim.advanceTo(100)).toBe(false); // a hook boundary
      expect(sim.advanceTo(99)).toBe(true);
    });
    sim.at(150, () => expect(sim.advanceTo(160)).toBe(false)); // the end of this run
    sim.run(160);
    expect(seen).toEqual(["inline at 20", "pending at 30"]);
    expect(sim.eventsFired).toBe(6); // four events and the two run at once
  });

  it("fires the same events in the same order whether a chain runs at once or event by event", () => {
    const times = fc
      .array(fc.integer({ min: 0, max: 400 }), { minLength: 0, maxLength: 60 })
      .map((xs) => xs.sort((a, b) => a - b));
    const others = fc.array(
      fc.record({ at: fc.integer({ min: 0, max: 400 }), delay: fc.integer({ min: -1, max: 30 }) }),
      { maxLength: 25 },
    );
    const slices = fc
      .array(fc.integer({ min: 1, max: 450 }), { maxLength: 4 })
      .map((xs) => [...xs.sort((a, b) => a - b), 500]);
    fc.assert(
      fc.property(times, others, fc.integer({ min: 7, max: 200 }), slices, (t, o, hook, s) => {
        const stepwise = trace(t, o, hook, s, false);
        const chained = trace(t, o, hook, s, true);
        expect(chained.log).toEqual(stepwise.log);
        expect(chained.fired).toBe(stepwise.fired);
      }),
      { seed: propertySeed("simulation/advanceTo order"), numRuns: runs(300) },
    );
  });
});
