// Loading a scenario file the way every command does: strict UTF-8, trace files relative to the
// scenario, overrides, and the model's checks of scheduled capacity actions.

import { checkSchedule } from "../model/capacity.js";
import { checkLumps, checkPooling } from "../model/pooling.js";
import { checkRecordSizes } from "../model/record-sizes.js";
import { type LoadedScenario, loadScenario, type Override } from "../scenario/load.js";
import { readScenarioFile, relativeReader } from "./files.js";

/** Reads and validates a scenario file; throws ScenarioError listing every problem. */
export function loadScenarioFile(path: string, overrides: readonly Override[] = []): LoadedScenario {
  return loadScenario(readScenarioFile(path), {
    file: path,
    overrides,
    readFile: relativeReader(path),
    check: (scenario) => [
      ...checkSchedule(scenario),
      ...checkRecordSizes(scenario),
      ...checkPooling(scenario),
      ...checkLumps(scenario),
    ],
  });
}
