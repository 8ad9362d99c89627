// A Kinesis data stream: its shards (open and closed), the routing of hash keys to open shards,
// and the write path's admission through each shard's limiter.

import { READS } from "../data/consumer-limits.js";
import { KINESIS } from "../data/kinesis-limits.js";
import type { Simulation } from "../engine/simulation.js";
import { US_PER_S } from "../engine/time.js";
import { SecondSeries } from "../metrics/second-series.js";
import { NO_SPREAD, type Spread } from "../metrics/spread.js";
import type { StreamSpec } from "../scenario/schema.js";
import { evenSplit, type HashKeyRange, rangeShare } from "./hash-space.js";
import { createLimiter, type LimiterSettings, prefixBytes, WindowLimiter } from "./limiter.js";
import { ReadLimiter, type ReadLimits } from "./read-limiter.js";
import { Shard } from "./shard.js";
import type { Member } from "./shard-log.js";
import { ShardLog } from "./shard-log.js";
import type { DeferredWriter, WriteTarget } from "./write-target.js";

/** A resharding request that breaks one of AWS's rules. */
export class TopologyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TopologyError";
  }
}

/** A stream and its current topology. */
export class Stream implements WriteTarget {
  readonly name: string;
  /** Largest record in bytes, partition key included. */
  readonly maxRecordSize: number;
  /** Every shard ever created, by creation number. */
  readonly shards: Shard[] = [];
  /** Creation number of the next shard (an imported stream's numbers may have gaps). */
  private nextNumber = 0;
  /** Open shards, in hash-key order. */
  open: Shard[] = [];
  /** Share of the hash space of each open shard. */
  shares = new Float64Array(0);
  /** Bumped whenever the set of open shards changes, so cached routings can be refreshed. */
  topologyVersion = 0;
  private starts = new Float64Array(0);
  private readonly limiterSettings: LimiterSettings;
  private readonly reshardListeners: ((created: readonly Shard[]) => void)[] = [];
  private readonly readLimits: ReadLimits;
  /** Retention period, µs. */
  readonly retentionUs: number;
  /** Time from acceptance until a record is readable, µs. */
  readonly propagationUs: number;
  readonly keyedRecords = true;
  /** Records sent to the stream for the first time, per calendar second (all shards). */
  readonly firstAttemptSeconds = new SecondSeries();
  /** PutRecord is charged per record rounded up to the next KB. */
  readonly roundsSingleRecordCalls = true;
  /** Cohort tick within which a shard's log joins accepted cohorts into one entry (0: none). */
  private cohortTickUs = 0;
  /** Deferred admission (see takeWhole): its simulation, while enabled. */
  private deferral: Simulation | undefined;
  /** Writers holding records taken in full, and the records and bytes they hold. */
  private readonly deferredWriters: DeferredWriter[] = [];
  private deferredRecords = 0;
  private deferredBytes = 0;
  /** Drawing the deferred records' shards now (their writes must not settle again). */
  private settling = false;
  /** When the settling event of the second is due (−1: none pending). */
  private settleAtUs = -1;
  /** The topology version for which `deferrable` holds (−1: to be worked out again). */
  private deferrableVersion = -1;
  /** Some shard's log has a reader or listener (see WriteTarget.keepsPositions; never false again). */
  keepsPositions = false;
  private deferrable = false;
  /** The least room of any open shard in calendar second `roomSecond`, while not stale. */
  private roomSecond = -1;
  private roomStale = true;
  private minRoomRecords = 0;
  private minRoomBytes = 0;

  constructor(spec: StreamSpec) {
    this.name = spec.name;
    this.maxRecordSize = spec.maxRecordSize;
    this.retentionUs = spec.retention;
    this.propagationUs = spec.propagationDelay;
    this.readLimits = {
      callsPerSecond: READS.callsPerSecondPerShard.value,
      bytesPerSecond: READS.bytesPerSecondPerShard.value,
      policy: spec.limiter.policy,
    };
    this.limiterSettings = {
      policy: spec.limiter.policy,
      recordsPerSecond: spec.writeRecordsPerSecond,
      bytesPerSecond: spec.writeBytesPerSecond,
      burstUs: spec.limiter.burst,
      largeRecordTankBytes:
        spec.maxRecordSize > KINESIS.maxRecordSizeDefault.value ? KINESIS.largeRecordBurstBytes.value : 0,
    };
    const list = spec.shardList;
    if (list) {
      // An imported stream: its shards exactly as listed (ids, ranges, lineage, closed parents).
      for (const entry of list) {
        const shard = this.createShard(
          { start: BigInt(entry.startingHashKey), end: BigInt(entry.endingHashKey) },
          0,
          Number(entry.shardId.slice("shardId-".length)),
        );
        shard.parentShardId = entry.parentShardId;
        shard.adjacentParentShardId = entry.adjacentParentShardId;
        if (entry.closed) this.close(shard, 0);
      }
      this.refreshTopology();
      // Another count (a plan's, a --set): the listed shards rescaled as UpdateShardCount would.
      if (spec.shards !== this.openCount) applyUniform(this, spec.shards, 0);
    } else {
      for (const range of evenSplit(spec.shards)) this.createShard(range);
      this.refreshTopology();
    }
  }

