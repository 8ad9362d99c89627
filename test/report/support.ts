// Builds a report in memory from a scenario file, for the report tests.

import { readFileSync } from "node:fs";
import { stringify as toYaml } from "yaml";
import { buildReport, reportDataFromRows } from "../../src/report/report.js";
import { renderScenario } from "../../src/scenario/render.js";
import { runInMemory, scenarioOf } from "../laws.js";

/** Runs a scenario file (with overrides) and builds its report without touching the disk. */
export async function reportOf(
  file: string,
  overrides: Record<string, string | number> = {},
  options: { png?: boolean } = {},
) {
  const scenario = scenarioOf(readFileSync(file, "utf8"), overrides);
  const run = runInMemory(scenario);
  const yaml = toYaml(renderScenario(scenario, run.summary.resolution), { lineWidth: 0 });
  const data = reportDataFromRows(
    run.summary,
    yaml,
    run.sink.records("timeseries"),
    run.sink.records("shards"),
    (name) => run.sink.records(name),
  );
  return { run, report: await buildReport(data, options) };
}
