// Scenario forms of capacity over time: on-demand settings, how long reshards keep the stream
// UPDATING, scheduled capacity actions (SplitShard, MergeShards, UpdateShardCount,
// UpdateStreamMode) and autoscaling policies that act on the one-minute CloudWatch metrics.

import { CAPACITY, KINESIS, ON_DEMAND } from "../data/kinesis-limits.js";
import { US_PER_MIN, US_PER_S } from "../engine/time.js";
import { byteRate, countRate, duration, fraction, hashKey, hashKeyMessage, number, oneOf } from "./fields.js";
import * as z from "./zod.js";

/** On-demand capacity settings (used when the stream is or becomes on-demand). */
export const onDemandSchema = z
  .strictObject({
    previousPeak: byteRate({
      min: { value: 0 },
      description: "peak write throughput of the 30 days before the run (default 0)",
    }).default(0),
    previousPeakRecords: countRate({
      min: { value: 0 },
      description: "peak write records/s of the 30 days before the run (default 0)",
    }).default(0),
    scaleUpDelay: duration({
      min: { value: 0 },
      max: { value: 24 * 60 * US_PER_MIN },
      description: "time capacity takes to follow a new peak or split a hot shard (default 15m, AWS's bound)",
    }).default(ON_DEMAND.scaleUpMinutes.value * US_PER_MIN),
    splitThreshold: byteRate({
      min: { value: 1 },
      description: "a shard writing more than this (one-minute average) is split (default 500KB/s)",
    }).default(ON_DEMAND.splitThresholdBytesPerSecond.value),
    maxWriteThroughput: byteRate({
      min: { value: 1024 * 1024 },
      description:
        "largest write throughput of the stream (default 200MB/s; 10GB/s in the largest Regions on request)",
    }).default(ON_DEMAND.maxWriteBytesPerSecond.value),
    warmThroughput: byteRate({
      min: { value: 0 },
      description: "On-demand Advantage warm throughput: capacity kept ready (default 0)",
    }).default(0),
    advantage: z
      .boolean()
      .default(false)
      .meta({ description: "On-demand Advantage (billing; 50 EFO consumers; warm throughput)" }),
    scaleDown: z
      .union([
        z.literal("never"),
        z.strictObject({
          after: duration({
            min: { value: US_PER_MIN },
            description: "time a shard pair must stay cold before it is merged",
          }),
          below: fraction({
            description:
              "merge two adjacent shards whose combined one-minute writes stay below this share of one shard",
          }),
        }),
      ])
      .default("never")
      .meta({
        description: "AWS documents no scale-down rule: never (default), or merge cold adjacent shards",
      }),
  })
  .default({
    previousPeak: 0,
    previousPeakRecords: 0,
    scaleUpDelay: ON_DEMAND.scaleUpMinutes.value * US_PER_MIN,
    splitThreshold: ON_DEMAND.splitThresholdBytesPerSecond.value,
    maxWriteThroughput: ON_DEMAND.maxWriteBytesPerSecond.value,
    warmThroughput: 0,
    advantage: false,
    scaleDown: "never",
  })
  .meta({ description: "on-demand capacity settings (used when the stream is or becomes on-demand)" });
/** On-demand settings after validation. */
export type OnDemandSpec = z.output<typeof onDemandSchema>;

/** How long each kind of change keeps the stream UPDATING. */
export const updatingSchema = z
  .strictObject({
    splitShard: duration({
      min: { value: 0 },
      description: "SplitShard (default 5s; AWS: 'a few seconds', unconfirmed)",
    }).default(CAPACITY.splitMergeSecondsDefault.value * US_PER_S),
    mergeShards: duration({ min: { value: 0 }, description: "MergeShards (default 5s)" }).default(
      CAPACITY.splitMergeSecondsDefault.value * US_PER_S,
    ),
    updateShardCount: duration({
      min: { value: 0 },
      description: "UpdateShardCount (default 2m; AWS: 'a few minutes')",
    }).default(CAPACITY.updateShardCountSecondsDefault.value * US_PER_S),
    streamMode: duration({ min: { value: 0 }, description: "capacity-mode switch (default 1m)" }).default(
      CAPACITY.modeSwitchSecondsDefault.value * US_PER_S,
    ),
  })
  .default({
    splitShard: CAPACITY.splitMergeSecondsDefault.value * US_PER_S,
    mergeShards: CAPACITY.splitMergeSecondsDefault.value * US_PER_S,
    updateShardCount: CAPACITY.updateShardCountSecondsDefault.value * US_PER_S,
    streamMode: CAPACITY.modeSwitchSecondsDefault.value * US_PER_S,
  })
  .meta({ description: "how long each kind of capacity change keeps the stream UPDATING" });
/** UPDATING durations after validation. */
export type UpdatingSpec = z.output<typeof updatingSchema>;

const shardRef = z
  .union([
    number({ integer: true, min: { value: 0 }, description: "shard creation number" }),
    z.string().regex(/^shardId-\d{12}$/),
  ])
  .meta({ description: "a shard: its id (shardId-000000000003) or creation number (3)" });

const splitKey = z
  .union([z.literal("middle"), hashKey("a decimal hash key")], {
    error: (issue) => hashKeyMessage(issue.input, '"middle"'),
  })
  .meta({ description: '"middle" of the shard\'s range, or a decimal hash key' });

