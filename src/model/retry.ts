// Backoff delays of a retry policy: exponential with a cap and one of five jitters, as the AWS
// SDKs and the AWS Architecture Blog describe them.

import { AGENT_DEFAULTS } from "../data/kinesis-limits.js";
import type { RandomStream } from "../engine/random.js";
import type { RetryPolicy } from "../scenario/schema.js";

/**
 * Delay (µs, integer) before retry number `retry` (0 for the first retry). `previousUs` is the
 * last delay, used by decorrelated jitter.
 */
export function backoffDelay(
  policy: RetryPolicy,
  retry: number,
  previousUs: number,
  rng: RandomStream,
): number {
  const ceiling = Math.min(policy.cap, policy.base * 2 ** Math.min(retry, 60));
  switch (policy.jitter) {
    case "none":
      return Math.round(ceiling);
    case "full":
      return Math.floor(rng.next() * ceiling);
    case "equal":
      return Math.round(ceiling / 2 + rng.next() * (ceiling / 2));
    case "proportional":
      // The Kinesis Agent's: the ceiling times 1 + u·30%, u uniform in (−1, 1).
      return Math.round(ceiling * (1 + (2 * rng.next() - 1) * AGENT_DEFAULTS.backoffJitter.value));
    case "decorrelated": {
      const upper = Math.max(policy.base, 3 * (previousUs > 0 ? previousUs : policy.base));
      return Math.round(Math.min(policy.cap, policy.base + rng.next() * (upper - policy.base)));
    }
    default: {
      const never: never = policy.jitter;
      throw new Error(`unknown jitter ${String(never)}`);
    }
  }
}
