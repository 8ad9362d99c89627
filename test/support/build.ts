// Vitest's global setup: the command-line tests spawn the bundle users run (dist/bin), so it is
// rebuilt first when a source is newer than it — as `npm start` does — and the tests never run a
// stale command line. A fresh clone's `npm ci` has built it already (the `prepare` script).

import { spawnSync } from "node:child_process";

export default function setup(): void {
  const stale = spawnSync(process.execPath, ["dist/cli/stale.js"]);
  if (stale.status === 0) return;
  const build = spawnSync("npm", ["run", "build", "--silent"], { encoding: "utf8" });
  if (build.status !== 0)
    throw new Error(`npm run build failed before the tests:\n${build.stdout}${build.stderr}`);
}
