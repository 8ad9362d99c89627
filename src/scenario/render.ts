// The scenario as run: the validated Scenario turned back into the units people write, every
// default filled in, for scenario.yaml in the report folder. Loading the result gives the same
// Scenario again (test/scenario/render.test.ts), except for a trace already read into a series.

import { SDK_V3_STANDARD_RETRY } from "../data/kinesis-limits.js";
import { type DistributionSpec, Z_P99 } from "../engine/distributions.js";
import type { CapacityEvent, OnDemandSpec, ScalingSpec } from "./capacity.js";
import type { ProcessingSpec } from "./consumers.js";
import type { QueueSpec } from "./queues.js";
import type {
  KeyDistribution,
  RateProfile,
  ResolvedProducer,
  RetryPolicy,
  Scenario,
  StreamSpec,
} from "./schema.js";
import {
  formatDuration,
  formatPercent,
  parseDuration,
  parseFraction,
  parseRate,
  parseSize,
} from "./units.js";

type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };
// The parts after the loader has resolved their references (every stream name filled in).
type Consumer = Scenario["consumers"][number];
type DeliveryStream = Scenario["firehose"][number];
type Application = Scenario["analytics"][number];

// ---------------------------------------------------------------------------------------------
// Quantities. Each is written in the plainest form that reads back as exactly the same number, so
// a rate of "100/min" (1.666… per second) or a share of 0.07 survives the round trip.

/** The first candidate text (in order of preference) that `read` turns back into `value`, else `fallback`. */
function exact(
  value: number,
  read: (text: string) => number | undefined,
  candidates: string[],
  fallback: Plain,
): Plain {
  return candidates.find((text) => read(text) === value) ?? fallback;
}

/** A number without float noise, for candidate texts (exact() checks whether it still reads back). */
const tidy = (n: number): number => Number(n.toPrecision(12));

/** A duration (integer µs, as every parsed duration is). */
const duration = formatDuration;

/** A size in its shortest exact form, IEC before SI: "1MiB", "1.5MiB", "500KB", "800B". */
function size(bytes: number): string {
  const units = [
    ["GiB", 1024 ** 3],
    ["MiB", 1024 ** 2],
    ["KiB", 1024],
    ["GB", 1e9],
    ["MB", 1e6],
    ["KB", 1e3],
  ] as const;
  const texts = units
    .filter(([, factor]) => bytes >= factor)
    .map(([unit, factor]) => `${Number((bytes / factor).toFixed(2))}${unit}`)
    .filter((text) => parseSize(text) === bytes);
  return [...texts, `${bytes}B`].reduce((best, text) => (text.length < best.length ? text : best));
}

/** A record rate ("4000/s", "100/min"); a bare number (per second) when no text reads back exactly. */
function rate(perSecond: number): Plain {
  const read = (text: string) => {
    const parsed = parseRate(text);
    return parsed?.kind === "count" ? parsed.perSecond : undefined;
  };
  const candidates = [
    `${tidy(perSecond)}/s`,
    `${tidy(perSecond * 60)}/min`,
    `${tidy(perSecond * 3600)}/h`,
    `${perSecond}/s`,
  ];
  return exact(perSecond, read, candidates, perSecond);
}

/** A byte rate ("2MiB/s", "500KB/s"). */
function byteRate(perSecond: number): Plain {
  const read = (text: string) => {
    const parsed = parseRate(text);
    return parsed?.kind === "bytes" ? parsed.perSecond : undefined;
  };
  const candidates = [`${size(tidy(perSecond))}/s`, `${size(tidy(perSecond * 60))}/min`];
  // Whole byte rates (every rate given per second below ~9 GB/s) always find an exact candidate;
  // a fractional one that none reads back is off by at most one ulp.
  return exact(perSecond, read, candidates, `${perSecond}B/s`);
}

/** A share as a percentage ("5%"), or the plain fraction when the percentage would round it. */
const share = (fraction: number): Plain =>
  exact(fraction, parseFraction, [formatPercent(fraction)], fraction);

/** A p99-to-median ratio ("3x"). */
const ratio = (n: number): Plain => (/^[0-9.]+$/.test(String(n)) ? `${n}x` : n);

/** A count that may be unlimited. */
const limitless = (n: number): Plain => (n === Number.POSITIVE_INFINITY ? "unlimited" : n);

