// The command line as a user meets it: the quickstart with no arguments, exit codes, and clean
// error output (no stack traces) for bad input.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI } from "../support/cli.js";

const work = mkdtempSync(join(tmpdir(), "kinesim-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function kinesim(...args: string[]) {
  const result = spawnSync(process.execPath, [...CLI, ...args], {
    encoding: "utf8",
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("kinesim CLI", () => {
  it("runs the quickstart scenario when given no scenario, and writes the report files", () => {
    const out = join(work, "quickstart");
    const r = kinesim("--out", out, "--duration", "1m");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^quickstart: 60 s simulated/);
    expect(r.stdout).toMatch(/ledger .* \(balanced\)/);
    for (const f of ["timeseries.csv", "shards.csv", "summary.json", "summary.csv", "scenario.yaml"])
      expect(existsSync(join(out, f)), f).toBe(true);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    expect(summary.scenario).toBe("quickstart");
    expect(readFileSync(join(out, "timeseries.csv"), "utf8").split("\n")[0]).toContain(
      "IncomingRecords,IncomingBytes",
    );
  });

  it("re-renders charts and index.html from an earlier run's CSVs, byte for byte", () => {
    const out = join(work, "rerender");
    expect(kinesim("run", "scenarios/hot-key.yaml", "--duration", "1m", "--out", out).code).toBe(0);
    const names = readdirSync(out).filter(
      (f) => /\.(html|svg|png|vl\.json)$/.test(f) || f === "cloudwatch.csv",
    );
    expect(names.length).toBeGreaterThan(10);
    const before = new Map(names.map((f) => [f, readFileSync(join(out, f))]));
    for (const f of names) rmSync(join(out, f));
    const r = kinesim("report", out);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("index.html");
    for (const [f, bytes] of before) expect(readFileSync(join(out, f)).equals(bytes), f).toBe(true);
  });

  it("report on a folder that is not a run exits 2", () => {
    const r = kinesim("report", work);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("does not look like a kinesim run folder");
  });

  it("exits 2 with file:line:column and no stack trace on a bad scenario", () => {
    const r = kinesim("run", "test/fixtures/bad/batch-max-records-600.yaml", "--out", join(work, "bad"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /batch-max-records-600\.yaml:\d+:\d+: producers\[0\]\.batch\.maxRecords: 600 exceeds the AWS maximum of 500/,
    );
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(join(work, "bad"))).toBe(false);
  });

  it("exits 2 on a bad --set override and on an unknown flag", () => {
    const set = kinesim("validate", "scenarios/trucks.yaml", "--set", "stream.shards=0");
    expect(set.code).toBe(2);
    expect(set.stderr).toContain("stream.shards: 0 is below the AWS minimum of 1");
    expect(set.stderr).toContain("from --set stream.shards=0");
    const flag = kinesim("run", "scenarios/trucks.yaml", "--shards", "3");
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("Unknown argument");
  });

  it("exits 1 when an SLO is not met, and says which", () => {
    const r = kinesim(
      "run",
      "scenarios/quickstart.yaml",
      "--duration",
      "30s",
      "--set",
      'slo.putLatencyP50="< 10ms"',
      "--out",
      join(work, "slo"),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/SLO\s+putLatencyP50 < 10ms in every 30s: worst 30s .* NOT MET/);
  });

  it("prints the JSON Schema of scenario files", () => {
    const r = kinesim("schema");
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout);
    expect(schema.title).toBe("kinesim scenario");
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(["name", "duration", "stream", "producers"]),
    );
    // A scenario may write to delivery streams only: `stream` is optional.
    expect([...schema.required].sort()).toEqual(["duration", "name", "producers"]);
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(["streams", "firehose", "analytics"]),
    );
  });

  it("describe-stream and list-shards show the stream at a virtual time, as the AWS CLI does", () => {
    const set = ["--set", "duration=5m", "--set", "consumers=[]"];
    const d = kinesim("describe-stream", "scenarios/reshard-schedule.yaml", "--at", "4m", ...set);
    expect(d.code, d.stderr).toBe(0);
    const description = JSON.parse(d.stdout).StreamDescription;
    expect(description).toMatchObject({ StreamName: "clicks", StreamStatus: "ACTIVE" });
    expect(description.StreamModeDetails).toEqual({ StreamMode: "PROVISIONED" });
    // The split of shard 0 at 3m: shard 0 closed, children 4 and 5 open with 0 as their parent.
    const ids = description.Shards.map((s: { ShardId: string }) => s.ShardId);
    expect(ids).toEqual([0, 1, 2, 3, 4, 5].map((i) => `shardId-${String(i).padStart(12, "0")}`));
    const byId = new Map(description.Shards.map((s: { ShardId: string }) => [s.ShardId, s]));
    const shard = (i: number) =>
      byId.get(`shardId-${String(i).padStart(12, "0")}`) as {
        ParentShardId?: string;
        SequenceNumberRange: { StartingSequenceNumber: string; EndingSequenceNumber?: string };
      };
    expect(shard(0).SequenceNumberRange.EndingSequenceNumber).toMatch(/^\d+$/);
    expect(shard(4).ParentShardId).toBe("shardId-000000000000");
    expect(BigInt(shard(4).SequenceNumberRange.StartingSequenceNumber)).toBeGreaterThan(
      BigInt(shard(0).SequenceNumberRange.EndingSequenceNumber!),
    );

    const l = kinesim("list-shards", "scenarios/reshard-schedule.yaml", "--at", "4m", ...set);
    expect(l.code, l.stderr).toBe(0);
    expect(JSON.parse(l.stdout).Shards).toEqual(description.Shards);

    // Without --at, the stream at the end of the run (as every records command defaults to): the
    // split at 3m has happened (it was at 0 s once, while put-record took the end).
    const end = kinesim("list-shards", "scenarios/reshard-schedule.yaml", ...set);
    expect(end.code, end.stderr).toBe(0);
    expect(JSON.parse(end.stdout).Shards).toEqual(description.Shards);
    expect(kinesim("describe-stream", "--help").stdout).toMatch(/default: the end of the run/);

    const bad = kinesim("describe-stream", "scenarios/reshard-schedule.yaml", "--at", "soon");
    expect(bad.code).toBe(2);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});
