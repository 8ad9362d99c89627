// What a producer writes to: a Kinesis data stream (routed over its shards, each with its own
// limits) or a Firehose delivery stream's direct-PUT endpoint (one quota for the whole stream).
// The producer pipeline — batching, in-flight slots, retries — is the same for both.

import type { Spread } from "../metrics/latency-histogram.js";
import type { HashRouter } from "./keys.js";
import type { Member } from "./shard-log.js";

/** A destination of producer requests. */
export interface WriteTarget extends HashRouter {
  readonly name: string;
  /** Largest record in bytes, partition key included. */
  readonly maxRecordSize: number;
  /** Bumped whenever the partitions that records are routed to change. */
  readonly topologyVersion: number;
  /** The partitions records are routed to (open shards), in hash-key order. */
  readonly open: readonly { readonly startFraction: number }[];
  /** Whether records carry a partition key, which counts toward their size (Kinesis streams). */
  readonly keyedRecords: boolean;
  /** Whether a single-record call is charged rounded up to the next KB (Kinesis PutRecord). */
  readonly roundsSingleRecordCalls: boolean;
  /**
   * Admits or refuses a request as a whole (a request-rate quota); a refused request's records are
   * all throttled. Called once per request as it lands, before its records are written.
   */
  admitRequest(nowUs: number, records: number): boolean;
  /**
   * Offers `count` records (`bytes` actual, `chargedBytes` as a shard's limiter counts them) to
   * partition `index`; returns how many were accepted. `originUs`, `spread`, `keyId` and
   * `position` describe the records; `firstAttempt` is true when they are sent for the first time.
   */
  write(
    nowUs: number,
    index: number,
    count: number,
    bytes: number,
    chargedBytes: number,
    originUs: number,
    spread: Spread,
    keyId: number,
    position: number,
    firstAttempt: boolean,
    /** User records in the `count` records (default `count`; more when a client aggregated them). */
    users?: number,
    /** Record resolution, an aggregated record: each user record's key and creation time. */
    members?: readonly Member[],
  ): number;
  /**
   * One Kinesis record of a request landed record by record, without counting it: the writer
   * counts each partition's part of the request with `countLanding` after its last record (see
   * Stream.writeRecord). Returns 1 if accepted, else 0. Absent: the writer calls `write`.
   */
  writeRecord?(
    nowUs: number,
    index: number,
    bytes: number,
    chargedBytes: number,
    originUs: number,
    keyId: number,
    position: number,
  ): number;
  /**
   * A request's whole part on partition `index` (`count` Kinesis records of `chargedBytes`), landed
   * record by record, taken at once without counting it: true (each record's `writeRecord` would
   * have accepted it, and the partition is left as those calls would leave it) only where nothing
   * follows its records one by one (no reader keeps them) and the partition has room for all of
   * them; otherwise false, and nothing changed: the writer then calls `writeRecord` for each.
   * Optional, with `writeRecord`.
   */
  writeWhole?(nowUs: number, index: number, count: number, chargedBytes: number): boolean;
  /** Counts a request's part on partition `index` that `writeRecord` offered (present with it). */
  countLanding?(
    nowUs: number,
    index: number,
    firstAttempt: boolean,
    offered: number,
    offeredBytes: number,
    accepted: number,
    acceptedBytes: number,
  ): void;
  /**
   * At cohort resolution, takes `count` first-attempt records of mixed keys (`chargedBytes`) in
   * full when every partition could take all of them whatever their split; the `writer` then
   * draws which partitions hold them later, in `settleDeferred`, before anything else writes or
   * the tick ends. Returns false (and takes nothing) otherwise. Absent: never.
   */
  takeWhole?(nowUs: number, count: number, chargedBytes: number, writer: DeferredWriter): boolean;
  /** Has every writer write what the target took whole (see takeWhole); absent: nothing to do. */
  settleDeferred?(nowUs: number): void;
  /**
   * False while no partition keeps what it is written for a reader: a write's key position is then
   * not looked at, and a writer may pass −1 for it. Absent: always looked at.
   */
  readonly keepsPositions?: boolean;
}

/** A writer holding records a target took in full before drawing their partitions. */
export interface DeferredWriter {
  /** Draws the partitions of the records taken in full and writes them there, at `nowUs`. */
  settleDeferred(nowUs: number): void;
}

/**
 * A target that takes every record into one partition (a Firehose direct-PUT endpoint, an SQS
 * queue): routing is trivial, and records are bare data blobs.
 */
export abstract class SinglePartitionTarget {
  readonly topologyVersion = 0;
  readonly open = [{ startFraction: 0 }] as const;
  readonly openCount = 1;
  readonly shares = Float64Array.of(1);
  readonly roundsSingleRecordCalls = false;
  readonly keyedRecords = false;

  shardOfHash(): number {
    return 0;
  }

  shardOfFraction(): number {
    return 0;
  }
}
