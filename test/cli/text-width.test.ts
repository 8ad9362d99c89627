// The bundle answers yargs' and cliui's string-width calls for printable ASCII without loading
// string-width (src/cli/text-width.ts). Every answer must be the library's own, for each version
// the command line bundles; and the bundled help must be the help the unbundled code prints.

import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lazyStringWidth, type StringWidth } from "../../src/cli/text-width.js";
import { CLI, ROOT } from "../support/cli.js";
import { propertySeed, runs } from "../support/property.js";

/** The string-width a package imports, resolved from that package's own folder. */
async function stringWidthOf(pkg: string): Promise<StringWidth> {
  const from = createRequire(join(ROOT, "node_modules", pkg, "package.json"));
  const module = (await import(pathToFileURL(from.resolve("string-width")).href)) as {
    default: StringWidth;
  };
  return module.default;
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
