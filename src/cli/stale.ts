// Build step, not a command: exits 0 when the bundled command line (dist/bin) is newer than every
// source file and 1 otherwise, so `npm start` rebuilds only after a source changed
// (`node dist/cli/stale.js || npm run build`; a missing dist fails the same way).

import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** The newest modification time under a folder, in ms. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

const root = new URL("../../", import.meta.url);
const built = statSync(new URL("dist/bin/main.js", root), { throwIfNoEntry: false })?.mtimeMs ?? 0;
const sources = Math.max(
  newest(new URL("src", root).pathname),
  statSync(new URL("package.json", root)).mtimeMs,
  statSync(new URL("tsconfig.json", root)).mtimeMs,
);
process.exitCode = built > sources ? 0 : 1;