/** `{ key: show(value) }`, or nothing when the optional value is absent. */
function optional<T>(key: string, value: T | undefined, show: (v: T) => Plain): Record<string, Plain> {
  return value === undefined ? {} : { [key]: show(value) };
}

/** A quantity a distribution draws: how it is written and read back. */
interface Unit {
  show: (n: number) => string;
  read: (text: string) => number | undefined;
}
const DURATION: Unit = { show: duration, read: parseDuration };
const SIZE: Unit = { show: size, read: parseSize };

function distribution(spec: DistributionSpec, unit: Unit): Plain {
  switch (spec.dist) {
    case "constant":
      return unit.show(spec.value);
    case "uniform":
      return { dist: "uniform", min: unit.show(spec.min), max: unit.show(spec.max) };
    case "exponential":
      return { dist: "exponential", mean: unit.show(spec.mean) };
    case "normal":
      // clampMin is not a setting: the loader always sets 0.
      return { dist: "normal", mean: unit.show(spec.mean), stddev: unit.show(spec.stddev) };
    case "lognormal": {
      // p99 is what people write; sigma itself when no whole p99 gives back this very sigma.
      const p99 = unit.read(unit.show(Math.round(spec.median * Math.exp(spec.sigma * Z_P99))));
      const p99Exact = p99 !== undefined && Math.log(p99 / spec.median) / Z_P99 === spec.sigma;
      return {
        dist: "lognormal",
        median: unit.show(spec.median),
        ...(p99Exact ? { p99: unit.show(p99) } : { sigma: spec.sigma }),
      };
    }
    case "zipf":
      // Not a scenario form (partition keys have their own); shown for completeness.
      return { dist: "zipf", n: spec.n, exponent: spec.exponent };
    case "empirical":
      return {
        dist: "empirical",
        values: spec.values.map(unit.show),
        ...optional("weights", spec.weights, (w) => w),
      };
    default: {
      const never: never = spec;
      throw new Error(`unknown distribution ${JSON.stringify(never)}`);
    }
  }
}

/** A processing model in its input form ({ base, perRecord, perKiB, p99 }). */
function processing(p: ProcessingSpec): Plain {
  return {
    base: duration(p.baseUs),
    perRecord: duration(p.perRecordUs),
    ...(p.perKiBUs > 0 ? { perKiB: duration(p.perKiBUs) } : {}),
    p99: ratio(p.p99Ratio),
  };
}

// ---------------------------------------------------------------------------------------------
// Traffic

function rateProfile(profile: RateProfile): Plain {
  switch (profile.profile) {
    case "constant":
      return rate(profile.rate);
    case "ramp":
      return {
        profile: "ramp",
        from: rate(profile.from),
        to: rate(profile.to),
        start: duration(profile.start),
        ...optional("end", profile.end, duration),
      };
    case "steps":
      return {
        profile: "steps",
        steps: profile.steps.map((s) => ({ at: duration(s.at), rate: rate(s.rate) })),
      };
    case "diurnal":
      return {
        profile: "diurnal",
        mean: rate(profile.mean),
        peak: rate(profile.peak),
        period: duration(profile.period),
        peakAt: duration(profile.peakAt),
      };
    case "spike":
      return {
        profile: "spike",
        base: rate(profile.base),
        peak: rate(profile.peak),
        at: duration(profile.at),
        duration: duration(profile.duration),
        rampUp: duration(profile.rampUp),
        rampDown: duration(profile.rampDown),
      };
    case "pulse":
      return {
        profile: "pulse",
        base: rate(profile.base),
        peak: rate(profile.peak),
        every: duration(profile.every),
        width: duration(profile.width),
        offset: duration(profile.offset),
      };
    case "trace":
      return {
        profile: "trace",
        file: profile.file,
        ...optional("column", profile.column, (c) => c),
        interval: duration(profile.interval),
        values: profile.values,
        scale: profile.scale,
        loop: profile.loop,
      };
    case "series":
      // The trace file was read before the run and its name is gone: a summary, not loadable
      // (writing every row back as steps could not express `loop` and would bury the file).
      return {
        profile: "trace (replayed)",
        interval: duration(profile.intervalUs),
        rows: profile.perSecond.length,
        peak: rate(Math.max(...profile.perSecond)),
        loop: profile.loop,
      };
    default: {
      const never: never = profile;
      throw new Error(`unknown rate profile ${JSON.stringify(never)}`);
    }
  }
}

