// The Kinesis Agent as a client, and the KPL's and the agent's settings as bad input: a line is a
// record with its newline and a 17-character random decimal key; batches are the agent's; its
// backoff is 100 ms doubling to 10 s with ±30%; the SDK loop's settings beside it are refused.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validReport } from "../../src/cli/inventory.js";
import { RandomStreams } from "../../src/engine/random.js";
import { backoffDelay } from "../../src/model/retry.js";
import { loadScenario } from "../../src/scenario/load.js";
import { runInMemory, scenarioOf } from "../laws.js";
import { propertySeed, runs } from "../support/property.js";

describe("Kinesis Agent", () => {
  const run = runInMemory(
    scenarioOf(`
name: agent-test
seed: 2
duration: 60s
stream: { name: s, shards: 2 }
producers:
  - { name: web, client: agent, instances: 3, rate: 600/s, recordSize: 400B, agent: { maxBufferAge: 2s } }
`),
  );
  const s = run.summary;

  it("sends each line with its newline and a random decimal key of 17 characters", () => {
    // Bytes against the stream's limits: 400 + 1 (newline) of data and 17 of key.
    expect(s.bytes.accepted / s.records.accepted).toBe(418);
    const agent = run.sink.records("agent-web");
    const sent = agent.reduce((a, r) => a + Number(r["BytesSent"]), 0);
    // BytesSent counts data only: 401 bytes a line.
    expect(sent).toBe(401 * s.records.accepted);
    const attempts = agent.reduce((a, r) => a + Number(r["RecordSendAttempts"]), 0);
    expect(attempts).toBe(s.records.accepted + s.records.throttledAttempts);
  });

  it("sends a batch when it is maxBufferAge old: 200 lines an agent per 2 s", () => {
    // Each of 3 agents gets 200 lines/s; a batch is sent when its first line is 2 s old (400 lines,
    // under 500): lines wait about 1 s on average, none much longer than 2 s plus a request.
    expect(s.putLatencyMs.p50).toBeGreaterThan(800);
    expect(s.putLatencyMs.p50).toBeLessThan(1300);
    expect(s.putLatencyMs.p99).toBeLessThan(2600);
  });

  it("backs off 100 ms × 2^n up to 10 s, times 1 ± 30%", () => {
    const policy = scenarioOf(`
name: a
duration: 1s
stream: { name: s, shards: 1 }
producers: [{ name: web, client: agent, rate: 1/s }]
`).producers[0]!.retry;
    expect(policy.maxAttempts).toBe(Number.POSITIVE_INFINITY);
    const seed = propertySeed("agent-backoff");
    const rng = new RandomStreams(String(seed)).stream("test");
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), (retry) => {
        const ceiling = Math.min(10_000_000, 100_000 * 2 ** retry);
        const d = backoffDelay(policy, retry, 0, rng);
        return d >= Math.floor(0.7 * ceiling) && d <= Math.ceil(1.3 * ceiling);
      }),
      { seed, numRuns: runs(200) },
    );
  });
});

describe("client settings as bad input", () => {
  const producer = (fields: string) => `
name: bad
duration: 10s
stream: { name: s, shards: 1 }
producers:
  - { name: p, rate: 10/s, ${fields} }
`;
  const cases: [string, RegExp][] = [
    [
      "client: kpl, batch: { maxRecords: 10 }",
      /batch is a setting of the SDK send loop; the KPL has its own/,
    ],
    ["client: kpl, retry: none", /retry is a setting of the SDK send loop; the KPL has its own/],
    [
      "client: agent, partitionKey: { dist: uniform, keys: 5 }",
      /the Kinesis Agent has its own \(agent\.partitionKeyOption\)/,
    ],
    ["client: agent, maxInFlight: 4", /the Kinesis Agent has its own \(agent\.maxSendingThreads\)/],
    ["client: agent, agent: { maxBufferAge: 500ms }", /maxBufferAge.*1s|1 s/],
    ["client: agent, agent: { maxBufferSizeRecords: 501 }", /maxBufferSizeRecords.*500/],
    ["client: kpl, kpl: { aggregationMaxSize: 2MiB }", /aggregationMaxSize/],
  ];
  it("warns that another client's settings are ignored", () => {
    const { warnings } = loadScenario(producer("kpl: { rateLimit: 100 }, agent: { maxBufferAge: 5s }"), {
      file: "t.yaml",
    });
    expect(warnings.join("\n")).toMatch(/kpl: settings apply to client: kpl and are ignored for client: sdk/);
    expect(warnings.join("\n")).toMatch(/agent: settings apply to client: agent and are ignored/);
  });

  for (const [fields, message] of cases) {
    it(`refuses ${fields}`, () => {
      expect(() => scenarioOf(producer(fields))).toThrow(message);
    });
  }
});

describe("validate names the client", () => {
  it("says which producers are the KPL or the Kinesis Agent", () => {
    const scenario = scenarioOf(`
name: clients
duration: 10s
stream: { name: s, shards: 1 }
producers:
  - { name: a, rate: 10/s }
  - { name: b, client: kpl, rate: 10/s }
  - { name: c, client: agent, rate: 10/s }
`);
    expect(validReport("clients.yaml", scenario)).toContain("a → s, b (KPL) → s, c (Kinesis Agent) → s");
  });
});
