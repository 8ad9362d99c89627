// The real @aws-sdk/client-kinesis, default configuration, in virtual time against the simulated
// stream: 3,000 records/s offered to 2 shards (2,000 records/s of capacity) for 2 virtual minutes
// in `npm test` and 10 in `npm run test:deep`. The shards never go over their limits in any
// calendar second, the producer's ledger balances, and the run is byte-identical with the same seed.
// The bounds below are those of 10 minutes scaled to the run's length. At 2 minutes (seed 7) the
// producer made 360,659 records (bounds: over 356,000, under 364,000) in 1,009 PutRecords calls
// (over 800); 240,000 were accepted (over 228,000) and 120,476 dropped (over 100,000).

import { createHash } from "node:crypto";
import { PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { describe, expect, it } from "vitest";
import { type ProducerFunction, simulateWithClients } from "../../src/clients/run-clients.js";
import { MemorySink } from "../../src/metrics/sink.js";
import { loadScenario } from "../../src/scenario/load.js";

const MINUTES = process.env["KINESIM_DEEP"] ? 10 : 2;
const SECONDS = MINUTES * 60;

const SCENARIO = `name: sdk-over-capacity
seed: 7
duration: ${MINUTES}m
stream: { name: orders, shards: 2 }
producers:
  - name: app
    rate: 3000/s
    recordSize: 100B
    partitionKey: { dist: uniform, keys: 1000 }
`;

/** A plain batching loop: every 100 ms, what the traffic created goes out in PutRecords of ≤ 500. */
const batchingLoop: ProducerFunction = async ({ client, streamName, traffic, sleep, signal }) => {
  while (!signal.aborted && !traffic.ended) {
    await sleep(100);
    const records = traffic.take();
    for (let i = 0; i < records.length; i += 500)
      await client.send(
        new PutRecordsCommand({ StreamName: streamName, Records: records.slice(i, i + 500) }),
      );
  }
};

async function run(text: string) {
  const { scenario } = loadScenario(text, { file: "sdk.yaml" });
  const sink = new MemorySink();
  const result = await simulateWithClients(scenario, {
    clients: [{ role: "producer", run: batchingLoop }],
    sink,
  });
  const bytes = JSON.stringify({
    tables: [...sink.tables],
    summary: result.summary,
    clients: result.clients,
  });
  return { result, digest: createHash("sha256").update(bytes).digest("hex") };
}

describe("the real SDK in virtual time", () => {
  it(`writes 3,000 records/s into 2 shards for ${MINUTES} minutes: no shard over its limit in any second, and the ledger balances`, async () => {
    const { summary, run: built, clients } = (await run(SCENARIO)).result;
    // The SDK's own calls reached the simulated stream and were answered.
    expect(clients[0]!.error).toBeUndefined();
    // One PutRecords per loop turn: 100 ms asleep plus the call's latency.
    // (Over 10 minutes: more than 4,000 calls and 1,780,000 to 1,820,000 records.)
    expect(clients[0]!.calls.calls.PutRecords).toBeGreaterThan((4000 * SECONDS) / 600);
    const producer = summary.producers[0]!;
    expect(producer.produced).toBeGreaterThan((1_780_000 * SECONDS) / 600);
    expect(producer.produced).toBeLessThan((1_820_000 * SECONDS) / 600);
    // 2 shards take 2,000 records/s: the rest is throttled, and this loop does not resend it.
    expect(summary.ledger.balanced).toBe(true);
    expect(summary.ledger.produced).toBe(
      summary.ledger.accepted + summary.ledger.inFlight + summary.ledger.dropped + summary.ledger.rejected,
    );
    expect(summary.ledger.accepted).toBeGreaterThan(0.95 * 2 * 1000 * SECONDS);
    expect(summary.ledger.dropped).toBeGreaterThan((500_000 * SECONDS) / 600);
    for (const shard of built.stream.shards) {
      shard.closeSecond();
      expect(shard.peakRecordsPerSecond, shard.id).toBeLessThanOrEqual(1000);
      expect(shard.peakBytesPerSecond, shard.id).toBeLessThanOrEqual(1024 * 1024);
      expect(shard.totalThrottled, shard.id).toBeGreaterThan(0);
    }
  }, 120_000);

  it("gives the same bytes twice with the same seed, and other bytes with another", async () => {
    // Half a minute of the same run (a second full-length run would double this file's time).
    const short = SCENARIO.replace(`duration: ${MINUTES}m`, "duration: 30s");
    const a = await run(short);
    const b = await run(short);
    expect(b.digest).toBe(a.digest);
    const c = await run(short.replace("seed: 7", "seed: 8"));
    expect(c.digest).not.toBe(a.digest);
  }, 120_000);
});
