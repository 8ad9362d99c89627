// The command line as a test spawns it: the bundle users run (dist/bin, rebuilt before the tests
// when a source is newer: see build.ts), in a child process in the repository, with its exit code
// and what it printed.

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Node's arguments before a command's own: the bundled command line. */
export const CLI = [fileURLToPath(new URL("../../dist/bin/main.js", import.meta.url))];

/** How a command ended. */
export interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `kinesim …args` in the repository root. */
export function kinesim(...args: string[]): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI, ...args], { cwd: ROOT });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      stderr += c;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
