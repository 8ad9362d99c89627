// A producer loop as many teams write it, run by `kinesim run` against the simulated stream:
//
//   npx kinesim run scenarios/hot-key.yaml --client producer=./examples/clients/hot-key-producer.mjs
//
// Every 100 ms it sends what the traffic created in PutRecords calls of up to 500 records with the
// real AWS SDK (a client of its own, with a custom retry configuration), resends the entries the
// stream throttled on the next round, and gives up on an entry after 3 attempts. The SDK's own
// retries only cover calls that fail as a whole: a PutRecords that comes back with throttled
// entries is a success to the SDK, so what happens to those entries is this loop's business.
import { KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";

/** Attempts per record before this loop gives up on it. */
const MAX_ATTEMPTS = 3;

export async function producer({ clientConfig, streamName, traffic, sleep, signal }) {
  const client = new KinesisClient({ ...clientConfig, maxAttempts: 5, retryMode: "standard" });
  let again = [];
  while (!signal.aborted && !traffic.ended) {
    await sleep(100);
    const round = [...again, ...traffic.take().map((record) => ({ record, attempts: 0 }))];
    again = [];
    for (let i = 0; i < round.length; i += 500) {
      const part = round.slice(i, i + 500);
      const out = await client.send(
        new PutRecordsCommand({ StreamName: streamName, Records: part.map((e) => e.record) }),
      );
      out.Records.forEach((result, j) => {
        if (!result.ErrorCode) return;
        const entry = part[j];
        entry.attempts++;
        if (entry.attempts < MAX_ATTEMPTS) again.push(entry);
        else traffic.drop(entry.record); // tell kinesim: this record is lost
      });
    }
  }
}
