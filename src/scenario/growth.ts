// Traffic growth: every producer's rate profile multiplied by the scenario's `growth` (`--growth
// 2x` on run, plan, cost and import), so "will this hold when traffic doubles" is one flag.

import type { RateProfile } from "./schema.js";

/** The profile with every rate it holds multiplied by `factor` (shapes and times unchanged). */
export function scaleRate(profile: RateProfile, factor: number): RateProfile {
  switch (profile.profile) {
    case "constant":
      return { ...profile, rate: profile.rate * factor };
    case "ramp":
      return { ...profile, from: profile.from * factor, to: profile.to * factor };
    case "steps":
      return { ...profile, steps: profile.steps.map((s) => ({ ...s, rate: s.rate * factor })) };
    case "diurnal":
      return { ...profile, mean: profile.mean * factor, peak: profile.peak * factor };
    case "spike":
    case "pulse":
      return { ...profile, base: profile.base * factor, peak: profile.peak * factor };
    case "trace":
      return { ...profile, scale: profile.scale * factor };
    case "series":
      return { ...profile, perSecond: profile.perSecond.map((r) => r * factor) };
    default: {
      const never: never = profile;
      throw new Error(`unknown rate profile ${JSON.stringify(never)}`);
    }
  }
}
