// Seeds for fast-check properties: fixed per property name (so runs are repeatable), overridable
// with KINESIM_PROPERTY_SEED, and always logged so a failure can be replayed.

import { createHash } from "node:crypto";

const logged = new Set<string>();

/** The seed for the named property; logged once per process. */
export function propertySeed(name: string): number {
  const override = process.env["KINESIM_PROPERTY_SEED"];
  const seed =
    override !== undefined ? Number(override) : createHash("md5").update(name).digest().readInt32BE(0);
  if (!logged.has(name)) {
    logged.add(name);
    console.log(`[property] ${name}: seed ${seed}`);
  }
  return seed;
}

/** Number of generated cases: a fast count in `npm test`, many more in `npm run test:deep`. */
export function runs(fast: number, deep = fast * 20): number {
  return process.env["KINESIM_DEEP"] ? deep : fast;
}
