// Build step, not a command: bundles the compiled command line (dist/cli) into dist/bin, so that
// a command starts by reading a few files instead of hundreds. Start-up is dominated by loading
// modules (yargs, yaml, zod and the schema), and one bundled file loads in about half the time.
// Each command's own code stays in a chunk of its own that is loaded only when the command runs.

import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

/** Packages left out of the bundle: a native binary (resvg); piscina, which starts its worker
 * threads from a file of its own package; and the AWS SDK, which `--client` modules import too:
 * left in node_modules, their commands and kinesim's client are one copy of it. */
const EXTERNAL = ["@resvg/resvg-js", "piscina", "@aws-sdk/client-kinesis"];

/** The stand-ins (bundle-shims.ts), compiled beside this file. */
const SHIMS = fileURLToPath(new URL("./bundle-shims.js", import.meta.url));

/**
 * Puts lazyStringWidth (bundle-shims.ts) in front of every copy of string-width that yargs and
 * cliui import. Each importer still gets its own version: the plugin resolves the import as
 * esbuild would and `require`s that file, which esbuild bundles as a module that runs on first
 * use, not at start-up.
 */
const lazyStringWidth: Plugin = {
  name: "lazy-string-width",
  setup(bundle) {
    bundle.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData === "real") return undefined;
      const real = await bundle.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        pluginData: "real",
      });
      if (real.errors.length > 0) return { errors: real.errors };
      return { path: real.path, namespace: "lazy-string-width" };
    });
    bundle.onLoad({ filter: /.*/, namespace: "lazy-string-width" }, (args) => ({
      contents: [
        `import { lazyStringWidth } from ${JSON.stringify(SHIMS)};`,
        `export default lazyStringWidth(() => require(${JSON.stringify(args.path)}).default);`,
      ].join("\n"),
      loader: "js",
      // Without a folder esbuild does not look up even absolute paths from a plugin's module.
      resolveDir: process.cwd(),
    }));
  },
};

/** Gives hdr-histogram-js's WebAssembly loader Node's zlib in pako's place (see bundle-shims.ts). */
const nativeInflate: Plugin = {
  name: "native-inflate",
  setup(bundle) {
    bundle.onResolve({ filter: /^pako$/ }, (args) =>
      /hdr-histogram-js[\\/]dist[\\/]wasm[\\/]/.test(args.importer) ? { path: SHIMS } : undefined,
    );
  },
};

// Chunk names carry content hashes: clear the folder so that old chunks do not pile up.
rmSync("dist/bin", { recursive: true, force: true });
await build({
  entryPoints: {
    // entry.js answers --version at once and imports main.js for everything else.
    main: "dist/cli/entry.js",
    // pool.ts starts workers from ./sim-worker.js next to itself.
    "sim-worker": "dist/cli/sim-worker.js",
    // draw-threads.ts starts its threads from ./draw-worker.js next to itself.
    "draw-worker": "dist/cli/draw-worker.js",
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
  plugins: [lazyStringWidth, nativeInflate],
  // Some bundled packages are CommonJS and call require() for Node's own modules.
  banner: {
    js: 'import { createRequire as kinesimRequire } from "node:module"; const require = kinesimRequire(import.meta.url);',
  },
});
