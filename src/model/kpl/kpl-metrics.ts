// The KPL's own metrics (the names it publishes to CloudWatch), per interval and for the run: what
// kpl-<producer>.csv holds and the summary reads — aggregation ratio, buffering time, errors by
// code, and what the rate limiter holds back.

import { US_PER_MS } from "../../engine/time.js";
import type { Cell } from "../../metrics/sink.js";
import { round } from "../run-recorder.js";

/** Counters of one interval (or of the run). */
export class KplCounters {
  received = 0;
  usersPut = 0;
  usersDataPut = 0;
  krsPut = 0;
  krsDataPut = 0;
  /** PUT payload units (25 KB each) and bytes rounded up to 1 KB of the Kinesis records put. */
  putUnits = 0;
  bytes1k = 0;
  /** Kinesis records and user records sent in requests, and requests. */
  krsSent = 0;
  usersSent = 0;
  requests = 0;
  requestUs = 0;
  /** BufferingTime: µs from entering the buffers to a send, summed over user records sent. */
  bufferingUs = 0;
  buffered = 0;
  /** Kinesis records throttled, held past their expiry in the limiter; requests timed out. */
  errorsThrottled = 0;
  errorsExpired = 0;
  errorsTimeout = 0;
  /** User records that landed on a shard the map did not predict and were sent again. */
  wrongShard = 0;
  /** User records that expired (RecordTtl) before they were put. */
  expired = 0;
  /** User records finished (put or failed) and their retries. */
  finished = 0;
  retries = 0;
  /** Most user records the rate limiters held at once (the producer keeps it up to date). */
  heldMax = 0;

  addTo(t: KplCounters): void {
    for (const key of COUNTER_KEYS) {
      if (key === "heldMax") t.heldMax = Math.max(t.heldMax, this.heldMax);
      else t[key] += this[key];
    }
  }

  reset(): void {
    for (const key of COUNTER_KEYS) this[key] = 0;
  }
}

type CounterKey = { [K in keyof KplCounters]: KplCounters[K] extends number ? K : never }[keyof KplCounters];
const COUNTER_KEYS = Object.keys(new KplCounters()) as CounterKey[];

const ratio = (a: number, b: number) => (b > 0 ? round(a / b) : 0);

/** The KPL metrics of one producer. */
export class KplMetrics {
  /** Columns of kpl-<producer>.csv: the KPL's metric names (averages where the KPL averages). */
  static readonly COLUMNS = [
    "Time",
    "UserRecordsReceived",
    "UserRecordsPending",
    "UserRecordsPut",
    "UserRecordsDataPut",
    "KinesisRecordsPut",
    "KinesisRecordsDataPut",
    "UserRecordsPerKinesisRecord",
    "KinesisRecordsPerPutRecordsRequest",
    "PutRecordsRequests",
    "ErrorsByCode.ProvisionedThroughputExceededException",
    "ErrorsByCode.WrongShard",
    "ErrorsByCode.Expired",
    "ErrorsByCode.RequestTimeout",
    "AllErrors",
    "RetriesPerRecord",
    "BufferingTime",
    "RequestTime",
    "UserRecordExpired",
    "RateLimiterHeldUserRecords",
    "RateLimiterHeldKinesisRecords",
  ] as const;

  readonly interval = new KplCounters();
  readonly totals = new KplCounters();

  /** The interval's row (pending and held: at its end); closes the interval. */
  row(time: number, _lengthS: number, pending: number, heldUsers: number, heldKrs: number): Cell[] {
    const c = this.interval;
    const row: Cell[] = [
      time,
      c.received,
      pending,
      c.usersPut,
      c.usersDataPut,
      c.krsPut,
      c.krsDataPut,
      ratio(c.usersSent, c.krsSent),
      ratio(c.krsSent, c.requests),
      round(c.requests),
      c.errorsThrottled,
      c.wrongShard,
      c.errorsExpired,
      round(c.errorsTimeout),
      c.errorsThrottled + c.wrongShard + c.errorsExpired + round(c.errorsTimeout),
      ratio(c.retries, c.finished),
      ratio(c.bufferingUs / US_PER_MS, c.buffered),
      ratio(c.requestUs / US_PER_MS, c.requests),
      c.expired,
      heldUsers,
      heldKrs,
    ];
    this.close();
    return row;
  }

  /** Adds the interval to the run's totals and clears it. */
  close(): void {
    this.interval.addTo(this.totals);
    this.interval.reset();
  }

  /** The run so far, the open interval included. */
  totalsNow(): KplCounters {
    const t = new KplCounters();
    this.totals.addTo(t);
    this.interval.addTo(t);
    return t;
  }
}