  /** Per-shard record limit (records/s). */
  get recordsPerSecondLimit(): number {
    return this.limiterSettings.recordsPerSecond;
  }

  /** Per-shard byte limit (bytes/s). */
  get bytesPerSecondLimit(): number {
    return this.limiterSettings.bytesPerSecond;
  }

  private createShard(range: HashKeyRange, nowUs = 0, number = this.nextNumber): Shard {
    this.nextNumber = Math.max(this.nextNumber, number + 1);
    const shard = new Shard(
      number,
      range,
      createLimiter(this.limiterSettings),
      new ShardLog(this.propagationUs),
      new ReadLimiter(this.readLimits),
    );
    if (this.cohortTickUs > 0) shard.log.joinCohortsWithin(this.cohortTickUs);
    // A reader from now on: what was taken whole goes to the shards before it can read them.
    shard.log.onWatched = () => {
      this.keepsPositions = true;
      this.settleDeferred();
      this.deferrableVersion = -1;
    };
    shard.createdAtUs = nowUs;
    this.shards.push(shard);
    return shard;
  }

  /** At cohort resolution: each shard's log joins the cohorts it accepts within a tick into one
   *  entry while no reader has taken any of it (see ShardLog). */
  joinCohortsWithin(tickUs: number): void {
    this.cohortTickUs = tickUs;
    for (const shard of this.shards) shard.log.joinCohortsWithin(tickUs);
  }

  /**
   * At cohort resolution: admission aggregated per shard within each second (see takeWhole). The
   * run's metrics rows must fall on whole seconds: the records are charged by then. Undefined
   * turns it off (each request is split over the shards as it lands).
   */
  deferAdmission(sim: Simulation | undefined): void {
    if (sim === undefined) this.settleDeferred();
    this.deferral = sim;
  }

  /**
   * Takes `count` first-attempt records of mixed keys (`chargedBytes`) in full if every open shard
   * has room for all of them on top of every record already taken so: then no split of them over
   * the shards could throttle any, and which shard holds how many can be drawn later, for all the
   * records taken so at once — one split and one limiter decision per shard instead of one per
   * request. The sum of independent multinomial splits with the same shard probabilities is the
   * multinomial split of the sum, so the shards' counts have the same distribution as if each
   * request had been split as it landed. The writer draws them (settleDeferred) before any other
   * write reaches the stream, before the shards change, and at the end of the second, so that
   * nothing reads a shard's limiter, counters or log in between; the shards' logs must have no
   * reader (their records would be read late) and the limiters must be calendar windows (the
   * same second's window whenever the records are charged). Returns false, taking nothing, when
   * any of this does not hold.
   */
  takeWhole(nowUs: number, count: number, chargedBytes: number, writer: DeferredWriter): boolean {
    const sim = this.deferral;
    if (sim === undefined || this.settling) return false;
    if (this.deferrableVersion !== this.topologyVersion) {
      this.deferrable = this.open.every(
        (s) => s.limiter instanceof WindowLimiter && s.limiter.windowOnly && s.log.unwatched,
      );
      this.deferrableVersion = this.topologyVersion;
    }
    if (!this.deferrable) return false;
    if (!this.fitsWhole(nowUs, count, chargedBytes)) {
      // Too much for the records already taken as well: charge those, then look again.
      if (this.deferredRecords === 0) return false;
      this.settleDeferred(nowUs);
      if (!this.fitsWhole(nowUs, count, chargedBytes)) return false;
    }
    if (!this.deferredWriters.includes(writer)) this.deferredWriters.push(writer);
    this.deferredRecords += count;
    this.deferredBytes += chargedBytes;
    // Settled at the second's last microsecond: before the next second's window opens, and before
    // a metrics row or a minute's metrics (on whole seconds) read the shards.
    const due = (Math.floor(nowUs / US_PER_S) + 1) * US_PER_S - 1;
    if (this.settleAtUs !== due) {
      this.settleAtUs = due;
      sim.at(due, () => {
        if (this.settleAtUs === due) this.settleAtUs = -1;
        this.settleDeferred(due);
      });
    }
    return true;
  }

