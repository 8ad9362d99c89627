// Autoscaling policies for provisioned streams. They see what they would see in AWS — one-minute
// CloudWatch sums, reaching them `metricDelay` late — and act through UpdateShardCount, so the
// same rules bind them as scheduled actions: ×2 / ÷2 per call, 10 calls per rolling day, no call
// while the stream is UPDATING.
//
//  threshold        like the open-source Kinesis scaling utility: scale up after N minutes above
//                   a utilisation threshold, down after M minutes below one, with cool-offs
//  alarm            double when WriteProvisionedThroughputExceeded alarms; halve after an hour of
//                   low utilisation unless a consumer's iterator age is high
//  target-tracking  hold utilisation near a target

import type { Simulation } from "../engine/simulation.js";
import { US_PER_MIN } from "../engine/time.js";
import type { ScalingSpec } from "../scenario/capacity.js";
import { formatPercent } from "../scenario/units.js";
import type { CapacityManager } from "./capacity.js";
import type { MinuteMetrics, StreamMinute } from "./minute-metrics.js";
import type { Stream } from "./stream.js";

/** A scaling policy acting on a provisioned stream. */
export class Autoscaler {
  private lastActionUs = Number.NEGATIVE_INFINITY;
  private lastDirection: "up" | "down" | undefined;
  private highStreak = 0;
  private lowStreak = 0;

  constructor(
    private readonly sim: Simulation,
    private readonly stream: Stream,
    private readonly manager: CapacityManager,
    private readonly spec: ScalingSpec,
    private readonly minutes: MinuteMetrics,
  ) {
    minutes.onMinute(() => {
      // The policy reads the minute that ended `metricDelay` ago.
      this.sim.schedule(spec.metricDelay, () => this.evaluate());
    });
  }

  /** Utilisation of a minute: the higher of bytes and records against the shards then open. */
  private utilization(m: StreamMinute): number {
    const seconds = US_PER_MIN / 1e6;
    const bytes = m.incomingBytes / (m.openShards * this.stream.bytesPerSecondLimit * seconds);
    const records = m.incomingRecords / (m.openShards * this.stream.recordsPerSecondLimit * seconds);
    return Math.max(bytes, records);
  }

  private evaluate(): void {
    if (this.manager.mode !== "provisioned") return;
    const history = this.minutes.history;
    // The newest minute that has reached the policy.
    const cutoff = this.sim.nowUs - this.spec.metricDelay;
    const visible = history.filter((m) => m.startUs + US_PER_MIN <= cutoff);
    const latest = visible.at(-1);
    if (!latest) return;
    const util = this.utilization(latest);
    const current = this.stream.openCount;
    const now = this.sim.nowUs;
    const spec = this.spec;
    switch (spec.policy) {
      case "threshold": {
        this.highStreak = util >= spec.scaleUp.threshold ? this.highStreak + 1 : 0;
        this.lowStreak = util <= spec.scaleDown.threshold ? this.lowStreak + 1 : 0;
        if (
          this.highStreak >= spec.scaleUp.minutes &&
          this.cooled(now, spec.scaleUp.coolOff, spec.scaleDown.coolOff)
        ) {
          const target = Math.min(
            spec.maxShards,
            current * 2,
            current + Math.max(1, Math.ceil((current * spec.scaleUp.byPercent) / 100)),
          );
          this.act(
            target,
            "up",
            `utilisation ≥ ${formatPercent(spec.scaleUp.threshold)} for ${this.highStreak} minutes (last ${formatPercent(round(util))})`,
          );
        } else if (
          this.lowStreak >= spec.scaleDown.minutes &&
          this.cooled(now, spec.scaleUp.coolOff, spec.scaleDown.coolOff)
        ) {
          const target = Math.max(
            spec.minShards,
            Math.ceil(current / 2),
            current - Math.max(1, Math.floor((current * spec.scaleDown.byPercent) / 100)),
          );
          this.act(
            target,
            "down",
            `utilisation ≤ ${formatPercent(spec.scaleDown.threshold)} for ${this.lowStreak} minutes (last ${formatPercent(round(util))})`,
          );
        }
        return;
      }
      case "alarm": {
        const recent = visible.slice(-spec.of);
        const alarming = recent.filter((m) => m.throttledRecords > 0).length;
        const low = visible.slice(-spec.lowMinutes);
        const quiet =
          low.length >= spec.lowMinutes && low.every((m) => this.utilization(m) < spec.lowUtilization);
        const ageOk = Math.max(0, ...low.map((m) => m.iteratorAgeMaxMs)) * 1000 < spec.iteratorAgeGuard;
        if (!this.cooled(now, spec.coolOff, spec.coolOff)) return;
        if (alarming >= spec.throttleMinutes) {
          this.act(
            Math.min(spec.maxShards, current * 2),
            "up",
            `WriteProvisionedThroughputExceeded > 0 in ${alarming} of the last ${recent.length} minutes`,
          );
        } else if (quiet && ageOk) {
          this.act(
            Math.max(spec.minShards, Math.ceil(current / 2)),
            "down",
            `utilisation < ${formatPercent(spec.lowUtilization)} for ${spec.lowMinutes} minutes and iterator age under the guard`,
          );
        }
        return;
      }
      case "target-tracking": {
        const desired = Math.ceil((current * util) / spec.target);
        if (desired > current && this.cooled(now, spec.scaleOutCooldown, spec.scaleOutCooldown)) {
          this.act(
            Math.min(spec.maxShards, current * 2, desired),
            "up",
            `utilisation ${formatPercent(round(util))} against a target of ${formatPercent(spec.target)}`,
          );
        } else if (desired < current && this.cooled(now, spec.scaleInCooldown, spec.scaleInCooldown)) {
          this.act(
            Math.max(spec.minShards, Math.ceil(current / 2), desired),
            "down",
            `utilisation ${formatPercent(round(util))} against a target of ${formatPercent(spec.target)}`,
          );
        }
        return;
      }
      default: {
        const never: never = spec;
        throw new Error(`unknown scaling policy ${JSON.stringify(never)}`);
      }
    }
  }

  /** Whether the cool-off after the last action has passed (per direction of that action). */
  private cooled(now: number, afterUp: number, afterDown: number): boolean {
    const wait = this.lastDirection === "down" ? afterDown : afterUp;
    return now - this.lastActionUs >= wait;
  }

  private act(target: number, direction: "up" | "down", reason: string): void {
    const current = this.stream.openCount;
    if (target === current || !this.manager.active) return;
    if (this.manager.updateShardCount(target, `${this.spec.policy} policy: ${reason}`)) {
      this.lastActionUs = this.sim.nowUs;
      this.lastDirection = direction;
      this.highStreak = 0;
      this.lowStreak = 0;
    }
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
