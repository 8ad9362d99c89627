// Capacity over time: the stream's status (ACTIVE / UPDATING) and capacity mode, scheduled
// capacity actions and policy requests checked against AWS's rules, UpdateShardCount carried
// out as pairwise splits and merges (with the short-lived intermediate shards AWS mentions), and
// the log of every action with its reason and result.

import { CAPACITY, KINESIS } from "../data/kinesis-limits.js";
import type { Simulation } from "../engine/simulation.js";
import { US_PER_H } from "../engine/time.js";
import type { CapacityEvent } from "../scenario/capacity.js";
import type { Scenario } from "../scenario/schema.js";
import { formatDuration } from "../scenario/units.js";
import type { Shard } from "./shard.js";
import { applyUniform, Stream, TopologyError } from "./stream.js";

export { applyUniform };

/** ACTIVE or UPDATING, as DescribeStream reports it. */
export type StreamStatus = "ACTIVE" | "UPDATING";
/** Provisioned or on-demand. */
export type CapacityMode = "provisioned" | "on-demand";

/** One capacity action, done or refused. */
export interface CapacityAction {
  atUs: number;
  action: string;
  from: number;
  to: number;
  /** Who asked and why (the schedule, a policy and its reading, the on-demand scaler). */
  reason: string;
  result: "done" | "refused";
  /** For refused actions: the rule broken. */
  message: string;
}

const DAY_US = 24 * US_PER_H;

/** A change of the stream's shards, applied when the stream leaves UPDATING. */
type Change = (stream: Stream, nowUs: number) => void;

/** The stream's status, mode and capacity changes. */
export class CapacityManager {
  status: StreamStatus = "ACTIVE";
  mode: CapacityMode;
  readonly actions: CapacityAction[] = [];
  private updatingUntilUs = 0;
  private readonly updateShardCountCalls: number[] = [];
  private readonly modeSwitches: number[] = [];
  private readonly modeListeners: ((mode: CapacityMode) => void)[] = [];
  /** Shard-hours of open shards so far (provisioned billing), and when they were last added up. */
  private shardUs = 0;
  private lastTallyUs = 0;
  private lastOpen: number;
  /** Most shards open at once. */
  maxOpen: number;

  constructor(
    private readonly sim: Simulation,
    private readonly stream: Stream,
    private readonly scenario: Scenario,
  ) {
    this.mode = scenario.stream.mode;
    this.lastOpen = stream.openCount;
    this.maxOpen = stream.openCount;
    stream.onReshard(() => this.tally());
  }

  /** Schedules the scenario's capacity actions. */
  start(): void {
    this.scenario.events.forEach((event, i) => {
      this.sim.at(event.at, () => this.scheduled(event, i));
    });
  }

  /** Calls `listener` after each mode switch takes effect. */
  onModeChange(listener: (mode: CapacityMode) => void): void {
    this.modeListeners.push(listener);
  }

  /** Open-shard hours so far. */
  shardHours(): number {
    this.tally();
    return this.shardUs / US_PER_H;
  }

  private tally(): void {
    const now = this.sim.nowUs;
    // A count that lasted no time (the intermediate shards of an UpdateShardCount) is not a maximum.
    if (now > this.lastTallyUs) this.maxOpen = Math.max(this.maxOpen, this.lastOpen);
    this.shardUs += this.lastOpen * (now - this.lastTallyUs);
    this.lastTallyUs = now;
    this.lastOpen = this.stream.openCount;
  }

  private scheduled(event: CapacityEvent, index: number): void {
    const reason = `scheduled (events[${index}])`;
    switch (event.action) {
      case "SplitShard": {
        const shard = this.stream.shard(event.shard);
        const key = shard
          ? event.newStartingHashKey === "middle"
            ? middleOf(shard)
            : BigInt(event.newStartingHashKey)
          : 0n;
        this.request(
          "SplitShard",
          reason,
          shard ? (s, t) => void s.splitShard(shard, key, t) : undefined,
          this.stream.openCount + 1,
          shard ? undefined : `shard ${event.shard} does not exist`,
        );
        return;
      }
      case "MergeShards": {
        const a = this.stream.shard(event.shard);
        const b = this.stream.shard(event.adjacentShard);
        const missing = !a ? event.shard : !b ? event.adjacentShard : undefined;
        this.request(
          "MergeShards",
          reason,
          a && b ? (s, t) => void s.mergeShards(a, b, t) : undefined,
          this.stream.openCount - 1,
          missing !== undefined ? `shard ${missing} does not exist` : undefined,
        );
        return;
      }
      case "UpdateShardCount":
        this.updateShardCount(event.targetShardCount, reason);
        return;
      case "UpdateStreamMode":
        this.switchMode(event.mode, reason);
        return;
      default: {
        const never: never = event;
        throw new Error(`unknown capacity action ${JSON.stringify(never)}`);
      }
    }
  }