  /** Whether every open shard has room for `count` records (`chargedBytes`) on top of the
   *  records already taken in full. */
  private fitsWhole(nowUs: number, count: number, chargedBytes: number): boolean {
    const second = Math.floor(nowUs / US_PER_S);
    if (this.roomStale || second !== this.roomSecond) {
      let records = Number.POSITIVE_INFINITY;
      let bytes = Number.POSITIVE_INFINITY;
      for (const shard of this.open) {
        const limiter = shard.limiter as WindowLimiter;
        records = Math.min(records, limiter.recordsRoom(nowUs));
        bytes = Math.min(bytes, limiter.bytesRoom(nowUs));
      }
      this.minRoomRecords = records;
      this.minRoomBytes = bytes;
      this.roomSecond = second;
      this.roomStale = false;
    }
    return (
      this.deferredRecords + count <= this.minRoomRecords &&
      this.deferredBytes + chargedBytes <= this.minRoomBytes
    );
  }

  /** Has every writer draw the shards of the records the stream took in full, and write them
   *  (at `nowUs`, by default the simulation's time). */
  settleDeferred(nowUs = this.deferral?.nowUs ?? 0): void {
    if (this.deferredWriters.length === 0 || this.settling) return;
    this.settling = true;
    for (const writer of this.deferredWriters) writer.settleDeferred(nowUs);
    this.deferredWriters.length = 0;
    this.deferredRecords = 0;
    this.deferredBytes = 0;
    this.settling = false;
  }

  /** Shard with an id (`shardId-000000000003`) or creation number, if it exists. */
  shard(idOrNumber: string | number): Shard | undefined {
    if (typeof idOrNumber === "number") return this.shards.find((s) => s.number === idOrNumber);
    return this.shards.find((s) => s.id === idOrNumber);
  }

  /** Calls `listener(created)` after every change of the set of open shards. */
  onReshard(listener: (created: readonly Shard[]) => void): void {
    this.reshardListeners.push(listener);
  }

  /**
   * SplitShard: closes `parent` and opens two children, the upper one starting at
   * `newStartingHashKey`. Throws (with AWS's rule) when the split is not allowed.
   */
  splitShard(parent: Shard, newStartingHashKey: bigint, nowUs: number): [Shard, Shard] {
    this.settleDeferred(nowUs);
    if (!parent.open) throw new TopologyError(`${parent.id} is closed: only open shards can be split`);
    if (newStartingHashKey <= parent.range.start || newStartingHashKey > parent.range.end) {
      throw new TopologyError(
        `NewStartingHashKey ${newStartingHashKey} must lie inside ${parent.id}'s range (${parent.range.start + 1n} … ${parent.range.end})`,
      );
    }
    const lower = this.createShard({ start: parent.range.start, end: newStartingHashKey - 1n }, nowUs);
    const upper = this.createShard({ start: newStartingHashKey, end: parent.range.end }, nowUs);
    lower.parentShardId = parent.id;
    upper.parentShardId = parent.id;
    this.close(parent, nowUs);
    this.refreshTopology();
    this.notifyReshard([lower, upper]);
    return [lower, upper];
  }

  /** MergeShards: closes two adjacent open shards and opens one covering both. */
  mergeShards(shard: Shard, adjacent: Shard, nowUs: number): Shard {
    this.settleDeferred(nowUs);
    if (!shard.open || !adjacent.open)
      throw new TopologyError(
        `${!shard.open ? shard.id : adjacent.id} is closed: only open shards can be merged`,
      );
    if (shard === adjacent)
      throw new TopologyError(
        `${shard.id} cannot be merged with itself: MergeShards takes two adjacent shards`,
      );
    if (shard.range.end + 1n !== adjacent.range.start && adjacent.range.end + 1n !== shard.range.start) {
      throw new TopologyError(
        `${shard.id} and ${adjacent.id} are not adjacent: their hash-key ranges must meet with no gap (MergeShards takes two adjacent shards only)`,
      );
    }
    // biome-ignore lint/complexity/useMathMinMax: hash keys are bigints
    const start = shard.range.start < adjacent.range.start ? shard.range.start : adjacent.range.start;
    // biome-ignore lint/complexity/useMathMinMax: hash keys are bigints
    const end = shard.range.end > adjacent.range.end ? shard.range.end : adjacent.range.end;
    const child = this.createShard({ start, end }, nowUs);
    child.parentShardId = shard.id;
    child.adjacentParentShardId = adjacent.id;
    this.close(shard, nowUs);
    this.close(adjacent, nowUs);
    this.refreshTopology();
    this.notifyReshard([child]);
    return child;
  }

