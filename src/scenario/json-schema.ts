// The JSON Schema of scenario files (what editors use to complete and check YAML), derived from
// the zod schema so the two cannot drift apart.

import * as z from "zod";
import { scenarioSchema } from "./schema.js";

/** JSON Schema (draft 2020-12) of a scenario file as written (input side of the zod schema). */
export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(scenarioSchema, {
    io: "input",
    unrepresentable: "any",
    target: "draft-2020-12",
  }) as Record<string, unknown>;
  return {
    ...schema,
    $id: "https://kinesim.dev/schema/scenario.json",
    title: "kinesim scenario",
    description:
      "A workload and a Kinesis architecture to simulate. Durations: 250ms, 5m, 24h; sizes: 800B, 1MiB; rates: 4000/s, 2MiB/s.",
  };
}
