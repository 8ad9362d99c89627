// `kinesim run --client`: the examples' producer module and Lambda handler run from the command
// line as a user runs them, and bad --client flags are clear user errors (exit 2, no stack trace).

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI } from "../support/cli.js";

const work = mkdtempSync(join(tmpdir(), "kinesim-client-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function kinesim(...args: string[]) {
  const r = spawnSync(process.execPath, [...CLI, ...args], {
    encoding: "utf8",
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("kinesim run --client", () => {
  it("runs the hot-key producer example and reports what it dropped", () => {
    const out = join(work, "hot");
    const r = kinesim(
      "run",
      "scenarios/hot-key.yaml",
      "--duration",
      "10s",
      "--client",
      "producer=./examples/clients/hot-key-producer.mjs",
      "--out",
      out,
      "--no-charts",
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /client producer=\.\/examples\/clients\/hot-key-producer\.mjs: sent producer api's traffic; calls: PutRecords \d/,
    );
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    expect(summary.ledger.balanced).toBe(true);
    // The hot key's shard throttles; the loop gives up after 3 attempts: records are lost.
    expect(summary.records.dropped).toBeGreaterThan(500);
    const clients = JSON.parse(readFileSync(join(out, "clients.json"), "utf8"));
    expect(clients[0].calls.calls.PutRecords).toBeGreaterThan(100);
  }, 60_000);

  it("runs the Lambda handler example in the simulated mapping", () => {
    const out = join(work, "lambda");
    const r = kinesim(
      "run",
      "examples/clients/ledger-lambda.yaml",
      "--duration",
      "20s",
      "--client",
      "lambda=./examples/clients/ledger-handler.mjs",
      "--out",
      out,
      "--no-charts",
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /client lambda=\.\/examples\/clients\/ledger-handler\.mjs: \d+ invocations, \d+ failed/,
    );
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    expect(summary.consumers[0].toDestination).toBeGreaterThan(0);
  }, 60_000);

  it("explains bad --client flags and modules", () => {
    const bad = kinesim("run", "scenarios/hot-key.yaml", "--client", "sender=./x.js");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--client sender=\.\/x\.js: expected producer\[:name\]=\.\/module\.js/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const missing = kinesim("run", "scenarios/hot-key.yaml", "--client", "producer=./nowhere.mjs");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such file/);
    const empty = join(work, "empty.mjs");
    writeFileSync(empty, "export const x = 1;\n");
    const noFunction = kinesim("run", "scenarios/hot-key.yaml", "--client", `producer=${empty}`);
    expect(noFunction.code).toBe(2);
    expect(noFunction.stderr).toMatch(
      /export a function named "producer" or a default function; it exports x/,
    );
    const wrongName = kinesim(
      "run",
      "scenarios/hot-key.yaml",
      "--client",
      "producer:web=./examples/clients/hot-key-producer.mjs",
    );
    expect(wrongName.code).toBe(2);
    expect(wrongName.stderr).toMatch(/producer "web", but the scenario's producers are: api/);
  }, 60_000);
});
