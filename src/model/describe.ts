// The simulated stream as the AWS CLI shows it: `describe-stream` and `list-shards` output at a
// moment of virtual time, with AWS's field names. Closed shards stay listed until their data has
// left retention, as DescribeStream does.

import { US_PER_H } from "../engine/time.js";
import type { CapacityManager } from "./capacity.js";
import type { Shard } from "./shard.js";
import type { Stream } from "./stream.js";

/** A shard as DescribeStream / ListShards report it. */
export interface ShardDescription {
  ShardId: string;
  ParentShardId?: string;
  AdjacentParentShardId?: string;
  HashKeyRange: { StartingHashKey: string; EndingHashKey: string };
  SequenceNumberRange: { StartingSequenceNumber: string; EndingSequenceNumber?: string };
}

/** Virtual time 0 as a wall-clock date, so timestamps look like AWS's (and never depend on the clock). */
export const EPOCH_MS = Date.UTC(2026, 0, 1);

/** Shards still listed at `nowUs`: open ones, and closed ones whose records are within retention. */
function listed(stream: Stream, nowUs: number): Shard[] {
  return stream.shards.filter((s) => s.open || (s.closedAtUs ?? 0) + stream.retentionUs > nowUs);
}

/** One shard in AWS's shape. */
export function describeShard(shard: Shard): ShardDescription {
  const description: ShardDescription = {
    ShardId: shard.id,
    HashKeyRange: {
      StartingHashKey: shard.range.start.toString(),
      EndingHashKey: shard.range.end.toString(),
    },
    SequenceNumberRange: { StartingSequenceNumber: shard.sequenceNumber(0) },
  };
  if (shard.parentShardId) description.ParentShardId = shard.parentShardId;
  if (shard.adjacentParentShardId) description.AdjacentParentShardId = shard.adjacentParentShardId;
  if (!shard.open)
    description.SequenceNumberRange.EndingSequenceNumber = shard.sequenceNumber(
      Math.max(0, shard.log.nextSeq - 1),
    );
  // Keep AWS's key order: ShardId, ParentShardId, AdjacentParentShardId, HashKeyRange, SequenceNumberRange.
  const { ShardId, ParentShardId, AdjacentParentShardId, HashKeyRange, SequenceNumberRange } = description;
  return {
    ShardId,
    ...(ParentShardId ? { ParentShardId } : {}),
    ...(AdjacentParentShardId ? { AdjacentParentShardId } : {}),
    HashKeyRange,
    SequenceNumberRange,
  };
}

/** `aws kinesis describe-stream` output. */
export function describeStream(stream: Stream, capacity: CapacityManager, nowUs: number) {
  return {
    StreamDescription: {
      StreamName: stream.name,
      StreamARN: `arn:aws:kinesis:us-east-1:123456789012:stream/${stream.name}`,
      StreamStatus: capacity.status,
      StreamModeDetails: { StreamMode: capacity.mode === "on-demand" ? "ON_DEMAND" : "PROVISIONED" },
      Shards: listed(stream, nowUs).map(describeShard),
      HasMoreShards: false,
      RetentionPeriodHours: Math.round(stream.retentionUs / US_PER_H),
      StreamCreationTimestamp: new Date(EPOCH_MS).toISOString(),
      EnhancedMonitoring: [{ ShardLevelMetrics: [] as string[] }],
      EncryptionType: "NONE",
    },
  };
}

/** `aws kinesis list-shards` output. */
export function listShards(stream: Stream, nowUs: number) {
  return { Shards: listed(stream, nowUs).map(describeShard) };
}
