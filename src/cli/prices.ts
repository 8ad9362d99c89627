// Reading a user's price table (`--prices file`): a YAML or JSON file shaped like the built-in
// table, where a number replaces a price (e.g. `provisioned: { shardHour: 0.012 }` for a negotiated
// rate). Every price it sets is marked as the user's; unknown keys are bad input, with their path.

import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { PRICE_TABLES, type Price, type PriceTable } from "../data/prices.js";
import { UserInputError } from "./errors.js";

/** A problem in a prices file (exit code 2). */
export class PricesError extends UserInputError {}

const isPrice = (x: unknown): x is Price =>
  typeof x === "object" && x !== null && "value" in x && "unit" in x && "sources" in x;

/** The price table for a Region, with a user's file laid over it. */
export function loadPrices(file: string | undefined, region = "us-east-1"): PriceTable {
  const base = PRICE_TABLES[region];
  if (!base) throw new PricesError(`no built-in prices for ${region}; give every price in a --prices file`);
  const table = structuredClone(base) as PriceTable;
  if (file === undefined) return table;
  let user: unknown;
  try {
    user = parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new PricesError(`${file}: ${(error as Error).message.split("\n")[0]}`);
  }
  if (typeof user !== "object" || user === null)
    throw new PricesError(`${file}: expected a mapping of prices`);
  overlay(table as unknown as Record<string, unknown>, user as Record<string, unknown>, file, "");
  return table;
}

/** A price the user supplies for a line the built-in table has none for (KMS). */
const USER_ONLY: Record<string, Record<string, string>> = {
  kms: { keyMonth: "$ per customer managed key-month", requestsPer10k: "$ per 10,000 KMS requests" },
};

function overlay(target: Record<string, unknown>, user: Record<string, unknown>, file: string, path: string) {
  for (const [key, value] of Object.entries(user)) {
    const at = path ? `${path}.${key}` : key;
    if (path === "" && key in USER_ONLY && !(key in target)) target[key] = userPrices(USER_ONLY[key]!);
    if (path === "" && (key === "region" || key === "asOf")) {
      target[key] = String(value);
      continue;
    }
    const current = target[key];
    if (current === undefined)
      throw new PricesError(
        `${file}: ${at}: unknown price; expected one of ${Object.keys(target)
          .filter((k) => k !== "region" && k !== "asOf")
          .join(", ")}`,
      );
    if (isPrice(current)) {
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0)
        throw new PricesError(
          `${file}: ${at}: expected a non-negative number (${current.unit}), got ${JSON.stringify(value)}`,
        );
      target[key] = { ...current, value, sources: [], note: `your price (built-in ${current.value})` };
    } else if (Array.isArray(current)) {
      target[key] = tiersOf(value, file, at);
    } else if (typeof value === "object" && value !== null) {
      overlay(current as Record<string, unknown>, value as Record<string, unknown>, file, at);
    } else {
      throw new PricesError(`${file}: ${at}: expected a mapping of prices`);
    }
  }
}

function userPrices(units: Record<string, string>): Record<string, Price> {
  return Object.fromEntries(
    Object.entries(units).map(([k, unit]) => [k, { value: 0, unit, sources: [], note: "your price" }]),
  );
}

/** Firehose ingest tiers as a user writes them: [{ upToTb: 500, perGb: 0.029 }, { perGb: 0.025 }]. */
function tiersOf(value: unknown, file: string, at: string) {
  const bad = () =>
    new PricesError(
      `${file}: ${at}: expected a list of { upToTb, perGb } with upToTb increasing; the last may omit upToTb`,
    );
  if (!Array.isArray(value) || value.length === 0) throw bad();
  let below = 0;
  return value.map((tier, i) => {
    const t = tier as { upToTb?: unknown; perGb?: unknown };
    const upToTb = t.upToTb === undefined && i === value.length - 1 ? Number.POSITIVE_INFINITY : t.upToTb;
    if (typeof upToTb !== "number" || upToTb <= below || typeof t.perGb !== "number" || t.perGb < 0)
      throw bad();
    below = upToTb;
    return {
      upToTb,
      perGb: { value: t.perGb, unit: "$ per GB ingested (5 KB rounding)", sources: [], note: "your price" },
    };
  });
}
