// The README as a new user reads it: every sample output it shows is what the command prints
// today, and every kinesim command in it is one the command line accepts as written.
//
// A sample output is a fenced block right after a `<!-- output of: <command> -->` line. The test
// runs the command (with --out in a scratch folder where it writes a report), compares the output
// with the block, and fails with the difference when they drift. KINESIM_UPDATE_README=1 (npm run
// readme:update) writes the outputs into README.md instead, for a reviewed change.

import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI } from "./support/cli.js";

const README = "README.md";
const UPDATE = process.env["KINESIM_UPDATE_README"] === "1";
const work = mkdtempSync(join(tmpdir(), "kinesim-readme-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A README command as argv for the CLI, or undefined when it is not a kinesim command. */
function kinesimArgs(command: string): string[] | undefined {
  const words = command.trim().split(/\s+/);
  if (words[0] === "npx" && words[1] === "kinesim") return unquote(words.slice(2));
  if (words[0] === "npm" && words[1] === "start") return unquote(words.slice(words[2] === "--" ? 3 : 2));
  return undefined;
}

/** Joins shell-quoted words ("putLatencyP99<1s" in quotes) and drops the quotes. */
function unquote(words: string[]): string[] {
  const out: string[] = [];
  let open: string | undefined;
  for (const w of words) {
    if (open !== undefined) {
      open += ` ${w}`;
      if (/["']$/.test(w)) {
        out.push(open.slice(1, -1));
        open = undefined;
      }
    } else if (/^["']/.test(w) && !(w.length > 1 && /["']$/.test(w))) open = w;
    else out.push(w.replace(/^["'](.*)["']$/, "$1"));
  }
  return out;
}

const ROOT = process.cwd();

/**
 * Runs the bundled CLI, in `cwd` (default: the repository). Sample outputs run in a
 * scratch folder that links the example scenarios, so reports go where the README says, there.
 */
function kinesim(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [...CLI, ...args], {
    encoding: "utf8",
    cwd,
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Wall times differ from run to run; everything else must match. */
function normalise(text: string): string {
  return text.replace(/ in (\d+ min )?\d+(\.\d+)? s$/gm, " in … s").trimEnd();
}

interface Sample {
  command: string;
  /** Offsets of the block's body in the README. */
  start: number;
  end: number;
  body: string;
}

function samples(text: string): Sample[] {
  const found: Sample[] = [];
  for (const m of text.matchAll(/<!-- output of: (.+?) -->\n```[a-z]*\n([\s\S]*?)```/g)) {
    const bodyStart = m.index! + m[0].indexOf("\n```") + 1;
    const start = text.indexOf("\n", bodyStart) + 1;
    found.push({ command: m[1]!, start, end: start + m[2]!.length, body: m[2]! });
  }
  return found;
}

const text = readFileSync(README, "utf8");
const SAMPLES = samples(text);

describe("the README's sample outputs", () => {
  it("has sample outputs to check", () => {
    expect(SAMPLES.length).toBeGreaterThanOrEqual(3);
  });

  const updated: { sample: Sample; output: string }[] = [];
  it.each(SAMPLES.map((s) => [s.command, s] as const))("%s", (_, sample) => {
    const args = kinesimArgs(sample.command);
    expect(args, `not a kinesim command: ${sample.command}`).toBeDefined();
    const cwd = join(work, `sample-${SAMPLES.indexOf(sample)}`);
    mkdirSync(cwd);
    symlinkSync(join(ROOT, "scenarios"), join(cwd, "scenarios"));
    // Client modules (`--client producer=./examples/…`) import the AWS SDK from the repository.
    symlinkSync(join(ROOT, "examples"), join(cwd, "examples"));
    const r = kinesim(args!, cwd);
    expect(r.code, r.stderr).toBeLessThanOrEqual(1);
    if (UPDATE) {
      // Only a change beyond wall times is written: the README does not churn run to run.
      if (normalise(r.stdout) !== normalise(sample.body)) updated.push({ sample, output: r.stdout });
      return;
    }
    expect(normalise(r.stdout), "run `npm run readme:update` after a reviewed change").toBe(
      normalise(sample.body),
    );
  });

  afterAll(() => {
    if (!UPDATE || updated.length === 0) return;
    let next = readFileSync(README, "utf8");
    for (const { sample, output } of [...updated].sort((a, b) => b.sample.start - a.sample.start))
      next = next.slice(0, sample.start) + output.trimEnd() + "\n" + next.slice(sample.end);
    writeFileSync(README, next);
  });
});

describe("the README's commands", () => {
  const commands = [...text.matchAll(/```sh\n([\s\S]*?)```/g)]
    .flatMap((m) => m[1]!.split("\n"))
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter((line) => kinesimArgs(line) !== undefined);

  it("lists kinesim commands", () => {
    expect(commands.length).toBeGreaterThanOrEqual(5);
  });

  // Each command's flags and scenario are accepted: its scenario validates with its --set flags,
  // and every flag it uses is one its --help lists.
  it.each(commands)("%s", (command) => {
    const args = kinesimArgs(command)!;
    const help = kinesim([...args.filter((a) => !a.startsWith("-")).slice(0, 1), "--help"]);
    expect(help.code, `${command}\n${help.stderr}`).toBe(0);
    for (const flag of args.filter((a) => a.startsWith("--")))
      expect(help.stdout, `${command}: ${flag}`).toContain(flag.replace(/=.*$/, "").replace(/^--no-/, "--"));
    const scenario = args.find((a) => a.endsWith(".yaml"));
    if (scenario && !scenario.startsWith("my-")) {
      const sets = args.flatMap((a, i) => (args[i - 1] === "--set" ? ["--set", a] : []));
      const valid = kinesim(["validate", scenario, ...sets]);
      expect(valid.code, `${command}\n${valid.stderr}`).toBe(0);
    }
  });
});

describe("kinesimArgs", () => {
  it("reads npm start and npx kinesim commands with quoted words", () => {
    expect(kinesimArgs('npx kinesim plan x.yaml --slo "putLatencyP99<1s" --current 2')).toEqual([
      "plan",
      "x.yaml",
      "--slo",
      "putLatencyP99<1s",
      "--current",
      "2",
    ]);
    expect(kinesimArgs("npm start -- run a.yaml --set stream.shards=16")).toEqual([
      "run",
      "a.yaml",
      "--set",
      "stream.shards=16",
    ]);
    expect(kinesimArgs("npm start")).toEqual([]);
    expect(kinesimArgs("npm test")).toBeUndefined();
  });
});