function partitionKey(k: KeyDistribution): Plain {
  const { hotKeys, ...rest } = k;
  return {
    ...rest,
    ...optional("hotKeys", hotKeys, (list) => list.map((h) => ({ key: h.key, share: share(h.share) }))),
  };
}

/**
 * A named preset alone (writing out its values would make it a custom policy); a custom policy
 * field by field, on top of sdk-v3-standard, whose unlimited record TTL is left implicit.
 */
function retry(r: RetryPolicy): Plain {
  if (r.preset !== "custom") return { preset: r.preset };
  return {
    base: duration(r.base),
    cap: duration(r.cap),
    maxAttempts: limitless(r.maxAttempts),
    jitter: r.jitter,
    ...(r.recordTtl === Number.POSITIVE_INFINITY ? {} : { recordTtl: duration(r.recordTtl) }),
    // sdk-v3-standard's quota is implicit; any other is written out.
    ...(r.retryQuota === SDK_V3_STANDARD_RETRY.retryQuotaTokens.value
      ? {}
      : { retryQuota: Number.isFinite(r.retryQuota) ? r.retryQuota : "none" }),
  };
}

function producer(p: ResolvedProducer): Plain {
  // An agent's lines are held with their newline, added on loading: the file gives them without.
  const { offset: _newline, ...recordSize } = p.recordSize;
  return {
    name: p.name,
    client: p.client,
    instances: p.instances,
    target: p.target,
    rate: rateProfile(p.rate),
    arrivals: p.arrivals,
    recordSize: distribution(recordSize, SIZE),
    ...clientSettings(p),
    latency: distribution(p.latency, DURATION),
    start: duration(p.start),
    // Absent means "until the end of the run", which stays true under --set duration=….
    ...optional("stop", p.stop, duration),
  };
}

/**
 * A producer's client settings. The KPL and the Kinesis Agent batch, retry (and for the agent,
 * choose keys) on their own: none of the SDK loop's settings are written for them.
 */
function clientSettings(p: ResolvedProducer): Record<string, Plain> {
  if (p.client === "agent" && p.agent) {
    const a = p.agent;
    return {
      agent: {
        maxBufferAge: duration(a.maxBufferAge),
        maxBufferSizeRecords: a.maxBufferSizeRecords,
        ...optional("maxBufferSizeBytes", a.maxBufferSizeBytes, size),
        maxSendingThreads: a.maxSendingThreads,
        retryInitialBackoff: duration(a.retryInitialBackoff),
        retryMaxBackoff: duration(a.retryMaxBackoff),
        partitionKeyOption: a.partitionKeyOption,
      },
    };
  }
  const partitionKeys = { partitionKey: partitionKey(p.partitionKey) };
  if (p.client === "kpl" && p.kpl) {
    const kpl = p.kpl;
    return {
      ...partitionKeys,
      kpl: {
        recordMaxBufferedTime: duration(kpl.recordMaxBufferedTime),
        recordTtl: duration(kpl.recordTtl),
        aggregationEnabled: kpl.aggregationEnabled,
        aggregationMaxSize: size(kpl.aggregationMaxSize),
        aggregationMaxCount: kpl.aggregationMaxCount,
        collectionMaxCount: kpl.collectionMaxCount,
        collectionMaxSize: size(kpl.collectionMaxSize),
        rateLimit: kpl.rateLimit,
        maxConnections: kpl.maxConnections,
        requestTimeout: duration(kpl.requestTimeout),
        failIfThrottled: kpl.failIfThrottled,
        compressionRatio: kpl.compressionRatio,
      },
    };
  }
  return {
    ...partitionKeys,
    api: p.api,
    ...(p.api === "PutRecord" || p.api === "SendMessage"
      ? {}
      : {
          batch: {
            maxRecords: p.batch.maxRecords,
            maxBytes: size(p.batch.maxBytes),
            linger: duration(p.batch.linger),
          },
        }),
    maxInFlight: p.maxInFlight,
    keyAffinity: p.keyAffinity,
    ordering: p.ordering,
    retry: retry(p.retry),
  };
}

