import { describe, expect, it } from "vitest";
import { type BenchMachine, machineLine } from "../../src/cli/bench.js";

describe("the bench's machine line", () => {
  it("states the machine's speed before and after beside what the table holds", () => {
    const machine: BenchMachine = {
      cores: 2,
      cpu: "AMD EPYC",
      node: "v20.20.2",
      platform: "linux-x64",
      bareNodeMs: { before: 61.4, after: 97.6 },
    };
    expect(machineLine(machine, "median of 3 runs per case")).toBe(
      "machine: 2 cores, AMD EPYC, Node v20.20.2; bare Node starts in 61 ms before the bench, 98 ms after (the machine's speed at the moment); median of 3 runs per case\n",
    );
  });
});
