// On-demand capacity as AWS documents it: a stream starts at 4 shards (4 MiB/s, 4,000 records/s
// of writes) and accommodates up to twice the peak write throughput of the last 30 days; a shard
// writing more than about 500 KB/s is split; both happen within about 15 minutes, so traffic that
// more than doubles the previous peak faster than that is throttled meanwhile. Per-shard and
// per-key limits still apply inside. AWS documents no scale-down; it is a setting.

import { ON_DEMAND } from "../data/kinesis-limits.js";
import type { Simulation } from "../engine/simulation.js";
import { US_PER_MIN } from "../engine/time.js";
import type { OnDemandSpec } from "../scenario/capacity.js";
import { formatNumber } from "../scenario/units.js";
import type { CapacityManager } from "./capacity.js";
import { middleOf } from "./capacity.js";
import type { MinuteMetrics, ShardMinute, StreamMinute } from "./minute-metrics.js";
import type { Shard } from "./shard.js";
import type { Stream } from "./stream.js";

/** Bytes as decimal kilobytes, the unit AWS states the split threshold in. */
const kb = (bytes: number) => formatNumber(Math.round(bytes / 1000));

/** The smallest range (share of the hash space) the scaler still splits: hot keys are not isolated. */
const MIN_SPLIT_SHARE = 1 / 4096;

/** Follows write traffic while the stream is on-demand. */
export class OnDemandScaler {
  /** Peak offered bytes/s and records/s, per minute, over the last 30 days (monotonic deques). */
  private readonly peakBytes: [number, number][] = [];
  private readonly peakRecords: [number, number][] = [];
  /** Shards with a split on its way, and into how many halvings. */
  private readonly pending = new Map<Shard, { levels: number }>();
  private pendingSplits = 0;
  /** Consecutive cold minutes per adjacent pair, by the left shard. */
  private readonly cold = new Map<Shard, number>();

  constructor(
    private readonly sim: Simulation,
    private readonly stream: Stream,
    private readonly manager: CapacityManager,
    private readonly spec: OnDemandSpec,
    minutes: MinuteMetrics,
  ) {
    if (spec.previousPeak > 0) this.peakBytes.push([0, spec.previousPeak]);
    if (spec.previousPeakRecords > 0) this.peakRecords.push([0, spec.previousPeakRecords]);
    minutes.onMinute((minute, shards) => this.onMinute(minute, shards));
  }

  /** Shards the stream should have now: room for twice the 30-day peak, within the maximum. */
  targetShards(): number {
    const perShardBytes = this.stream.bytesPerSecondLimit;
    const perShardRecords = this.stream.recordsPerSecondLimit;
    const bytes = this.peakBytes[0]?.[1] ?? 0;
    const records = this.peakRecords[0]?.[1] ?? 0;
    const want = Math.max(
      ON_DEMAND.initialShards.value,
      Math.ceil((ON_DEMAND.peakMultiple.value * bytes) / perShardBytes),
      Math.ceil((ON_DEMAND.peakMultiple.value * records) / perShardRecords),
      Math.ceil(this.spec.warmThroughput / perShardBytes),
    );
    return Math.min(want, this.maxShards());
  }

  /** Shards that carry the stream's maximum write throughput. */
  maxShards(): number {
    return Math.max(
      ON_DEMAND.initialShards.value,
      Math.floor(this.spec.maxWriteThroughput / this.stream.bytesPerSecondLimit),
    );
  }

