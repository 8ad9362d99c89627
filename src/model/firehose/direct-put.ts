// The direct-PUT endpoint of a delivery stream, as producers see it: one quota for the whole
// delivery stream — records/s, bytes/s (calendar seconds, as the Kinesis shard limits are
// modelled) and requests/s — instead of shards. A request over the request quota is refused as a
// whole; records over the record or byte quota are throttled one by one (PutRecordBatch reports
// them in FailedPutCount) and the producer's retry policy resends them.

import { FIREHOSE_PUT } from "../../data/firehose-limits.js";
import { US_PER_S } from "../../engine/time.js";
import type { Spread } from "../../metrics/latency-histogram.js";
import { CallQuota, createLimiter, prefixBytes, type WriteLimiter } from "../limiter.js";
import { SinglePartitionTarget, type WriteTarget } from "../write-target.js";
import type { DeliveryStream } from "./delivery-stream.js";

/** A delivery stream's direct-PUT endpoint. */
export class DirectPut extends SinglePartitionTarget implements WriteTarget {
  readonly name: string;
  readonly maxRecordSize = FIREHOSE_PUT.maxRecordBytes.value;
  private readonly limiter: WriteLimiter;
  private readonly requests: CallQuota;

  constructor(private readonly delivery: DeliveryStream) {
    super();
    this.name = delivery.name;
    const q = delivery.spec.quota;
    this.requests = new CallQuota(q.requests);
    this.limiter = createLimiter({
      policy: "window",
      recordsPerSecond: q.records,
      bytesPerSecond: q.bytes,
      burstUs: US_PER_S,
      largeRecordTankBytes: 0,
    });
  }

  admitRequest(nowUs: number, records: number): boolean {
    if (this.requests.take(nowUs) !== undefined) {
      this.delivery.throttled(records, true);
      return false;
    }
    this.delivery.request();
    return true;
  }

  write(
    nowUs: number,
    _index: number,
    count: number,
    bytes: number,
    _chargedBytes: number,
    originUs: number,
    spread: Spread,
  ): number {
    const accepted = this.limiter.admit(nowUs, count, bytes);
    if (accepted > 0) this.delivery.ingest(accepted, prefixBytes(count, bytes, accepted), originUs, spread);
    if (accepted < count) this.delivery.throttled(count - accepted, false);
    return accepted;
  }
}