  /** UpdateShardCount to `target`, by the rules; returns whether it was accepted. */
  updateShardCount(target: number, reason: string): boolean {
    const now = this.sim.nowUs;
    const current = this.stream.openCount;
    const refusal = updateShardCountRefusal(current, target, this.mode, this.updateShardCountCalls, now);
    if (refusal) return this.refuse("UpdateShardCount", reason, target, refusal);
    const accepted = this.request("UpdateShardCount", reason, (s, t) => applyUniform(s, target, t), target);
    if (accepted) this.updateShardCountCalls.push(now);
    return accepted;
  }

  /** UpdateStreamMode, at most twice per rolling 24 hours; the shard count is kept. */
  switchMode(mode: CapacityMode, reason: string): boolean {
    const now = this.sim.nowUs;
    const recent = this.modeSwitches.filter((t) => t > now - DAY_US).length;
    const shards = this.stream.openCount;
    if (mode === this.mode)
      return this.refuse(`UpdateStreamMode ${mode}`, reason, shards, `the stream is already ${mode}`);
    if (recent >= CAPACITY.modeSwitchesPer24h.value) {
      return this.refuse(
        `UpdateStreamMode ${mode}`,
        reason,
        shards,
        `at most ${CAPACITY.modeSwitchesPer24h.value} capacity-mode switches per rolling 24 hours (LimitExceededException)`,
      );
    }
    const accepted = this.begin(
      `UpdateStreamMode ${mode}`,
      reason,
      shards,
      this.scenario.stream.updating.streamMode,
      () => {
        this.mode = mode;
        for (const listener of this.modeListeners) listener(mode);
      },
    );
    if (accepted) this.modeSwitches.push(now);
    return accepted;
  }

  /** A split or merge request (provisioned streams only). */
  private request(
    action: string,
    reason: string,
    change: Change | undefined,
    to: number,
    missing?: string,
  ): boolean {
    if (missing) return this.refuse(action, reason, to, missing);
    if (this.mode !== "provisioned" && action !== "UpdateShardCount") {
      return this.refuse(
        action,
        reason,
        to,
        `${action} works on provisioned streams only (the stream is on-demand)`,
      );
    }
    const duration =
      action === "SplitShard"
        ? this.scenario.stream.updating.splitShard
        : action === "MergeShards"
          ? this.scenario.stream.updating.mergeShards
          : this.scenario.stream.updating.updateShardCount;
    return this.begin(action, reason, to, duration, () => change!(this.stream, this.sim.nowUs));
  }

  /** Starts an UPDATING period; the change applies when it ends. */
  private begin(action: string, reason: string, to: number, durationUs: number, apply: () => void): boolean {
    const now = this.sim.nowUs;
    const from = this.stream.openCount;
    if (this.status === "UPDATING") {
      return this.refuse(
        action,
        reason,
        to,
        `the stream is UPDATING until ${formatDuration(this.updatingUntilUs)} (ResourceInUseException)`,
      );
    }
    this.status = "UPDATING";
    this.updatingUntilUs = now + durationUs;
    this.sim.at(this.updatingUntilUs, () => {
      try {
        apply();
        this.actions.push({
          atUs: now,
          action,
          from,
          to: this.stream.openCount,
          reason,
          result: "done",
          message: `applied at ${formatDuration(this.sim.nowUs)}`,
        });
      } catch (error) {
        if (!(error instanceof TopologyError)) throw error;
        this.actions.push({
          atUs: now,
          action,
          from,
          to: from,
          reason,
          result: "refused",
          message: error.message,
        });
      }
      this.status = "ACTIVE";
    });
    return true;
  }

  private refuse(action: string, reason: string, to: number, message: string): false {
    this.actions.push({
      atUs: this.sim.nowUs,
      action,
      from: this.stream.openCount,
      to,
      reason,
      result: "refused",
      message,
    });
    return false;
  }

  /** Whether a new capacity request would be accepted now (ACTIVE). */
  get active(): boolean {
    return this.status === "ACTIVE";
  }

  /** UpdateShardCount calls in the rolling 24 hours before `nowUs`. */
  callsInLastDay(nowUs: number): number {
    return this.updateShardCountCalls.filter((t) => t > nowUs - DAY_US).length;
  }
}

/** The key in the middle of a shard's range. */
export function middleOf(shard: Shard): bigint {
  return shard.range.start + (shard.range.end - shard.range.start + 1n) / 2n;
}

/** Why UpdateShardCount(current → target) would be refused, or undefined when it is allowed. */
export function updateShardCountRefusal(
  current: number,
  target: number,
  mode: CapacityMode,
  calls: readonly number[],
  nowUs: number,
): string | undefined {
  const factor = CAPACITY.updateShardCountMaxFactor.value;
  if (mode !== "provisioned")
    return "UpdateShardCount works on provisioned streams only (the stream is on-demand)";
  if (target === current) return `the stream already has ${current} open shards`;
  if (target > current * factor)
    return `${target} is more than double the ${current} open shards (UpdateShardCount scales by at most ×${factor} per call)`;
  if (target * factor < current)
    return `${target} is less than half the ${current} open shards (UpdateShardCount scales by at least ÷${factor} per call)`;
  if (target > KINESIS.maxShardsPerStream.value)
    return `${target} exceeds the AWS maximum of ${KINESIS.maxShardsPerStream.value} shards per stream`;
  if (target > KINESIS.accountShardQuota.value)
    return `${target} exceeds the account shard quota of ${KINESIS.accountShardQuota.value}`;
  const recent = calls.filter((t) => t > nowUs - DAY_US).length;
  const limit = CAPACITY.updateShardCountCallsPer24h.value;
  if (recent >= limit)
    return `at most ${limit} UpdateShardCount calls per rolling 24 hours (LimitExceededException)`;
  return undefined;
}