// ---------------------------------------------------------------------------------------------
// Streams and capacity

function onDemand(o: OnDemandSpec): Plain {
  return {
    previousPeak: byteRate(o.previousPeak),
    previousPeakRecords: rate(o.previousPeakRecords),
    scaleUpDelay: duration(o.scaleUpDelay),
    splitThreshold: byteRate(o.splitThreshold),
    maxWriteThroughput: byteRate(o.maxWriteThroughput),
    warmThroughput: byteRate(o.warmThroughput),
    advantage: o.advantage,
    scaleDown:
      o.scaleDown === "never"
        ? "never"
        : { after: duration(o.scaleDown.after), below: share(o.scaleDown.below) },
  };
}

function stream(st: StreamSpec): Plain {
  return {
    name: st.name,
    mode: st.mode,
    onDemand: onDemand(st.onDemand),
    updating: {
      splitShard: duration(st.updating.splitShard),
      mergeShards: duration(st.updating.mergeShards),
      updateShardCount: duration(st.updating.updateShardCount),
      streamMode: duration(st.updating.streamMode),
    },
    // For an on-demand stream this is the starting count the loader derived from the previous peak.
    shards: st.shards,
    ...optional("shardList", st.shardList, (list) => list.map((entry) => ({ ...entry }))),
    retention: duration(st.retention),
    maxRecordSize: size(st.maxRecordSize),
    limiter: { policy: st.limiter.policy, burst: duration(st.limiter.burst) },
    getRecordsLatency: distribution(st.getRecordsLatency, DURATION),
    pushLatency: distribution(st.pushLatency, DURATION),
    propagationDelay: duration(st.propagationDelay),
    writeRecordsPerSecond: rate(st.writeRecordsPerSecond),
    writeBytesPerSecond: byteRate(st.writeBytesPerSecond),
  };
}

function event(e: CapacityEvent): Plain {
  const at = duration(e.at);
  switch (e.action) {
    case "SplitShard":
      return { at, action: e.action, shard: e.shard, newStartingHashKey: e.newStartingHashKey };
    case "MergeShards":
      return { at, action: e.action, shard: e.shard, adjacentShard: e.adjacentShard };
    case "UpdateShardCount":
      return { at, action: e.action, targetShardCount: e.targetShardCount };
    case "UpdateStreamMode":
      return { at, action: e.action, mode: e.mode };
    default: {
      const never: never = e;
      throw new Error(`unknown capacity action ${JSON.stringify(never)}`);
    }
  }
}

