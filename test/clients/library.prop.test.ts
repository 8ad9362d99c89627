// The library form (`kinesim/testing`): a property over a user's own producer code. For any retry
// setting of the SDK, on a stream the traffic overwhelms, the run's ledger balances and the records
// the code reports lost are exactly the ones kinesim counts dropped.

import { KinesisClient, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { fc, runWithClients } from "kinesim/testing";
import { describe, expect, it } from "vitest";
import { propertySeed, runs } from "../support/property.js";

const YAML = (seed: number) => `name: prop
seed: ${seed}
duration: 10s
stream: { name: s, shards: 1, writeRecordsPerSecond: 20/s }
producers:
  - { name: app, rate: 40/s, recordSize: 50B, partitionKey: { dist: uniform, keys: 5 } }
`;

describe("runWithClients", () => {
  it("balances the ledger of a user's PutRecord loop for any SDK maxAttempts", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 1000 }),
        async (maxAttempts, seed) => {
          let lost = 0;
          const result = await runWithClients(YAML(seed), {
            clients: [
              {
                role: "producer",
                run: async ({ clientConfig, streamName, traffic }) => {
                  const client = new KinesisClient({ ...clientConfig, maxAttempts });
                  for (let r = await traffic.next(); r; r = await traffic.next()) {
                    try {
                      await client.send(new PutRecordCommand({ StreamName: streamName, ...r }));
                    } catch {
                      lost++;
                      traffic.drop(r);
                    }
                  }
                },
              },
            ],
          });
          const l = result.summary.ledger;
          expect(l.balanced).toBe(true);
          expect(l.dropped).toBe(lost);
          expect(l.produced).toBe(l.accepted + l.inFlight + l.dropped);
          // The stream throttled, so there was something to account for.
          expect(result.clients[0]!.calls.errors.ProvisionedThroughputExceededException).toBeGreaterThan(0);
        },
      ),
      { numRuns: runs(4), seed: propertySeed("clients-ledger") },
    );
  }, 120_000);
});
