// `--set path=value` flags and the shorthand flags (--seed, --duration, --resolution) as scenario
// overrides. Kept light: every command that loads a scenario uses it.

import type { Override } from "../scenario/load.js";
import { UserInputError } from "./errors.js";

/** The flags that override a scenario's fields. */
export interface OverrideFlags {
  seed?: string;
  duration?: string;
  resolution?: string;
  /** Traffic multiplier, e.g. `2x` or `+50%`. */
  growth?: string;
  set?: string[];
}

/** `2x`, `2`, `150%` or `+50%` as a multiplier (NaN when it is none of these). */
export function parseGrowth(text: string): number {
  const t = text.trim();
  let m = /^(\d+(?:\.\d+)?)\s*x?$/i.exec(t);
  if (m) return Number(m[1]);
  m = /^(\+)?(\d+(?:\.\d+)?)\s*%$/.exec(t);
  if (m) return m[1] ? 1 + Number(m[2]) / 100 : Number(m[2]) / 100;
  return Number.NaN;
}

/** The `--growth` flag as the override of the scenario's `growth`. */
export function growthOverride(text: string): Override {
  const factor = parseGrowth(text);
  if (!(factor > 0))
    throw new UserInputError(`--growth ${text}: expected a traffic multiplier such as 2x, 1.5 or +50%`);
  return { path: "growth", value: String(factor) };
}

/** Turns `--set a.b=c` flags (and the shorthand flags) into overrides. */
export function overridesOf(options: OverrideFlags): Override[] {
  const overrides: Override[] = [];
  if (options.seed !== undefined) overrides.push({ path: "seed", value: JSON.stringify(options.seed) });
  if (options.duration !== undefined) overrides.push({ path: "duration", value: options.duration });
  if (options.resolution !== undefined) overrides.push({ path: "resolution", value: options.resolution });
  if (options.growth !== undefined) overrides.push(growthOverride(options.growth));
  for (const item of options.set ?? []) {
    const eq = item.indexOf("=");
    overrides.push(
      eq < 0 ? { path: item, value: "" } : { path: item.slice(0, eq), value: item.slice(eq + 1) },
    );
  }
  return overrides;
}
