// `kinesim import` at the command line: a good import writes a scenario that validates, and
// malformed input (wrong shapes, missing fields, unsupported resources, files of no known kind)
// exits 2 with the file, the place and the path in it, and no stack trace. Each case spawns the CLI.

import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { kinesim } from "../support/cli.js";

const work = mkdtempSync(join(tmpdir(), "kinesim-import-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const F = "test/import/fixtures";
const BAD = `${F}/bad`;

describe.concurrent("kinesim import", () => {
  it("writes a scenario and its traffic that validate, and --set applies on import", async () => {
    const out = join(work, "ok", "orders.yaml");
    const r = await kinesim(
      "import",
      `${F}/orders-template.yaml`,
      `${F}/orders-metrics.json`,
      "--growth",
      "1.5x",
      "--set",
      "consumers[0].duration.base=50ms",
      "--out",
      out,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("wrote");
    expect(existsSync(join(work, "ok", "orders.traffic.csv"))).toBe(true);
    const text = readFileSync(out, "utf8");
    expect(text).toContain("growth: 1.5");
    expect(text).toContain("# from --set consumers[0].duration.base=50ms");
    const valid = await kinesim("validate", out);
    expect(valid.code, valid.stderr).toBe(0);
    expect(valid.stdout).toMatch(/stream +orders: 3 shards\n/);
  });

  // Every problem of every file is listed at once: [file, what its message must say].
  const cases: [string, RegExp][] = [
    [
      "shards-not-a-list.json",
      /shards-not-a-list\.json:6:\d+: StreamDescription\.Shards: expected a list, got a mapping/,
    ],
    [
      "mapping-missing-function.json",
      /mapping-missing-function\.json:3:\d+: EventSourceMappings\[0\]\.FunctionArn: missing/,
    ],
    [
      "mapping-missing-function.json",
      /EventSourceMappings\[0\]\.BatchSize: expected a whole number, got "many"/,
    ],
    [
      "unsupported-resource.yaml",
      /unsupported-resource\.yaml:9:\d+: Resources\.Sessions\.Type: AWS::KinesisAnalyticsV2::Application is not imported.*--skip-unsupported/,
    ],
    [
      "unresolved-import.yaml",
      /unresolved-import\.yaml:6:\d+: Resources\.Enrich\.Properties\.EventSourceArn: expected a string, got Fn::ImportValue that kinesim could not resolve/,
    ],
    ["terraform-v2.json", /terraform-v2\.json:2:\d+: format_version: format version 2\.0 is not supported/],
    [
      "metrics-unknown-label.json",
      /metrics-unknown-label\.json:\d+:\d+: MetricDataResults\[0\]\.Label: no metric kinesim reads in label "CPUUtilization"/,
    ],
    [
      "not-aws.json",
      /not-aws\.json:1:1: not a file kinesim import recognises \(top-level keys: hello, items\)/,
    ],
    ["broken.json", /broken\.json:2:1: not valid JSON or YAML: Flow map must end with a \}/],
  ];
  const all = kinesim(
    "import",
    ...new Set(cases.map(([f]) => `${BAD}/${f}`)),
    "--out",
    join(work, "bad.yaml"),
  );
  it.for(cases)("%s: exit 2, %s, no stack trace", async ([, message]) => {
    const r = await all;
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(join(work, "bad.yaml"))).toBe(false);
  });

  it("a shard without its EndingHashKey, and open shards that leave hash keys uncovered: exit 2", async () => {
    const [missing, uncovered] = await Promise.all([
      kinesim(
        "import",
        `${F}/orders-summary.json`,
        `${BAD}/shard-missing-hash-key.json`,
        "--out",
        join(work, "m.yaml"),
      ),
      kinesim("import", `${BAD}/uncovered-hash-space.json`, "--out", join(work, "u.yaml")),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /shard-missing-hash-key\.json:\d+:\d+: Shards\[0\]\.HashKeyRange\.EndingHashKey: missing/,
    );
    // Caught when the written scenario is validated: its comments say which file the shards came from.
    expect(uncovered.code).toBe(2);
    expect(uncovered.stderr).toMatch(
      /stream\.shardList\[0\]\.endingHashKey: the open shards end at 170141183460469231731687303715884105727, not at 2\^128−1/,
    );
    expect(`${missing.stderr}${uncovered.stderr}`).not.toMatch(/^\s+at /m);
  });

  it("--skip-unsupported imports the rest and says what it left out", async () => {
    const out = join(work, "skip", "clicks.yaml");
    const r = await kinesim("import", `${BAD}/unsupported-resource.yaml`, "--skip-unsupported", "--out", out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /note: .*Resources\.Sessions: AWS::KinesisAnalyticsV2::Application is not imported/,
    );
    expect(readFileSync(out, "utf8")).toContain("ASSUMED: no IncomingRecords metrics for clicks");
  });
});