function scaling(p: ScalingSpec): Plain {
  const common = {
    policy: p.policy,
    minShards: p.minShards,
    maxShards: p.maxShards,
    metricDelay: duration(p.metricDelay),
  };
  switch (p.policy) {
    case "threshold": {
      const step = (s: typeof p.scaleUp) => ({
        threshold: share(s.threshold),
        minutes: s.minutes,
        byPercent: s.byPercent,
        coolOff: duration(s.coolOff),
      });
      return { ...common, scaleUp: step(p.scaleUp), scaleDown: step(p.scaleDown) };
    }
    case "alarm":
      return {
        ...common,
        throttleMinutes: p.throttleMinutes,
        of: p.of,
        lowUtilization: share(p.lowUtilization),
        lowMinutes: p.lowMinutes,
        iteratorAgeGuard: duration(p.iteratorAgeGuard),
        coolOff: duration(p.coolOff),
      };
    case "target-tracking":
      return {
        ...common,
        target: share(p.target),
        scaleOutCooldown: duration(p.scaleOutCooldown),
        scaleInCooldown: duration(p.scaleInCooldown),
      };
    default: {
      const never: never = p;
      throw new Error(`unknown scaling policy ${JSON.stringify(never)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Readers

function consumer(c: Consumer): Plain {
  const reading = {
    stream: c.stream,
    startingPosition: c.startingPosition,
    start: duration(c.start),
  };
  switch (c.type) {
    case "polling":
      return {
        name: c.name,
        type: c.type,
        ...reading,
        pollInterval: duration(c.pollInterval),
        maxRecords: c.maxRecords,
        throttleBackoff: duration(c.throttleBackoff),
        processing: processing(c.processing),
        deaggregate: c.deaggregate,
        parentsFirst: c.parentsFirst,
      };
    case "efo":
      return {
        name: c.name,
        type: c.type,
        ...reading,
        processing: processing(c.processing),
        deaggregate: c.deaggregate,
        parentsFirst: c.parentsFirst,
      };
    case "kcl":
      return {
        name: c.name,
        type: c.type,
        ...reading,
        workers: c.workers,
        retrieval: c.retrieval,
        maxRecords: c.maxRecords,
        idleTimeBetweenReads: duration(c.idleTimeBetweenReads),
        checkpoint: {
          ...optional("everyRecords", c.checkpoint.everyRecords, (n) => n),
          ...optional("every", c.checkpoint.every, duration),
        },
        failoverTime: duration(c.failoverTime),
        failures: c.failures.map((f) => ({ worker: f.worker, at: duration(f.at) })),
        processing: processing(c.processing),
      };
    case "lambda":
      return {
        name: c.name,
        type: c.type,
        ...reading,
        efo: c.efo,
        batchSize: c.batchSize,
        maximumBatchingWindowInSeconds: c.maximumBatchingWindowInSeconds,
        parallelizationFactor: c.parallelizationFactor,
        duration: processing(c.duration),
        timeout: duration(c.timeout),
        memorySize: c.memorySize,
        errorRate: share(c.errorRate),
        poisonRecords: c.poisonRecords.map((p) => ({ shard: p.shard, at: duration(p.at) })),
        maximumRetryAttempts: c.maximumRetryAttempts,
        maximumRecordAgeInSeconds: c.maximumRecordAgeInSeconds,
        bisectBatchOnFunctionError: c.bisectBatchOnFunctionError,
        functionResponseTypes: c.functionResponseTypes,
        onFailure: c.onFailure,
        ...optional("reservedConcurrency", c.reservedConcurrency, (n) => n),
        accountConcurrency: c.accountConcurrency,
      };
    default: {
      const never: never = c;
      throw new Error(`unknown consumer type ${JSON.stringify(never)}`);
    }
  }
}

/** Buffer intervals of 1–59 s are accepted only with subMinute (Splunk's never need it). */
const MINUTE_US = 60_000_000;

function firehose(f: DeliveryStream): Plain {
  const d = f.destination;
  const interval = f.buffering.interval;
  return {
    name: f.name,
    source:
      f.source.kind === "direct-put"
        ? "direct-put"
        : { stream: f.source.stream, startingPosition: f.source.startingPosition },
    region: f.region,
    quota: {
      records: rate(f.quota.records),
      requests: rate(f.quota.requests),
      bytes: byteRate(f.quota.bytes),
    },
    buffering: {
      size: size(f.buffering.size),
      interval: duration(interval),
      // The Scenario keeps no subMinute flag; it is written when the interval needs it.
      ...(interval > 0 && interval < MINUTE_US ? { subMinute: true } : {}),
    },
    ...optional("partitioning", f.partitioning, (p) => ({
      partitions: p.partitions,
      dist: p.dist,
      exponent: p.exponent,
      maxActivePartitions: p.maxActivePartitions,
    })),
    ...optional("transform", f.transform, (t) => ({
      bufferSize: size(t.bufferSize),
      bufferInterval: duration(t.bufferInterval),
      duration: processing(t.duration),
      timeout: duration(t.timeout),
      errorRate: share(t.errorRate),
      failedRecords: share(t.failedRecords),
      sizeRatio: t.sizeRatio,
      retries: t.retries,
      ...optional("concurrency", t.concurrency, (n) => n),
    })),
    ...optional("formatConversion", f.formatConversion, (c) => ({
      format: c.format,
      sizeRatio: c.sizeRatio,
    })),
    destination: {
      type: d.type,
      write: processing(d.write),
      ...optional("copy", d.copy, processing),
      failureRate: share(d.failureRate),
      outages: d.outages.map((o) => ({ at: duration(o.at), duration: duration(o.duration) })),
      // S3 retries for 24 hours and has no such setting (the loader rejects one).
      ...(d.type === "s3" ? {} : { retryDuration: duration(d.retryDuration) }),
    },
    backup: f.backup,
  };
}

function window(w: Application["window"]): Plain {
  switch (w.type) {
    case "none":
      return { type: w.type };
    case "tumbling":
      return { type: w.type, size: duration(w.size) };
    case "sliding":
      return { type: w.type, size: duration(w.size), slide: duration(w.slide) };
    default: {
      const never: never = w;
      throw new Error(`unknown window ${JSON.stringify(never)}`);
    }
  }
}

function analytics(a: Application): Plain {
  return {
    name: a.name,
    runtime: a.runtime,
    source: {
      stream: a.source.stream,
      startingPosition: a.source.startingPosition,
      pollInterval: duration(a.source.pollInterval),
    },
    // KPUs follow from these two: ceil(parallelism / parallelismPerKPU).
    parallelism: a.parallelism,
    parallelismPerKPU: a.parallelismPerKPU,
    processing: processing(a.processing),
    window: window(a.window),
    output: {
      ...optional("recordsPerWindow", a.output.recordsPerWindow, (n) => n),
      ...optional("perInput", a.output.perInput, (n) => n),
      recordSize: distribution(a.output.recordSize, SIZE),
    },
    sink: {
      ...optional("stream", a.sink.stream, (n) => n),
      ...optional("firehose", a.sink.firehose, (n) => n),
      maxBatchSize: a.sink.maxBatchSize,
      maxTimeInBuffer: duration(a.sink.maxTimeInBuffer),
      maxInFlightRequests: a.sink.maxInFlightRequests,
    },
    checkpointInterval: duration(a.checkpointInterval),
    failures: a.failures.map((f) => ({ at: duration(f.at), restart: duration(f.restart) })),
    start: duration(a.start),
  };
}

// ---------------------------------------------------------------------------------------------
// The scenario

function slo(s: NonNullable<Scenario["slo"]>): Plain {
  // A share threshold reads back as parseFloat(text) / 100 with "%", the number itself without.
  const percent = (v: number) => {
    const text = formatPercent(v);
    return Number.parseFloat(text) / 100 === v ? text : String(v);
  };
  return Object.fromEntries(
    Object.entries(s).map(([k, v]) => [
      k,
      `${v.op} ${k.endsWith("Fraction") ? percent(v.value) : duration(Math.round(v.value))}`,
    ]),
  );
}

/** The seed as written: a whole number stays a number, anything else a string. */
function seed(text: string): Plain {
  const n = Number(text);
  return /^-?\d+$/.test(text) && Number.isSafeInteger(n) && String(n) === text ? n : text;
}

/**
 * The scenario with every default filled, in human units (for scenario.yaml and the report). An
 * `auto` resolution shows what it chose, as "auto (10ms)"; the stream is left out when the
 * scenario declares none (it is then an unused placeholder).
 */
function queue(q: QueueSpec): Plain {
  const c = q.consumers;
  return {
    name: q.name,
    type: q.type,
    highThroughput: q.highThroughput,
    transactionsPerSecond: q.transactionsPerSecond,
    visibilityTimeout: duration(q.visibilityTimeout),
    consumers: {
      workers: c.workers,
      maxMessages: c.maxMessages,
      processing: processing(c.processing),
      failureRate: c.failureRate,
      waitTime: duration(c.waitTime),
    },
  };
}

export function renderScenario(s: Scenario, effectiveResolution: string): Record<string, Plain> {
  return {
    name: s.name,
    ...optional("description", s.description, (d) => d),
    seed: seed(s.seed),
    duration: duration(s.duration),
    resolution:
      s.resolution === "auto"
        ? `auto (${effectiveResolution})`
        : typeof s.resolution === "number"
          ? duration(s.resolution)
          : s.resolution,
    metricsInterval: duration(s.metricsInterval),
    ...(s.streamDeclared ? { stream: stream(s.stream) } : {}),
    streams: s.streams.map(stream),
    producers: s.producers.map(producer),
    consumers: s.consumers.map(consumer),
    firehose: s.firehose.map(firehose),
    analytics: s.analytics.map(analytics),
    queues: s.queues.map(queue),
    events: s.events.map(event),
    ...optional("scaling", s.scaling, scaling),
    // Overrides exactly as the file gave them (YAML values, so plain data).
    variants: s.variants.map((v) => ({ name: v.name, set: v.set as Record<string, Plain> })),
    ...optional("slo", s.slo, slo),
  };
}
