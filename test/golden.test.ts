// Golden runs: every example scenario runs twice with identical output, and its summary matches
// the one checked in under test/golden/. A change in a model's numbers is a reviewed change:
// regenerate with `npm run golden:update` and read the diff.

import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { expectLedgerBalanced, runInMemory, scenarioOf } from "./laws.js";

const SCENARIOS = readdirSync("scenarios").filter((f) => f.endsWith(".yaml"));
const UPDATE = process.env["KINESIM_UPDATE_GOLDEN"] === "1";

describe("golden runs of the example scenarios", () => {
  it.each(SCENARIOS)("%s", (file) => {
    const scenario = scenarioOf(readFileSync(`scenarios/${file}`, "utf8"));
    const first = runInMemory(scenario);
    const second = runInMemory(scenario);
    for (const [name, table] of first.sink.tables)
      expect(second.sink.tables.get(name)?.rows, name).toEqual(table.rows);
    expectLedgerBalanced(first);
    const golden = `test/golden/${file.replace(/\.yaml$/, "")}.summary.json`;
    const actual = `${JSON.stringify(first.summary, null, 2)}\n`;
    if (UPDATE) writeFileSync(golden, actual);
    expect(existsSync(golden), `${golden} is missing: run npm run golden:update and review it`).toBe(true);
    expect(actual).toBe(readFileSync(golden, "utf8"));
  });
});
