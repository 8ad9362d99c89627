// Counters of the write path, kept per producer for the current interval and for the run.
// Names follow CloudWatch where CloudWatch has the metric.

/** Write-path counters (records unless named bytes). */
export class WriteCounters {
  /** Records created by producers. */
  produced = 0;
  producedBytes = 0;
  /** Records arriving at a shard for the first time. */
  firstAttempts = 0;
  /** First attempts rejected with ProvisionedThroughputExceeded. */
  firstAttemptsThrottled = 0;
  /** Records in PutRecords requests (PutRecords.TotalRecords), retries included. */
  putRecordsTotal = 0;
  putRecordsSuccessful = 0;
  putRecordsThrottled = 0;
  /** PutRecord calls, retries included. */
  putRecordCalls = 0;
  putRecordSuccessful = 0;
  /** Accepted records and bytes: user records, the unit of the ledger. */
  accepted = 0;
  acceptedBytes = 0;
  /** Accepted Kinesis records and their bytes (IncomingRecords, IncomingBytes): the same as
   *  accepted, unless the client aggregated user records into Kinesis records (the KPL). */
  incomingRecords = 0;
  incomingBytes = 0;
  /** Rejected records, all APIs (WriteProvisionedThroughputExceeded). */
  throttled = 0;
  /** Records sent again after a rejection. */
  retried = 0;
  /** Records given up after their last attempt or their TTL. */
  dropped = 0;
  droppedBytes = 0;
  /** Records the API refused as invalid (over the maximum record size); never retried. */
  rejected = 0;
  rejectedBytes = 0;

  /** Adds every counter into `target`. */
  addTo(target: WriteCounters): void {
    target.produced += this.produced;
    target.producedBytes += this.producedBytes;
    target.firstAttempts += this.firstAttempts;
    target.firstAttemptsThrottled += this.firstAttemptsThrottled;
    target.putRecordsTotal += this.putRecordsTotal;
    target.putRecordsSuccessful += this.putRecordsSuccessful;
    target.putRecordsThrottled += this.putRecordsThrottled;
    target.putRecordCalls += this.putRecordCalls;
    target.putRecordSuccessful += this.putRecordSuccessful;
    target.accepted += this.accepted;
    target.acceptedBytes += this.acceptedBytes;
    target.incomingRecords += this.incomingRecords;
    target.incomingBytes += this.incomingBytes;
    target.throttled += this.throttled;
    target.retried += this.retried;
    target.dropped += this.dropped;
    target.droppedBytes += this.droppedBytes;
    target.rejected += this.rejected;
    target.rejectedBytes += this.rejectedBytes;
  }

  /** Sets every counter to zero. */
  reset(): void {
    this.produced = 0;
    this.producedBytes = 0;
    this.firstAttempts = 0;
    this.firstAttemptsThrottled = 0;
    this.putRecordsTotal = 0;
    this.putRecordsSuccessful = 0;
    this.putRecordsThrottled = 0;
    this.putRecordCalls = 0;
    this.putRecordSuccessful = 0;
    this.accepted = 0;
    this.acceptedBytes = 0;
    this.incomingRecords = 0;
    this.incomingBytes = 0;
    this.throttled = 0;
    this.retried = 0;
    this.dropped = 0;
    this.droppedBytes = 0;
    this.rejected = 0;
    this.rejectedBytes = 0;
  }
}

/** A new set of counters holding the sum of `parts` (a run's totals plus its open interval). */
export function sumOf(...parts: readonly WriteCounters[]): WriteCounters {
  const sum = new WriteCounters();
  for (const part of parts) part.addTo(sum);
  return sum;
}
