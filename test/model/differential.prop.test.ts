// The differential law (see differential.ts) over generated scenarios: ten in `npm test`,
// thousands in `npm run test:deep`. Counterexamples it found are kept in differential.test.ts.

import fc from "fast-check";
import { describe, it } from "vitest";
import { propertySeed, runs } from "../support/property.js";
import { expectResolutionsAgree, generatedScenario } from "./differential.js";

const DEEP_TIMEOUT_MS = process.env["KINESIM_DEEP"] ? 4 * 3_600_000 : 600_000;

describe("record and cohort resolution agree on generated scenarios", () => {
  it(
    "throughput, throttling, loss, put latency and consumer lag",
    () => {
      fc.assert(
        fc.property(generatedScenario, (g) => {
          expectResolutionsAgree(g);
        }),
        { seed: propertySeed("differential"), numRuns: runs(10, 2000), endOnFailure: true },
      );
    },
    DEEP_TIMEOUT_MS,
  );
});
