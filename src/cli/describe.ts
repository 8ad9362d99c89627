// `kinesim describe-stream` and `list-shards`: run a scenario up to a moment and print the
// stream as the AWS CLI would.

import { NULL_SINK } from "../metrics/sink.js";
import { buildRun } from "../model/build.js";
import { describeStream, listShards } from "../model/describe.js";
import { ScenarioError } from "../scenario/load.js";
import { parseDuration } from "../scenario/units.js";
import { loadScenarioFile } from "./load.js";
import { overridesOf } from "./overrides.js";

/** The stream of `scenario` at virtual time `at`, as describe-stream or list-shards output. */
export function streamAt(
  path: string,
  at: string | undefined,
  set: string[] | undefined,
  shape: "describe" | "list",
): unknown {
  const { scenario } = loadScenarioFile(path, overridesOf(set ? { set } : {}));
  const atUs = at === undefined ? scenario.duration : parseDuration(at);
  if (atUs === undefined || atUs < 0 || atUs > scenario.duration) {
    throw new ScenarioError([
      {
        file: path,
        path: "",
        message: `--at ${at}: expected a time between 0s and the scenario's duration`,
        origin: "--at",
      },
    ]);
  }
  const run = buildRun(scenario, { sink: NULL_SINK });
  run.sim.run(atUs);
  run.stream.settleDeferred(atUs);
  return shape === "describe" ? describeStream(run.stream, run.capacity, atUs) : listShards(run.stream, atUs);
}
