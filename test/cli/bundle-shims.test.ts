// The bundle's stand-ins (src/cli/bundle-shims.ts) must give the libraries' own answers: yargs'
// and cliui's string-width for every string, for each version the command line bundles (and the
// bundled help must be the help the unbundled code prints); pako's inflate for HdrHistogram's
// WebAssembly module.

import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { deflateSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { inflate, lazyStringWidth, type StringWidth } from "../../src/cli/bundle-shims.js";
import { CLI, ROOT } from "../support/cli.js";
import { propertySeed, runs } from "../support/property.js";

/** The module `dependency` as the package `pkg` imports it, resolved from that package's folder. */
async function importedBy<T>(pkg: string, dependency: string): Promise<T> {
  const from = createRequire(join(ROOT, "node_modules", pkg, "package.json"));
  return (await import(pathToFileURL(from.resolve(dependency)).href)) as T;
}

/** The string-width a package imports. */
async function stringWidthOf(pkg: string): Promise<StringWidth> {
  return (await importedBy<{ default: StringWidth }>(pkg, "string-width")).default;
}

const texts = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme" }),
  fc.string({ unit: "binary" }),
  fc.stringMatching(/^[ -~]{0,40}$/),
  fc.constantFrom("", "\u001b[31mred\u001b[39m", "tab\there", "x × y", "日本語", "👍🏽", "e\u0301", "\u007f"),
);

describe("lazyStringWidth", () => {
  for (const pkg of ["yargs", "cliui"]) {
    it(`gives the answer of the string-width ${pkg} imports, loading it only for what is not printable ASCII`, async () => {
      const real = await stringWidthOf(pkg);
      let loads = 0;
      const lazy = lazyStringWidth(() => {
        loads += 1;
        return real;
      });
      fc.assert(
        fc.property(
          texts,
          fc.constantFrom(undefined, {}, { countAnsiEscapeCodes: true }),
          (text, options) => {
            expect(lazy(text, options)).toBe(real(text, options));
          },
        ),
        { seed: propertySeed(`lazyStringWidth ${pkg}`), numRuns: runs(500) },
      );
      expect(loads).toBe(1);
      const ascii = lazyStringWidth(() => {
        throw new Error("loaded for printable ASCII");
      });
      expect(ascii("  kinesim validate <scenario>  [string]")).toBe(39);
      expect(ascii("")).toBe(0);
    });
  }
});

describe("the bundled command line's help", () => {
  it("is the help the unbundled command line prints, non-ASCII characters included", () => {
    const help = (main: string[], args: string[]) =>
      spawnSync(process.execPath, [...main, ...args], { cwd: ROOT, encoding: "utf8" });
    for (const args of [
      ["--help"],
      ["sweep", "--help"],
      ["validate", "--help"],
      ["validate", "ü×.yaml", "x"],
    ]) {
      const bundled = help(CLI, args);
      const unbundled = help(["dist/cli/main.js"], args);
      expect(bundled.stdout + bundled.stderr, args.join(" ")).toBe(unbundled.stdout + unbundled.stderr);
      expect(bundled.status).toBe(unbundled.status);
    }
    expect(help(CLI, ["--help"]).stdout).toContain("×");
  });
});

describe("inflate", () => {
  it("gives pako's bytes for HdrHistogram's WebAssembly module, and for random deflated data", async () => {
    const pako = await importedBy<{ inflate(data: Uint8Array): Uint8Array }>("hdr-histogram-js", "pako");
    const { BINARY } = await importedBy<{ BINARY: string }>(
      "hdr-histogram-js",
      "./dist/wasm/generated-wasm.js",
    );
    const wasm = new Uint8Array(Buffer.from(BINARY, "base64"));
    const ours = inflate(wasm);
    expect(ours).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(ours).equals(Buffer.from(pako.inflate(wasm)))).toBe(true);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4000 }), fc.integer({ min: 0, max: 9 }), (data, level) => {
        const deflated = new Uint8Array(deflateSync(data, { level }));
        expect(Buffer.from(inflate(deflated)).equals(Buffer.from(pako.inflate(deflated)))).toBe(true);
      }),
      { seed: propertySeed("inflate as pako"), numRuns: runs(100) },
    );
  });
});
