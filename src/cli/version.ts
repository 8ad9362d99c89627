// kinesim's version, from its package.json: the bundle (dist/bin) and the compiled sources
// (dist/cli) both sit two folders below it. yargs would look for a package.json from the current
// folder instead, and answered "unknown" when kinesim ran anywhere but in its own folder.

import { readFileSync } from "node:fs";

/** The version in kinesim's package.json. */
export function kinesimVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}
