// A Lambda handler for Kinesis events, invoked by kinesim's simulated event source mapping:
//
//   npx kinesim run examples/clients/ledger-lambda.yaml --client lambda=./examples/clients/ledger-handler.mjs
//
// It decodes each record, "writes" it to a ledger (a 2 ms call per record, awaited in virtual
// time), and reports the records of one frozen account as failed items (ReportBatchItemFailures):
// Lambda retries the batch from the first of them, and after the mapping's retries the failed
// records go to the on-failure destination. The run's report shows the invocations, their
// durations, the retries and what reached the destination.

/** An account the ledger refuses (its records fail). */
const FROZEN = "account-13";

export async function handler(event) {
  const batchItemFailures = [];
  for (const record of event.Records) {
    const body = JSON.parse(Buffer.from(record.kinesis.data, "base64").toString("utf8"));
    if (record.kinesis.partitionKey === FROZEN) {
      batchItemFailures.push({ itemIdentifier: record.kinesis.sequenceNumber });
      continue;
    }
    await writeToLedger(body);
  }
  return { batchItemFailures };
}

/** Stands for a downstream call: 2 ms, in the run's virtual time. */
function writeToLedger(_body) {
  return new Promise((resolve) => setTimeout(resolve, 2));
}
