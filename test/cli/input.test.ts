// Bad and surprising input at the command line, as a new user meets it: hash keys out of range,
// 1-based partitions, --set past the end of a list, SLOs with nothing to measure, cited sources,
// and what `validate` says a scenario holds. Each case spawns the CLI and reads its output.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, it } from "vitest";
import { kinesim } from "../support/cli.js";

const work = mkdtempSync(join(tmpdir(), "kinesim-input-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A scenario file in the work folder. */
function scenario(name: string, text: string): string {
  const path = join(work, `${name}.yaml`);
  writeFileSync(path, text);
  return path;
}

const SMALL = "name: small\nduration: 20s\nstream: { shards: 2 }\nproducers:\n  - { name: p, rate: 10/s }\n";

/** No stack trace, no internal-error banner. */
const clean = (stderr: string) => !/^\s+at /m.test(stderr) && !stderr.includes("internal error");

describe("put-record --explicit-hash-key", () => {
  const file = scenario("small", SMALL);
  const cases: [string, string][] = [
    ["abc", "not a number"],
    ["340282366920938463463374607431768211456", "2^128, one past the last hash key"],
    ["-1", "negative"],
    ["0x10", "hex"],
    ["007", "leading zeros"],
  ];
  it.concurrent.for(cases)(
    "%s (%s) is bad input: exit 2, a clear message, no stack",
    async ([key], { expect }) => {
      const r = await kinesim("put-record", file, "--partition-key", "k", "--explicit-hash-key", key);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(
        `--explicit-hash-key ${key}: expected a decimal hash key from 0 to 2^128−1 (340282366920938463463374607431768211455), got "${key}"`,
      );
      expect(clean(r.stderr), r.stderr).toBe(true);
      expect(r.stdout).toBe("");
    },
  );

  it.concurrent("the ends of the range are accepted and routed to the first and last shard", async ({
    expect,
  }) => {
    const [low, high] = await Promise.all(
      ["0", (2n ** 128n - 1n).toString()].map((key) =>
        kinesim("put-record", file, "--partition-key", "k", "--explicit-hash-key", key),
      ),
    );
    expect(low!.code, low!.stderr).toBe(0);
    expect(JSON.parse(low!.stdout).ShardId).toBe("shardId-000000000000");
    expect(high!.code, high!.stderr).toBe(0);
    expect(JSON.parse(high!.stdout).ShardId).toBe("shardId-000000000001");
  });

  it.concurrent("a partition key of more than 256 characters is bad input, citing the AWS limit", async ({
    expect,
  }) => {
    const r = await kinesim("put-record", file, "--partition-key", "k".repeat(257));
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(
      `--partition-key "${"k".repeat(40)}…": expected 1 to 256 characters, got 257 (AWS limit: Unicode characters.`,
    );
    expect(r.stderr).toContain("Source: AWS API reference (service models of 2026-08)");
  });
});

describe("sweep --partition", () => {
  const file = scenario("sweep", SMALL);
  it.concurrent.for(["0/2", "3/2", "x/2"])(
    "%s says the index is 1-based, from 1 to 2",
    async (p, { expect }) => {
      const r = await kinesim("sweep", file, "--param", "stream.shards=1,2", "--partition", p, "--quiet");
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`--partition ${p}: expected i/n, 1-based: i from 1 to 2`);
      expect(clean(r.stderr)).toBe(true);
    },
  );
});

describe("--set with a list index past the end", () => {
  it.concurrent("a field of a producer the scenario lacks names the producers it has, once", async ({
    expect,
  }) => {
    const r = await kinesim("validate", "scenarios/quickstart.yaml", "--set", "producers[3].rate=5/s");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "producers[3]: the scenario has 1 producer (index 0); --set can change an existing producer but not add one field by field; to add one, give all of it at the next index, e.g. --set 'producers[1]={...}' (from --set producers[3].rate=5/s)",
    );
    // Not the half-made producer's missing fields.
    expect(r.stderr).not.toContain("missing required field");
    expect(r.stderr).toContain("1 problem found");
  });

  it.concurrent("a whole item at the next index adds it", async ({ expect }) => {
    const r = await kinesim(
      "validate",
      "scenarios/quickstart.yaml",
      "--set",
      "producers[1]={name: extra, rate: 5/s}",
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("producers  web → clicks, extra → clicks");
  });

  it.concurrent("a whole item further on says where the next one goes", async ({ expect }) => {
    const r = await kinesim(
      "validate",
      "scenarios/quickstart.yaml",
      "--set",
      "consumers[2]={name: c, type: polling}",
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "consumers[2]: the scenario has no consumers; a new consumer goes at the next index, consumers[0]",
    );
  });
});

describe("SLOs with nothing to measure", () => {
  const file = scenario(
    "slo",
    `${SMALL}slo:\n  iteratorAgeMax: "< 1m"\n  dataFreshnessMax: "< 10m"\n  putLatencyP99: "< 30s"\n`,
  );

  it.concurrent("validate warns about each, at its line, and still says valid", async ({ expect }) => {
    const r = await kinesim("validate", file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `warning: ${file}:7:19: slo.iteratorAgeMax: nothing to measure: no consumers; runs report this SLO as "not measured (no consumers)"`,
    );
    expect(r.stderr).toContain(
      `warning: ${file}:8:21: slo.dataFreshnessMax: nothing to measure: no delivery streams`,
    );
    expect(r.stderr).not.toContain("putLatencyP99");
  });

  it.concurrent("run warns, reports them as not measured (never met at 0 ms), and exits 0", async ({
    expect,
  }) => {
    const out = join(work, "slo-run");
    const r = await kinesim("run", file, "--out", out, "--no-charts");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("slo.iteratorAgeMax: nothing to measure: no consumers");
    expect(r.stdout).toContain("SLO       iteratorAgeMax < 1m: not measured (no consumers)\n");
    expect(r.stdout).toContain("SLO       dataFreshnessMax < 10m: not measured (no delivery streams)\n");
    expect(r.stdout).toMatch(/SLO {7}putLatencyP99 < 30s in every 20s: worst 20s [\d.]+ ms.* — met\n/);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    expect(summary.slo.map((v: { verdict: string }) => v.verdict)).toEqual([
      "met",
      "notMeasured",
      "notMeasured",
    ]);
    expect(summary.slo[1]).toMatchObject({ name: "iteratorAgeMax", actual: null, reason: "no consumers" });
    expect(summary.sloMet).toBe(true);
  });

  it.concurrent("a write-side SLO with no producer writing to the stream is not measured either", async ({
    expect,
  }) => {
    const r = await kinesim(
      "validate",
      "scenarios/firehose-direct-put.yaml",
      "--set",
      'slo.putLatencyP99="< 1s"',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      'slo.putLatencyP99: nothing to measure: no Kinesis data stream; runs report this SLO as "not measured (no Kinesis data stream)" (from --set slo.putLatencyP99=',
    );
  });

  it.concurrent("plan refuses an SLO it cannot judge a shard count by", async ({ expect }) => {
    const r = await kinesim("plan", file, "--quiet", "--out", join(work, "slo-plan"));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "slo.iteratorAgeMax has nothing to measure (no consumers), so it cannot judge a plan: remove it (--set slo.iteratorAgeMax=null)",
    );
  });
});

