// The CLI's guards: a run estimated to take hours is refused (exit 2, naming what to change);
// --out never replaces a folder that is not a kinesim report; SIGINT stops a run, which writes
// what it has, marked PARTIAL, with its books balanced.

import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fileSystemInputError } from "../../src/cli/errors.js";
import { stagingFolder } from "../../src/cli/files.js";
import { CLI } from "../support/cli.js";

const work = mkdtempSync(join(tmpdir(), "kinesim-guards-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function kinesim(...args: string[]) {
  const r = spawnSync(process.execPath, [...CLI, ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("the resource guard", () => {
  it("refuses a month of 50,000 records/s at record resolution, and says what to change", () => {
    const file = join(work, "huge.yaml");
    writeFileSync(
      file,
      "name: huge\nduration: 30d\nresolution: record\nstream: { shards: 60 }\nproducers: [{ name: p, rate: 50000/s }]\n",
    );
    const r = kinesim("run", file, "--out", join(work, "huge"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/estimated to take about \d+ (h|d)\b/);
    expect(r.stderr).toMatch(/--resolution 10ms/);
    expect(r.stderr).toMatch(/--force/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(join(work, "huge"))).toBe(false);
  });
});

describe("--out", () => {
  it("refuses a file in the folder's place with a clear error", () => {
    const file = join(work, "a-file");
    writeFileSync(file, "not a folder\n");
    const r = kinesim("run", "scenarios/trucks.yaml", "--duration", "2s", "--no-charts", "--out", file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out .*a-file: a file is in the way/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(readFileSync(file, "utf8")).toBe("not a folder\n");
  });

  it("says what the file system refused when a command cannot write where it was told (exit 2)", () => {
    const file = join(work, "in-the-way");
    writeFileSync(file, "x");
    const cases = [
      {
        args: ["sweep", "scenarios/trucks.yaml", "--duration", "2s", "--quiet", "--out", join(file, "s")],
        says: /cannot mkdir .*in-the-way\/s: a part of the path is a file, not a folder/,
      },
      { args: ["schema", "--out", work], says: /cannot open .*: that is a folder/ },
    ];
    for (const { args, says } of cases) {
      const r = kinesim(...args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(says);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    }
  });

  it("never replaces a folder that is not a kinesim report", () => {
    const mine = join(work, "my-documents");
    mkdirSync(mine);
    writeFileSync(join(mine, "thesis.txt"), "precious");
    const r = kinesim("run", "scenarios/trucks.yaml", "--duration", "5s", "--no-charts", "--out", mine);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a kinesim report/);
    expect(readFileSync(join(mine, "thesis.txt"), "utf8")).toBe("precious");
    // A report folder is replaced as usual.
    const report = join(work, "report");
    expect(
      kinesim("run", "scenarios/trucks.yaml", "--duration", "5s", "--no-charts", "--out", report).code,
    ).toBe(0);
    expect(
      kinesim("run", "scenarios/trucks.yaml", "--duration", "6s", "--no-charts", "--out", report).code,
    ).toBe(0);
    expect(JSON.parse(readFileSync(join(report, "summary.json"), "utf8")).durationSeconds).toBe(6);
  });
});

describe("runs into the same --out at once", () => {
  it("both finish, the folder holds one whole report, and abandoned staging folders are cleared", async () => {
    const out = join(work, "shared");
    // Staging folders of runs that were killed: one of a process that no longer exists, and one
    // with the name staging folders had before they were per process.
    const gone = stagingFolder(out, 2 ** 30);
    mkdirSync(gone, { recursive: true });
    mkdirSync(join(work, ".shared.partial"));
    const run = (seconds: string) =>
      new Promise<{ code: number | null; stderr: string }>((done) => {
        const child = spawn(process.execPath, [
          ...CLI,
          "run",
          "scenarios/quickstart.yaml",
          "--duration",
          seconds,
          "--no-charts",
          "--quiet",
          "--out",
          out,
        ]);
        let stderr = "";
        child.stderr.on("data", (d) => {
          stderr += String(d);
        });
        child.on("close", (code) => done({ code, stderr }));
      });
    const results = await Promise.all([run("20s"), run("21s"), run("22s")]);
    for (const r of results) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe("");
    }
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    expect([20, 21, 22]).toContain(summary.durationSeconds);
    expect(existsSync(join(out, "timeseries.csv"))).toBe(true);
    expect(readdirSync(work).filter((name) => name.startsWith(".shared.partial"))).toEqual([]);
  });

  it("publishes whole folders when many processes publish into it in a tight loop", async () => {
    // The commands above seldom collide; these do, hundreds of times: each process stages and
    // publishes a folder of 21 files 100 times. Removing the folder in place before the rename
    // failed most of these publications (ENOTEMPTY, ENOENT).
    const out = join(work, "contended");
    const files = new URL("../../dist/cli/files.js", import.meta.url).href;
    const script = `
      const { ReportFolder } = await import(${JSON.stringify(files)});
      for (let i = 0; i < 100; i++) {
        const folder = new ReportFolder(process.argv[1]);
        for (let j = 0; j < 20; j++) folder.write("part" + j + ".csv", String(process.pid));
        folder.write("summary.json", JSON.stringify({ pid: process.pid, i }));
        folder.publish();
      }`;
    const publisher = () =>
      new Promise<{ code: number | null; stderr: string }>((done) => {
        const child = spawn(process.execPath, ["--input-type=module", "-e", script, out]);
        let stderr = "";
        child.stderr.on("data", (d) => {
          stderr += String(d);
        });
        child.on("close", (code) => done({ code, stderr }));
      });
    const results = await Promise.all([publisher(), publisher(), publisher(), publisher()]);
    for (const r of results) expect(r, r.stderr).toEqual({ code: 0, stderr: "" });
    // One publication, whole: every file written by the same process.
    const { pid } = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    const names = readdirSync(out);
    expect(names).toHaveLength(21);
    for (const name of names.filter((n) => n.endsWith(".csv")))
      expect(readFileSync(join(out, name), "utf8")).toBe(String(pid));
    expect(readdirSync(work).filter((name) => name.startsWith(".contended."))).toEqual([]);
  });
});

describe("an interrupted run", () => {
  it("stops on SIGINT, writes what it has marked PARTIAL, with its books balanced (exit 130)", async () => {
    const out = join(work, "interrupted");
    const child = spawn(
      process.execPath,
      [
        ...CLI,
        "run",
        "scenarios/quickstart.yaml",
        "--duration",
        "24h",
        "--resolution",
        "10ms",
        "--no-charts",
        "--out",
        out,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const staging = stagingFolder(out, child.pid!);
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += String(d);
    });
    // Wait until the run has started writing (its staging folder has a time series), then interrupt.
    await new Promise<void>((ready) => {
      const check = () => {
        if (existsSync(join(staging, "timeseries.csv"))) ready();
        else setTimeout(check, 50);
      };
      check();
    });
    child.kill("SIGINT");
    const code = await new Promise<number | null>((done) => child.on("close", done));
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted by SIGINT/);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    expect(summary.interrupted.reason).toBe("SIGINT");
    expect(summary.interrupted.atSeconds).toBeLessThan(24 * 3600);
    expect(summary.ledger.balanced).toBe(true);
    expect(readFileSync(join(out, "PARTIAL"), "utf8")).toMatch(/stopped by SIGINT/);
  });
});

describe("numeric flags", () => {
  it("are checked before anything runs (plan --current 0 once doubled from zero until memory ran out)", () => {
    for (const [args, says] of [
      [
        ["plan", "scenarios/quickstart.yaml", "--current", "0"],
        "--current 0: expected a whole number from 1",
      ],
      [["sweep", "scenarios/trucks.yaml", "--seeds", "0"], "--seeds 0: expected a whole number from 1"],
      [
        ["plan", "scenarios/quickstart.yaml", "--workers", "1.5"],
        "--workers 1.5: expected a whole number from 1",
      ],
      [["bench", "--runs", "0"], "--runs 0: expected a whole number from 1"],
      [
        ["serve", "scenarios/trucks.yaml", "--port", "70000"],
        "--port 70000: expected a whole number from 0 to 65535",
      ],
      [["serve", "scenarios/trucks.yaml", "--time-scale", "0"], "--time-scale 0: expected a number above 0"],
    ] as const) {
      const r = kinesim(...args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim()).toBe(says);
    }
  });
});

describe("file-system errors as input errors", () => {
  it("names those that come from where a command was told to read or write, and only those", () => {
    const error = (code: string, syscall = "open") =>
      Object.assign(new Error(code), { code, syscall, path: "/x/y" });
    expect(fileSystemInputError(error("EACCES"))?.message).toBe("cannot open /x/y: permission denied");
    expect(fileSystemInputError(error("ENOSPC", "write"))?.message).toBe(
      "cannot write /x/y: no space left on the device",
    );
    // A missing file, an error without a path, or no file-system error at all stay internal.
    expect(fileSystemInputError(error("ENOENT"))).toBeUndefined();
    expect(fileSystemInputError(Object.assign(new Error("EACCES"), { code: "EACCES" }))).toBeUndefined();
    expect(fileSystemInputError(new Error("broken invariant"))).toBeUndefined();
    expect(fileSystemInputError(undefined)).toBeUndefined();
  });
});
