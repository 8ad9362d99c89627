// Vitest setup. The extra reporter prints one plain closing line, `Tests: N passed, N failed`,
// because the CI log reader does not understand vitest's own summary.
import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import type { Reporter, TestModule } from "vitest/node";

const plainSummary: Reporter = {
  onTestRunEnd(modules: ReadonlyArray<TestModule>) {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else skipped++;
      }
    }
    console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  },
};

/**
 * Test files that replace modules (vi.mock): each runs with a module graph of its own. Every other
 * file shares its worker's modules with the files that worker ran before (isolate: false): it does
 * not load and compile the sources again, and the simulation's code is already optimised when it
 * starts (the suite took 266 s on a 2-core host this way, about 350 s isolated). A file must then
 * leave no global state behind: none changes process.env, timers or globals for the files after it.
 */
const OWN_MODULES = ["test/report/no-charts.test.ts", "test/plan/cost.test.ts"];

export default defineConfig({
  // The README's testing-API example imports the package by name; tests use the sources.
  resolve: { alias: { "kinesim/testing": new URL("./src/testing.ts", import.meta.url).pathname } },
  test: {
    // Rebuilds the bundled command line the CLI tests spawn when a source is newer than it.
    globalSetup: ["test/support/build.ts"],
    reporters: ["default", plainSummary],
    // Every core (vitest's default leaves one free): the suite is CPU-bound simulation.
    maxWorkers: availableParallelism(),
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: { name: "shared", include: ["test/**/*.test.ts"], exclude: OWN_MODULES, isolate: false },
      },
      { extends: true, test: { name: "own-modules", include: OWN_MODULES } },
    ],
  },
});