  private onMinute(minute: StreamMinute, shards: ShardMinute[]): void {
    // On-demand follows the write throughput the stream takes in (IncomingBytes, IncomingRecords):
    // throttled attempts, retries included, are not traffic it learns from.
    const seconds = US_PER_MIN / 1e6;
    this.observePeak(this.peakBytes, minute.startUs, minute.incomingBytes / seconds);
    this.observePeak(this.peakRecords, minute.startUs, minute.incomingRecords / seconds);
    if (this.manager.mode !== "on-demand") return;
    const now = this.sim.nowUs;
    const target = this.targetShards();
    const candidates = shards
      .filter((s) => s.shard.open && splittable(s.shard))
      .map((s) => ({ shard: s.shard, offered: s.bytes / seconds }))
      .sort((a, b) => b.offered - a.offered || a.shard.number - b.shard.number);
    // A hot shard is split into as many equal parts (halving each time) as bring each under the
    // split threshold; then the busiest shards are split in two until there is room for 2× the peak.
    const plan = new Map<Shard, { levels: number; reason: string }>();
    let planned = this.stream.openCount + this.pendingSplits;
    for (const { shard, offered } of candidates) {
      if (offered <= this.spec.splitThreshold) continue;
      const levels = Math.max(1, Math.ceil(Math.log2(offered / this.spec.splitThreshold)));
      const already = this.pending.get(shard)?.levels ?? 0;
      if (levels <= already) continue;
      plan.set(shard, {
        levels,
        reason: `shard writes ${kb(offered)} KB/s, over the split threshold of ${kb(this.spec.splitThreshold)} KB/s`,
      });
      planned += 2 ** levels - 2 ** already;
    }
    for (const { shard } of candidates) {
      if (planned >= target) break;
      if (plan.has(shard) || this.pending.has(shard)) continue;
      plan.set(shard, { levels: 1, reason: `room for 2× the 30-day peak needs ${target} shards` });
      planned += 1;
    }
    let room = this.maxShards() - this.stream.openCount - this.pendingSplits;
    for (const [shard, { levels, reason }] of plan) {
      const already = this.pending.get(shard)?.levels ?? 0;
      let l = levels;
      while (l > already && 2 ** l - 2 ** already > room) l--;
      if (l <= already) continue;
      room -= 2 ** l - 2 ** already;
      this.scheduleSplit(shard, l, reason, now);
    }
    if (this.spec.scaleDown !== "never" && plan.size === 0 && this.pendingSplits === 0)
      this.scaleDown(shards, target);
  }

  /**
   * Splits `shard` into 2^levels equal parts after the scale-up delay. A split already on its way
   * is deepened instead (it keeps its time): capacity follows the newest need.
   */
  private scheduleSplit(shard: Shard, levels: number, reason: string, now: number): void {
    const existing = this.pending.get(shard);
    if (existing) {
      this.pendingSplits += 2 ** levels - 2 ** existing.levels;
      existing.levels = levels;
      return;
    }
    const entry = { levels };
    this.pending.set(shard, entry);
    this.pendingSplits += 2 ** levels - 1;
    this.sim.at(now + this.spec.scaleUpDelay, () => {
      this.pending.delete(shard);
      this.pendingSplits -= 2 ** entry.levels - 1;
      if (!shard.open || this.manager.mode !== "on-demand") return;
      const from = this.stream.openCount;
      let parts = [shard];
      for (let l = 0; l < entry.levels; l++)
        parts = parts.flatMap((p) =>
          splittable(p) ? this.stream.splitShard(p, middleOf(p), this.sim.nowUs) : [p],
        );
      this.manager.actions.push({
        atUs: now,
        action: `on-demand split ${shard.id} into ${parts.length}`,
        from,
        to: this.stream.openCount,
        reason,
        result: "done",
        message: "",
      });
    });
  }

  /** Merges the coldest adjacent pair that has stayed under the threshold long enough. */
  private scaleDown(shards: ShardMinute[], target: number): void {
    const rule = this.spec.scaleDown as Exclude<OnDemandSpec["scaleDown"], "never">;
    if (this.stream.openCount <= target) return;
    const load = new Map(shards.map((s) => [s.shard, s.bytes / (US_PER_MIN / 1e6)]));
    const open = this.stream.open;
    const limit = rule.below * this.stream.bytesPerSecondLimit;
    let best: [Shard, Shard] | undefined;
    for (let i = 0; i + 1 < open.length; i++) {
      const a = open[i]!;
      const b = open[i + 1]!;
      const together = (load.get(a) ?? 0) + (load.get(b) ?? 0);
      const minutes = together < limit ? (this.cold.get(a) ?? 0) + 1 : 0;
      this.cold.set(a, minutes);
      if (minutes * US_PER_MIN >= rule.after && !best) best = [a, b];
    }
    if (!best) return;
    const from = this.stream.openCount;
    const [a, b] = best;
    this.stream.mergeShards(a, b, this.sim.nowUs);
    this.cold.delete(a);
    this.manager.actions.push({
      atUs: this.sim.nowUs,
      action: `on-demand merge ${a.id} + ${b.id}`,
      from,
      to: this.stream.openCount,
      reason: "both cold for the scale-down period",
      result: "done",
      message: "",
    });
  }

  private observePeak(deque: [number, number][], atUs: number, value: number): void {
    const window = ON_DEMAND.peakWindowDays.value * 24 * 60 * US_PER_MIN;
    while (deque.length > 0 && deque.at(-1)![1] <= value) deque.pop();
    deque.push([atUs, value]);
    while (deque.length > 0 && deque[0]![0] < atUs - window) deque.shift();
  }
}

function splittable(shard: Shard): boolean {
  const width = Number((shard.range.end - shard.range.start) >> 64n) / 2 ** 64;
  return width >= MIN_SPLIT_SHARE;
}
