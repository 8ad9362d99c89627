import { describe, expect, it } from "vitest";
import { EngineError, Simulation } from "../../src/engine/simulation.js";

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
});
