// kinesim as a library: load a scenario, run it, read its summary. The command line (src/cli) is
// built on these; `kinesim/testing` adds fast-check arbitraries for property tests.

export type { RunSummary } from "./metrics/summary.js";
export { type LoadedScenario, loadScenario, ScenarioError } from "./scenario/load.js";
export type { Scenario } from "./scenario/schema.js";
export { type RunResult, type SimulateOptions, simulate } from "./simulate.js";
