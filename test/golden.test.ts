// Golden runs: every example scenario's summary matches the one checked in under test/golden/, and
// the scenario runs twice with identical tables — its first two minutes in `npm test` (every
// component is built and running by then), the whole of it in `npm run test:deep`. A change in a
// model's numbers is a reviewed change: regenerate with `npm run golden:update` and read the diff.

import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { simulate } from "../src/simulate.js";
import { expectLedgerBalanced, type MemoryRun, runInMemory, scenarioOf } from "./laws.js";

const SCENARIOS = readdirSync("scenarios").filter((f) => f.endsWith(".yaml"));
const UPDATE = process.env["KINESIM_UPDATE_GOLDEN"] === "1";
const DEEP = process.env["KINESIM_DEEP"] !== undefined;

describe("golden runs of the example scenarios", () => {
  it.each(SCENARIOS)("%s", (file) => {
    const text = readFileSync(`scenarios/${file}`, "utf8");
    const scenario = scenarioOf(text);
    const whole = DEEP || scenario.duration <= 120e6;
    // When the whole run is not the one made twice, only its summary is read: it discards its rows
    // (the summary is the same either way: see "runs whose rows are discarded" in sweep.test.ts).
    const first = whole ? runInMemory(scenario) : simulate(scenario);
    expectLedgerBalanced(first);
    const twice = whole ? scenario : scenarioOf(text, { duration: "2m" });
    const a = whole ? (first as MemoryRun) : runInMemory(twice);
    const b = runInMemory(twice);
    for (const [name, table] of a.sink.tables)
      expect(b.sink.tables.get(name)?.rows, name).toEqual(table.rows);
    const golden = `test/golden/${file.replace(/\.yaml$/, "")}.summary.json`;
    const actual = `${JSON.stringify(first.summary, null, 2)}\n`;
    if (UPDATE) writeFileSync(golden, actual);
    expect(existsSync(golden), `${golden} is missing: run npm run golden:update and review it`).toBe(true);
    expect(actual).toBe(readFileSync(golden, "utf8"));
  });
});
