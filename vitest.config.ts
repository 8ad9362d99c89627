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

export default defineConfig({
  // The README's testing-API example imports the package by name; tests use the sources.
  resolve: { alias: { "kinesim/testing": new URL("./src/testing.ts", import.meta.url).pathname } },
  test: {
    include: ["test/**/*.test.ts"],
    // Rebuilds the bundled command line the CLI tests spawn when a source is newer than it.
    globalSetup: ["test/support/build.ts"],
    reporters: ["default", plainSummary],
    // Every core (vitest's default leaves one free): the suite is CPU-bound simulation.
    maxWorkers: availableParallelism(),
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
