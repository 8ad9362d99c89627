// The scenario as run: the validated Scenario turned back into the units people write, every
// default filled in, for scenario.yaml in the report folder.

import type { DistributionSpec } from "../engine/distributions.js";
import type { RateProfile, Scenario } from "./schema.js";
import { formatDuration, formatPercent, formatSize } from "./units.js";

type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };

const rate = (perSecond: number): string => `${Number(perSecond.toPrecision(10))}/s`;
const limitless = (n: number): Plain => (n === Number.POSITIVE_INFINITY ? "unlimited" : n);

function distribution(spec: DistributionSpec, unit: (n: number) => string): Plain {
  switch (spec.dist) {
    case "constant":
      return { dist: "constant", value: unit(spec.value) };
    case "uniform":
      return { dist: "uniform", min: unit(spec.min), max: unit(spec.max) };
    case "exponential":
      return { dist: "exponential", mean: unit(spec.mean) };
    case "normal":
      return { dist: "normal", mean: unit(spec.mean), stddev: unit(spec.stddev) };
    case "lognormal":
      return { dist: "lognormal", median: unit(spec.median), sigma: Number(spec.sigma.toPrecision(6)) };
    case "zipf":
      return { dist: "zipf", n: spec.n, exponent: spec.exponent };
    case "empirical":
      return {
        dist: "empirical",
        values: spec.values.map(unit),
        ...(spec.weights ? { weights: spec.weights } : {}),
      };
    default: {
      const never: never = spec;
      throw new Error(`unknown distribution ${JSON.stringify(never)}`);
    }
  }
}

function rateProfile(profile: RateProfile): Plain {
  switch (profile.profile) {
    case "constant":
      return { profile: "constant", rate: rate(profile.rate) };
    case "ramp":
      return {
        profile: "ramp",
        from: rate(profile.from),
        to: rate(profile.to),
        start: formatDuration(profile.start),
        ...(profile.end !== undefined ? { end: formatDuration(profile.end) } : {}),
      };
    case "steps":
      return {
        profile: "steps",
        steps: profile.steps.map((s) => ({ at: formatDuration(s.at), rate: rate(s.rate) })),
      };
    case "diurnal":
      return {
        profile: "diurnal",
        mean: rate(profile.mean),
        peak: rate(profile.peak),
        period: formatDuration(profile.period),
        peakAt: formatDuration(profile.peakAt),
      };
    case "spike":
      return {
        profile: "spike",
        base: rate(profile.base),
        peak: rate(profile.peak),
        at: formatDuration(profile.at),
        duration: formatDuration(profile.duration),
        rampUp: formatDuration(profile.rampUp),
        rampDown: formatDuration(profile.rampDown),
      };
    case "pulse":
      return {
        profile: "pulse",
        base: rate(profile.base),
        peak: rate(profile.peak),
        every: formatDuration(profile.every),
        width: formatDuration(profile.width),
        offset: formatDuration(profile.offset),
      };
    case "trace":
      return {
        profile: "trace",
        file: profile.file,
        interval: formatDuration(profile.interval),
        values: profile.values,
        scale: profile.scale,
        loop: profile.loop,
      };
    case "series":
      return {
        profile: "trace (replayed)",
        interval: formatDuration(profile.intervalUs),
        rows: profile.perSecond.length,
        loop: profile.loop,
      };
    default: {
      const never: never = profile;
      throw new Error(`unknown rate profile ${JSON.stringify(never)}`);
    }
  }
}

/** The scenario with every default filled, in human units (for scenario.yaml and the report). */
export function renderScenario(s: Scenario, effectiveResolution: string): Record<string, Plain> {
  return {
    name: s.name,
    ...(s.description !== undefined ? { description: s.description } : {}),
    seed: s.seed,
    duration: formatDuration(s.duration),
    resolution:
      s.resolution === "auto"
        ? `auto (${effectiveResolution})`
        : typeof s.resolution === "number"
          ? formatDuration(s.resolution)
          : s.resolution,
    metricsInterval: formatDuration(s.metricsInterval),
    stream: {
      name: s.stream.name,
      mode: s.stream.mode,
      shards: s.stream.shards,
      retention: formatDuration(s.stream.retention),
      maxRecordSize: formatSize(s.stream.maxRecordSize),
      limiter: { policy: s.stream.limiter.policy, burst: formatDuration(s.stream.limiter.burst) },
      writeRecordsPerSecond: rate(s.stream.writeRecordsPerSecond),
      writeBytesPerSecond: `${formatSize(s.stream.writeBytesPerSecond)}/s`,
    },
    producers: s.producers.map((p) => ({
      name: p.name,
      instances: p.instances,
      rate: rateProfile(p.rate),
      arrivals: p.arrivals,
      recordSize: distribution(p.recordSize, (n) => formatSize(Math.round(n))),
      partitionKey: p.partitionKey as unknown as Plain,
      api: p.api,
      ...(p.api === "PutRecords"
        ? {
            batch: {
              maxRecords: p.batch.maxRecords,
              maxBytes: formatSize(p.batch.maxBytes),
              linger: formatDuration(p.batch.linger),
            },
          }
        : {}),
      maxInFlight: p.maxInFlight,
      latency: distribution(p.latency, (n) => formatDuration(Math.round(n))),
      retry: {
        preset: p.retry.preset,
        base: formatDuration(p.retry.base),
        cap: formatDuration(p.retry.cap),
        maxAttempts: limitless(p.retry.maxAttempts),
        jitter: p.retry.jitter,
        recordTtl:
          p.retry.recordTtl === Number.POSITIVE_INFINITY ? "none" : formatDuration(p.retry.recordTtl),
      },
      start: formatDuration(p.start),
      stop: formatDuration(p.stop ?? s.duration),
    })),
    ...(s.slo
      ? {
          slo: Object.fromEntries(
            Object.entries(s.slo).map(([k, v]) => [
              k,
              `${v.op} ${k.startsWith("putLatency") ? formatDuration(Math.round(v.value)) : formatPercent(v.value)}`,
            ]),
          ),
        }
      : {}),
  };
}
