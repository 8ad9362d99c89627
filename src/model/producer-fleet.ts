// What the rest of a run sees of a producer fleet, whichever client it models: the SDK send loop
// (Producer) or the Kinesis Producer Library (KplProducer). The ledger counts user records.

import type { IntervalHistogram } from "../metrics/latency-histogram.js";
import type { Cell } from "../metrics/sink.js";
import type { KplSummary } from "../metrics/summary.js";
import type { WriteCounters } from "../metrics/write-counters.js";
import type { ResolvedProducer } from "../scenario/schema.js";

/** A table of a client's own metrics (the KPL's CloudWatch metrics), one row per interval. */
export interface ClientTable {
  /** Table name (the CSV file's, without .csv). */
  name: string;
  columns: readonly string[];
  /** The row of the interval that ends now, `lengthS` seconds long; clears the interval's counters. */
  row(time: number, lengthS: number): Cell[];
}

/** A producer fleet as the recorder, the summary and the consumers see it. */
export interface ProducerFleet {
  readonly name: string;
  readonly spec: ResolvedProducer;
  /** Counters of the current interval and of the run (user records; Kinesis records where named so). */
  readonly interval: WriteCounters;
  readonly totals: WriteCounters;
  /** Creation-to-acceptance latency of the current interval, and of the run. */
  readonly latency: IntervalHistogram;
  /** Records on the wire or waiting out a backoff. */
  readonly pendingRecords: number;
  /** The client's own metrics, if it has any. */
  readonly clientTable?: ClientTable;
  /** The client's own summary of the run (the KPL's), if it has one. */
  clientSummary?(): KplSummary;
  start(): void;
  /** Records created but not yet accepted or dropped. */
  inFlightRecords(): number;
  /** Records created but not sent yet: in client buffers and send queues. */
  bufferedRecords(): number;
  /** The run's counters so far, the open interval included. */
  totalsNow(): WriteCounters;
  /** Closes the interval: adds its counters to the totals and clears them. */
  closeInterval(): void;
  /** Probability that one of its records has its key in the hash-space range [lo, hi). */
  keyMassBetween(lo: number, hi: number): number;
  /** The partition key of a key id it gave its records, if it is one of its named keys. */
  partitionKeyOf(keyId: number): string | undefined;
}