describe("cited sources", () => {
  it.concurrent("messages name documents; --verbose adds their titles and URLs", async ({ expect }) => {
    const file = "test/fixtures/bad/fh-buffer-size-200mib.yaml";
    const [plain, verbose] = await Promise.all([
      kinesim("validate", file),
      kinesim("validate", file, "--verbose"),
    ]);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/Sources?: Amazon Data Firehose Developer Guide/);
    expect(plain.stderr).not.toMatch(/FH-BUF-CUR|BOTO-2026|FH-Q-CUR/);
    expect(plain.stderr).toContain("(--verbose lists the cited AWS documents with their URLs)");
    expect(plain.stderr).not.toContain("https://");
    expect(verbose.code).toBe(2);
    expect(verbose.stderr).toContain("https://docs.aws.amazon.com/firehose/");
  });
});

describe("YAML syntax errors", () => {
  it.concurrent("a { never closed is one error at the {, not the parser's cascade", async ({ expect }) => {
    const r = await kinesim("validate", "test/fixtures/bad/yaml-broken-brace-at-top.yaml");
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines).toEqual([
      "test/fixtures/bad/yaml-broken-brace-at-top.yaml:5:1: YAML syntax: this { is never closed: end the mapping with } (on the same line, or on a later line indented more than its key), or write it one key: value per line",
      "stopped at this YAML syntax error (fix it to see any others); nothing was run.",
    ]);
  });
});

describe("validate says what the scenario has", () => {
  it.concurrent("a direct-PUT scenario: no stream, one producer, its delivery stream and variants", async ({
    expect,
  }) => {
    const r = await kinesim("validate", "scenarios/firehose-direct-put.yaml");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      [
        "scenarios/firehose-direct-put.yaml: valid — firehose-direct-put, 30m simulated",
        "  producer         app-servers → events: 473 records/s on average, up to 6,144/s",
        "  delivery stream  events: direct PUT → s3",
        "  variants         zero-buffering, partitioned, largest-buffers",
        "",
      ].join("\n"),
    );
    expect(r.stdout).not.toMatch(/\bstream:|shards?\b/);
  });

  it.concurrent("one shard is 1 shard; consumers are named with their kind; SLOs listed", async ({
    expect,
  }) => {
    const file = scenario(
      "inventory",
      `name: inv
duration: 1m
stream: { name: s, shards: 1 }
streams: [{ name: out, shards: 3 }]
producers:
  - { name: a, rate: 10/s }
  - { name: b, rate: 30/s }
consumers:
  - { name: l, type: lambda }
  - { name: e, type: efo }
analytics:
  - { name: app, source: { stream: s }, sink: { stream: out }, window: { type: tumbling, size: 10s }, output: { recordsPerWindow: 10 } }
events:
  - { at: 30s, action: UpdateShardCount, targetShardCount: 2 }
slo: { putLatencyP99: "< 2s" }
`,
    );
    const r = await kinesim("validate", file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split("\n").slice(1)).toEqual([
      "  streams      s: 1 shard; out: 3 shards",
      "  producers    a → s, b → s: 40 records/s in total",
      "  consumers    l (lambda), e (efo)",
      "  application  app (flink): reads s",
      "  event        1 capacity action (1 UpdateShardCount)",
      "  SLO          putLatencyP99",
      "",
    ]);
  });
});