/** A problem with a scheduled action, found by running the schedule on an empty stream. */
export interface ScheduleProblem {
  path: (string | number)[];
  message: string;
  /** A warning is reported and the run goes on; an error stops it before it starts. */
  severity?: "warning";
}

/**
 * Checks the scheduled capacity actions against AWS's rules before the run, replaying them on an
 * empty copy of the stream (shard ids, adjacency, UPDATING periods, call limits). Actions after a
 * switch to on-demand, or on a stream with a scaling policy, depend on traffic and are checked
 * when they happen (refusals are logged in scaling.csv).
 */
export function checkSchedule(scenario: Scenario): ScheduleProblem[] {
  const problems: ScheduleProblem[] = [];
  const stream = new Stream(scenario.stream);
  let mode: CapacityMode = scenario.stream.mode;
  let busyUntil = 0;
  const calls: number[] = [];
  const switches: number[] = [];
  const order = scenario.events.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i);
  const updating = scenario.stream.updating;
  let unpredictable = scenario.scaling !== undefined || mode === "on-demand";
  for (const { e, i } of order) {
    const path = ["events", i];
    const fail = (message: string, field?: string) =>
      problems.push({ path: field ? [...path, field] : path, message });
    if (e.at >= scenario.duration) {
      problems.push({
        path: [...path, "at"],
        message: `${e.action} at ${formatDuration(e.at)} is not before the end of the run (${formatDuration(scenario.duration)}): it never happens`,
        severity: "warning",
      });
      continue;
    }
    if (e.at < busyUntil) {
      fail(
        `the stream is still UPDATING from an earlier action until ${formatDuration(busyUntil)}: a request now fails with ResourceInUseException`,
        "at",
      );
      continue;
    }
    if (e.action !== "UpdateStreamMode" && mode === "on-demand") {
      fail(
        `${e.action} works on provisioned streams only, and the stream is on-demand at ${formatDuration(e.at)}`,
        "action",
      );
      continue;
    }
    // With a scaling policy, or after on-demand scaling, shard ids and counts depend on the
    // traffic: such actions are checked when they happen (refusals are logged in scaling.csv).
    if (unpredictable && e.action !== "UpdateStreamMode") continue;
    try {
      switch (e.action) {
        case "SplitShard": {
          const shard = stream.shard(e.shard);
          if (!shard) {
            fail(
              `no shard ${e.shard} exists at ${formatDuration(e.at)}: shards are ${stream.shards.map((s) => s.id).join(", ")}`,
              "shard",
            );
            continue;
          }
          stream.splitShard(
            shard,
            e.newStartingHashKey === "middle" ? middleOf(shard) : BigInt(e.newStartingHashKey),
            e.at,
          );
          busyUntil = e.at + updating.splitShard;
          break;
        }
        case "MergeShards": {
          const a = stream.shard(e.shard);
          const b = stream.shard(e.adjacentShard);
          if (!a || !b) {
            fail(
              `no shard ${!a ? e.shard : e.adjacentShard} exists at ${formatDuration(e.at)}`,
              !a ? "shard" : "adjacentShard",
            );
            continue;
          }
          stream.mergeShards(a, b, e.at);
          busyUntil = e.at + updating.mergeShards;
          break;
        }
        case "UpdateShardCount": {
          const refusal = updateShardCountRefusal(stream.openCount, e.targetShardCount, mode, calls, e.at);
          if (refusal) {
            fail(refusal, "targetShardCount");
            continue;
          }
          calls.push(e.at);
          applyUniform(stream, e.targetShardCount, e.at);
          busyUntil = e.at + updating.updateShardCount;
          break;
        }
        case "UpdateStreamMode": {
          if (e.mode === mode) {
            fail(`the stream is already ${mode} at ${formatDuration(e.at)}`, "mode");
            continue;
          }
          if (switches.filter((t) => t > e.at - DAY_US).length >= CAPACITY.modeSwitchesPer24h.value) {
            fail(
              `at most ${CAPACITY.modeSwitchesPer24h.value} capacity-mode switches per rolling 24 hours (LimitExceededException)`,
              "at",
            );
            continue;
          }
          switches.push(e.at);
          mode = e.mode;
          if (mode === "on-demand") unpredictable = true;
          busyUntil = e.at + updating.streamMode;
          break;
        }
      }
    } catch (error) {
      if (!(error instanceof TopologyError)) throw error;
      fail(error.message);
    }
  }
  return problems;
}
