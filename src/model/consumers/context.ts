// What a consumer needs from the run: the clock, the stream, its random streams and the models
// of read latency that the stream's settings define.

import type { Sampler } from "../../engine/distributions.js";
import type { RandomStreams } from "../../engine/random.js";
import type { Simulation } from "../../engine/simulation.js";
import type { Stream } from "../stream.js";

/** Run-wide settings a consumer needs. */
export interface ConsumerContext {
  sim: Simulation;
  stream: Stream;
  random: RandomStreams;
  runEndUs: number;
  /** GetRecords call latency. */
  getRecordsLatency: Sampler;
  /** Enhanced fan-out push delay. */
  pushLatency: Sampler;
  /** Records the stream has accepted so far (what every consumer must account for). */
  acceptedRecords: () => number;
  /**
   * The share of the stream's traffic whose keys lie in the hash-space range [lo, hi) (fractions),
   * from its producers' key distributions weighted by their rates: how records spread within a
   * shard at cohort resolution (Lambda's lanes by key, for one).
   */
  keyMass: (lo: number, hi: number) => number;
}
