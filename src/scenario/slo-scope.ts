// What each SLO measures, and when a scenario gives it nothing to measure: an SLO on consumers in
// a scenario without consumers is not "met at 0 ms" — it is not measured, and loading says so.

import type { Scenario, Slo } from "./schema.js";

/** The name of an SLO (a key of the `slo:` section). */
export type SloName = keyof Slo;

/**
 * For each SLO the scenario sets that has nothing to measure, why ("no consumers"). The run's
 * verdict for it is "not measured", and it does not decide the exit code.
 */
export function unmeasurableSlos(scenario: Scenario): Partial<Record<SloName, string>> {
  const slo = scenario.slo ?? {};
  const reasons: Partial<Record<SloName, string>> = {};
  const main = scenario.stream.name;
  const writers = scenario.streamDeclared ? scenario.producers.filter((p) => p.target === main) : [];
  const writeReason = !scenario.streamDeclared
    ? "no Kinesis data stream"
    : writers.length === 0
      ? `no producer writes to stream "${main}"`
      : undefined;
  for (const name of Object.keys(slo) as SloName[]) {
    if (slo[name] === undefined) continue;
    const reason = reasonFor(name, scenario, writeReason);
    if (reason !== undefined) reasons[name] = reason;
  }
  return reasons;
}

function reasonFor(name: SloName, scenario: Scenario, writeReason: string | undefined): string | undefined {
  switch (name) {
    // The write path of the scenario's stream: its producers' first attempts, losses and latency.
    case "writeThrottledFraction":
    case "recordsLostFraction":
    case "putLatencyP50":
    case "putLatencyP99":
      return writeReason;
    // Consumers' latency and lag (delivery streams and applications have their own measures).
    case "endToEndLatencyP99":
    case "iteratorAgeMax":
      return scenario.consumers.length === 0 ? "no consumers" : undefined;
    case "dataFreshnessMax":
      return scenario.firehose.length === 0 ? "no delivery streams" : undefined;
    default: {
      const never: never = name;
      throw new Error(`SLO ${String(never)} has no measurability rule`);
    }
  }
}
