// `--set path=value` flags and the shorthand flags (--seed, --duration, --resolution) as scenario
// overrides. Kept light: every command that loads a scenario uses it.

import type { Override } from "../scenario/load.js";

/** The flags that override a scenario's fields. */
export interface OverrideFlags {
  seed?: string;
  duration?: string;
  resolution?: string;
  set?: string[];
}

/** Turns `--set a.b=c` flags (and the shorthand flags) into overrides. */
export function overridesOf(options: OverrideFlags): Override[] {
  const overrides: Override[] = [];
  if (options.seed !== undefined) overrides.push({ path: "seed", value: JSON.stringify(options.seed) });
  if (options.duration !== undefined) overrides.push({ path: "duration", value: options.duration });
  if (options.resolution !== undefined) overrides.push({ path: "resolution", value: options.resolution });
  for (const item of options.set ?? []) {
    const eq = item.indexOf("=");
    overrides.push(
      eq < 0 ? { path: item, value: "" } : { path: item.slice(0, eq), value: item.slice(eq + 1) },
    );
  }
  return overrides;
}
