// Build step, not a command: bundles the compiled command line (dist/cli) into dist/bin, so that
// a command starts by reading a few files instead of hundreds. Start-up is dominated by loading
// modules (yargs, yaml, zod and the schema), and one bundled file loads in about half the time.
// Each command's own code stays in a chunk of its own that is loaded only when the command runs.

import { rmSync } from "node:fs";
import { build } from "esbuild";

/** Packages left out of the bundle: a native binary (resvg); piscina, which starts its worker
 * threads from a file of its own package; and the AWS SDK, which `--client` modules import too:
 * left in node_modules, their commands and kinesim's client are one copy of it. */
const EXTERNAL = ["@resvg/resvg-js", "piscina", "@aws-sdk/client-kinesis"];

// Chunk names carry content hashes: clear the folder so that old chunks do not pile up.
rmSync("dist/bin", { recursive: true, force: true });
await build({
  entryPoints: {
    main: "dist/cli/main.js",
    // pool.ts starts workers from ./sim-worker.js next to itself.
    "sim-worker": "dist/cli/sim-worker.js",
  },
  outdir: "dist/bin",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: EXTERNAL,
  sourcemap: true,
  minify: true,
  logLevel: "warning",
  // Some bundled packages are CommonJS and call require() for Node's own modules.
  banner: {
    js: 'import { createRequire as kinesimRequire } from "node:module"; const require = kinesimRequire(import.meta.url);',
  },
});