const at = duration({ min: { value: 0 }, description: "when the request is made" });

/** A scheduled capacity action. */
export const eventSchema = z.discriminatedUnion("action", [
  z.strictObject({
    at,
    action: z.literal("SplitShard"),
    shard: shardRef,
    newStartingHashKey: splitKey.default("middle"),
  }),
  z.strictObject({ at, action: z.literal("MergeShards"), shard: shardRef, adjacentShard: shardRef }),
  z.strictObject({
    at,
    action: z.literal("UpdateShardCount"),
    targetShardCount: number({
      integer: true,
      min: { value: 1 },
      max: { value: KINESIS.maxShardsPerStream.value, fact: KINESIS.maxShardsPerStream },
      description: "shards after the update (uniform scaling)",
    }),
  }),
  z.strictObject({
    at,
    action: z.literal("UpdateStreamMode"),
    mode: oneOf(["on-demand", "provisioned"], "capacity mode to switch to"),
  }),
]);
/** A scheduled action after validation. */
export type CapacityEvent = z.output<typeof eventSchema>;

const common = {
  minShards: number({
    integer: true,
    min: { value: 1 },
    description: "never scale below (default 1)",
  }).default(1),
  maxShards: number({
    integer: true,
    min: { value: 1 },
    max: { value: KINESIS.maxShardsPerStream.value, fact: KINESIS.maxShardsPerStream },
    description: "never scale above (default 10,000)",
  }).default(KINESIS.maxShardsPerStream.value),
  metricDelay: duration({
    min: { value: 0 },
    description: "how late one-minute metrics reach the policy (default 1m)",
  }).default(US_PER_MIN),
};

/** An autoscaling policy for a provisioned stream, acting through UpdateShardCount. */
export const scalingSchema = z.discriminatedUnion("policy", [
  z.strictObject({
    policy: z.literal("threshold"),
    ...common,
    scaleUp: z
      .strictObject({
        threshold: fraction({
          description: "utilisation (higher of bytes and records) that counts as high (default 75%)",
        }).default(0.75),
        minutes: number({
          integer: true,
          min: { value: 1 },
          description: "minutes over the threshold before acting (default 5)",
        }).default(5),
        byPercent: number({
          min: { value: 1 },
          max: { value: 100 },
          description: "grow by this percentage of the current shards (default 100)",
        }).default(100),
        coolOff: duration({ min: { value: 0 }, description: "wait after a scale-up (default 5m)" }).default(
          5 * US_PER_MIN,
        ),
      })
      .default({ threshold: 0.75, minutes: 5, byPercent: 100, coolOff: 5 * US_PER_MIN })
      .meta({ description: "when utilisation counts as high, and how much to grow" }),
    scaleDown: z
      .strictObject({
        threshold: fraction({ description: "utilisation that counts as low (default 25%)" }).default(0.25),
        minutes: number({
          integer: true,
          min: { value: 1 },
          description: "minutes under the threshold before acting (default 15)",
        }).default(15),
        byPercent: number({
          min: { value: 1 },
          max: { value: 50 },
          description: "shrink by this percentage of the current shards (default 50)",
        }).default(50),
        coolOff: duration({
          min: { value: 0 },
          description: "wait after a scale-down (default 15m)",
        }).default(15 * US_PER_MIN),
      })
      .default({ threshold: 0.25, minutes: 15, byPercent: 50, coolOff: 15 * US_PER_MIN })
      .meta({ description: "when utilisation counts as low, and how much to shrink" }),
  }),
  z.strictObject({
    policy: z.literal("alarm"),
    ...common,
    throttleMinutes: number({
      integer: true,
      min: { value: 1 },
      description:
        "double when WriteProvisionedThroughputExceeded > 0 in this many of the last `of` minutes (default 2)",
    }).default(2),
    of: number({
      integer: true,
      min: { value: 1 },
      description: "minutes the alarm looks back (default 3)",
    }).default(3),
    lowUtilization: fraction({
      description: "halve when utilisation stays below this (default 25%)",
    }).default(0.25),
    lowMinutes: number({
      integer: true,
      min: { value: 1 },
      description: "for this many minutes (default 60)",
    }).default(60),
    iteratorAgeGuard: duration({
      min: { value: 0 },
      description: "do not halve while any consumer's iterator age is above this (default 1m)",
    }).default(US_PER_MIN),
    coolOff: duration({ min: { value: 0 }, description: "wait after any action (default 10m)" }).default(
      10 * US_PER_MIN,
    ),
  }),
  z.strictObject({
    policy: z.literal("target-tracking"),
    ...common,
    target: fraction({ description: "utilisation to hold (default 70%)" }).default(0.7),
    scaleOutCooldown: duration({
      min: { value: 0 },
      description: "wait after scaling out (default 5m)",
    }).default(5 * US_PER_MIN),
    scaleInCooldown: duration({
      min: { value: 0 },
      description: "wait after scaling in (default 15m)",
    }).default(15 * US_PER_MIN),
  }),
]);
/** A scaling policy after validation. */
export type ScalingSpec = z.output<typeof scalingSchema>;