  private close(shard: Shard, nowUs: number): void {
    shard.open = false;
    shard.closedAtUs = nowUs;
    shard.log.close();
  }

  private notifyReshard(created: readonly Shard[]): void {
    for (const listener of this.reshardListeners) listener(created);
  }

  private refreshTopology(): void {
    this.open = this.shards.filter((s) => s.open).sort((a, b) => (a.range.start < b.range.start ? -1 : 1));
    this.starts = Float64Array.from(this.open, (s) => s.startFraction);
    this.shares = Float64Array.from(this.open, (s) => rangeShare(s.range));
    this.topologyVersion++;
  }

  /** Number of open shards. */
  get openCount(): number {
    return this.open.length;
  }

  /** Index (into `open`) of the open shard whose range holds `hashKey`. */
  shardOfHash(hashKey: bigint): number {
    const open = this.open;
    let lo = 0;
    let hi = open.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (open[mid]!.range.start <= hashKey) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Index (into `open`) of the open shard holding a position in [0, 1). */
  shardOfFraction(position: number): number {
    const starts = this.starts;
    const n = starts.length;
    // Shards of an even split start near i/n: try that index and its neighbour before searching.
    const guess = Math.min(n - 1, Math.floor(position * n));
    if (starts[guess]! <= position) {
      if (guess + 1 === n || starts[guess + 1]! > position) return guess;
    } else if (guess > 0 && starts[guess - 1]! <= position) {
      return guess - 1;
    }
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= position) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Kinesis has no request-rate quota on writes: every request reaches the shards. */
  admitRequest(_nowUs: number, _records: number): boolean {
    return true;
  }

  /**
   * Offers `count` records (`bytes` actual, `chargedBytes` as the limiter counts them) to the open
   * shard at index `shardIndex`; returns how many were accepted and appends them to its log. The
   * rest were throttled. `originUs`, `spread`, `keyId` and `position` describe the records;
   * `firstAttempt` says whether they are sent for the first time (shares of traffic count those);
   * `users` is the user records they hold (more than `count` when a client aggregated them).
   */
  write(
    nowUs: number,
    shardIndex: number,
    count: number,
    bytes: number,
    chargedBytes: number,
    originUs: number,
    spread: Spread,
    keyId: number,
    position: number,
    firstAttempt: boolean,
    users = count,
    members?: readonly Member[],
  ): number {
    const shard = this.shardToWrite(nowUs, shardIndex);
    const accepted = shard.limiter.admit(nowUs, count, chargedBytes);
    const acceptedBytes = accepted > 0 ? prefixBytes(count, bytes, accepted) : 0;
    if (accepted > 0) {
      // `users` user records in `count` Kinesis records (aggregated by the KPL): the log holds them all.
      shard.log.append(
        usersIn(count, users, accepted),
        acceptedBytes,
        nowUs,
        originUs,
        spread,
        keyId,
        position,
        accepted,
        accepted === count ? members : undefined,
      );
    }
    this.countWrite(shard, nowUs, firstAttempt, count, bytes, accepted, acceptedBytes);
    return accepted;
  }

  /** The open shard at `shardIndex`, once what the stream took whole is charged (it landed
   *  before this write); room left for whole requests must be looked at again after it. */
  private shardToWrite(nowUs: number, shardIndex: number): Shard {
    this.settleDeferred(nowUs);
    this.roomStale = true;
    const shard = this.open[shardIndex]!;
    if (!shard.open) throw new Error(`invariant broken at ${nowUs} µs: a write reached closed ${shard.id}`);
    return shard;
  }

  /** Counts `offered` records (`offeredBytes`) written to `shard` at `nowUs`, `accepted` of them
   *  (`acceptedBytes`): its traffic if sent for the first time, its accepted and throttled. */
  private countWrite(
    shard: Shard,
    nowUs: number,
    firstAttempt: boolean,
    offered: number,
    offeredBytes: number,
    accepted: number,
    acceptedBytes: number,
  ): void {
    if (firstAttempt) {
      shard.recordFirstAttempts(nowUs, offered, offeredBytes);
      this.firstAttemptSeconds.add(Math.floor(nowUs / US_PER_S), offered);
    }
    if (accepted > 0) shard.recordAccepted(nowUs, accepted, acceptedBytes);
    if (accepted < offered) shard.recordThrottled(nowUs, offered - accepted, offeredBytes - acceptedBytes);
  }

  /**
   * One record of a request landed record by record (a producer's records as columns): `write` for
   * one Kinesis record created at `originUs`, without the shard's and stream's counters. The writer
   * counts what each shard was offered and accepted of the request once, with `countLanding`, after
   * the request's last record: nothing reads those counters in between, and they are sums, so the
   * run is the same as with a `write` per record. Returns 1 if the shard accepted it, else 0.
   */
  writeRecord(
    nowUs: number,
    shardIndex: number,
    bytes: number,
    chargedBytes: number,
    originUs: number,
    keyId: number,
    position: number,
  ): number {
    const shard = this.shardToWrite(nowUs, shardIndex);
    if (shard.limiter.admit(nowUs, 1, chargedBytes) === 0) return 0;
    shard.log.append(1, bytes, nowUs, originUs, NO_SPREAD, keyId, position);
    return 1;
  }

  /**
   * A request's part on the shard at `shardIndex` (`count` records of `chargedBytes`, landing at
   * `nowUs`) taken at once, where the shard's log keeps nothing (no reader) and its limiter has
   * room for every record: the same as `writeRecord` for each — the limiter is left as their
   * decisions would leave it (WriteLimiter.admitWhole), the log numbers them — without a call per
   * record. Returns false otherwise, having changed nothing but what any write does first
   * (settling what the stream took whole); not counted (see countLanding).
   */
  writeWhole(nowUs: number, shardIndex: number, count: number, chargedBytes: number): boolean {
    const shard = this.shardToWrite(nowUs, shardIndex);
    const log = shard.log;
    if (!log.unwatched || !shard.limiter.admitWhole(nowUs, count, chargedBytes)) return false;
    log.appendUnwatched(count);
    return true;
  }

  /** Counts what `writeRecord` offered to the shard at `shardIndex` of one request landing at
   *  `nowUs` (`offered` records of `offeredBytes`, `accepted` of `acceptedBytes`), as `write` would
   *  have counted each record. */
  countLanding(
    nowUs: number,
    shardIndex: number,
    firstAttempt: boolean,
    offered: number,
    offeredBytes: number,
    accepted: number,
    acceptedBytes: number,
  ): void {
    this.countWrite(
      this.open[shardIndex]!,
      nowUs,
      firstAttempt,
      offered,
      offeredBytes,
      accepted,
      acceptedBytes,
    );
  }

  /** Drops what every consumer has read (and may not read again) from every shard's log. */
  dropReadEntries(): void {
    for (const shard of this.shards) shard.log.dropRead();
  }

  /** Drops what left retention from every shard's log (expiring it for late consumers). */
  trimLogs(nowUs: number): void {
    const expireBefore = nowUs - this.retentionUs;
    for (const shard of this.shards) shard.log.trim(expireBefore);
  }
}

/**
 * UpdateShardCount as AWS carries it out: uniform scaling to `target` shards of equal ranges,
 * made of pairwise splits (at the new boundaries) and merges (of the pieces inside each new
 * range); the pieces that are split and then merged at once are short-lived intermediate shards.
 */
export function applyUniform(stream: Stream, target: number, nowUs: number): void {
  const goal = evenSplit(target);
  const boundaries = goal.slice(1).map((r) => r.start);
  // 1. Split every open shard at each new boundary strictly inside it.
  for (const b of boundaries) {
    const holder = stream.open[stream.shardOfHash(b)]!;
    if (holder.range.start !== b) stream.splitShard(holder, b, nowUs);
  }
  // 2. Merge the pieces inside each new range, left to right.
  for (const range of goal) {
    let pieces = stream.open.filter((s) => s.range.start >= range.start && s.range.end <= range.end);
    while (pieces.length > 1) {
      const merged = stream.mergeShards(pieces[0]!, pieces[1]!, nowUs);
      pieces = [merged, ...pieces.slice(2)];
    }
  }
}

/**
 * User records in the first `accepted` of `count` Kinesis records that hold `users` in all (at
 * least one each): a cohort's share, the same for the stream's log and the client's ledger.
 */
export function usersIn(count: number, users: number, accepted: number): number {
  if (accepted >= count) return users;
  if (accepted <= 0) return 0;
  const share = Math.round((users * accepted) / count);
  return Math.min(users - (count - accepted), Math.max(accepted, share));
}
