// Reads a run's tables row by row (they can be large) and keeps what the report needs: the time
// series itself, a shard × time grid for the heatmap, and the one-minute "CloudWatch view" of
// every shard beside its one-second truth — the view in which throttling can hide.

/** A row of a table as numbers by column name (ids stay strings). */
export type Row = Record<string, number | string>;

/** Numeric value of a column (0 when absent or blank). */
export function num(row: Row, column: string): number {
  return numberOf(row[column]);
}

/** A cell's numeric value (0 when absent or blank), as `num` reads it. */
function numberOf(v: number | string | undefined): number {
  return typeof v === "number" ? v : v === undefined || v === "" ? 0 : Number(v);
}

/** The run's time series, kept whole (one row per interval). */
export class TimeseriesCollector {
  readonly rows: Row[] = [];

  add(row: Row): void {
    this.rows.push(row);
  }
}

/** One cell of the shard heatmap. */
export interface HeatCell {
  shard: string;
  /** Start of the time bin, seconds. */
  time: number;
  /** Highest utilisation (records or bytes, whichever is higher) of any interval in the bin, %. */
  utilization: number;
  throttled: number;
}

/**
 * Aggregates of one minute of a shard (or of the stream): what CloudWatch shows — accepted records
 * and bytes (IncomingRecords, IncomingBytes) and throttled records — and the per-second truth: the
 * busiest second accepted, and the busiest second of demand (accepted + throttled attempts), in
 * records and in bytes.
 */
export interface ShardMinute {
  shard: string;
  minute: number;
  records: number;
  bytes: number;
  throttled: number;
  throttledBytes: number;
  maxRecordsPerSecond: number;
  maxBytesPerSecond: number;
  maxDemandRecordsPerSecond: number;
  maxDemandBytesPerSecond: number;
  /** The highest demand of any second as a share of the limit that binds it (records or bytes). */
  peakDemandUtilization: number;
  /** Which limit that second came closest to, or went furthest over. */
  binding: "records" | "bytes";
}

/** Limits and sizes the collectors need. */
export interface CollectSettings {
  durationSeconds: number;
  intervalSeconds: number;
  recordsPerSecondLimit: number;
  bytesPerSecondLimit: number;
  /** Open shards at a time (s), for the stream's own limits (default 1). */
  openShards?: (timeSeconds: number) => number;
}

interface Second {
  second: number;
  records: number;
  bytes: number;
  throttled: number;
  throttledBytes: number;
}

/**
 * One shard's (or the stream's) minutes as columns indexed by minute: a day of 500 shards has
 * 720,000 shard-minutes, which as objects in a map (with their string keys) held about 250 MB
 * while the report was made; as columns they take 58 MB. A ShardMinute is made when one is read.
 */
class MinuteColumns {
  /** Minutes that had a row. */
  present = new Uint8Array(0);
  records = new Float64Array(0);
  bytes = new Float64Array(0);
  throttled = new Float64Array(0);
  throttledBytes = new Float64Array(0);
  maxRecordsPerSecond = new Float64Array(0);
  maxBytesPerSecond = new Float64Array(0);
  maxDemandRecordsPerSecond = new Float64Array(0);
  maxDemandBytesPerSecond = new Float64Array(0);
  peakDemandUtilization = new Float64Array(0);
  /** 1 where the binding limit is bytes. */
  bindsOnBytes = new Uint8Array(0);

  constructor(
    readonly shard: string,
    minutes: number,
  ) {
    this.grow(minutes);
  }

  /** Makes room for minutes up to `minute` and marks it present. */
  touch(minute: number): void {
    if (minute >= this.present.length) this.grow(Math.max(minute + 1, 2 * this.present.length));
    this.present[minute] = 1;
  }

  private grow(length: number): void {
    const f = (a: Float64Array) => {
      const b = new Float64Array(length);
      b.set(a);
      return b;
    };
    const u = (a: Uint8Array) => {
      const b = new Uint8Array(length);
      b.set(a);
      return b;
    };
    this.present = u(this.present);
    this.bindsOnBytes = u(this.bindsOnBytes);
    this.records = f(this.records);
    this.bytes = f(this.bytes);
    this.throttled = f(this.throttled);
    this.throttledBytes = f(this.throttledBytes);
    this.maxRecordsPerSecond = f(this.maxRecordsPerSecond);
    this.maxBytesPerSecond = f(this.maxBytesPerSecond);
    this.maxDemandRecordsPerSecond = f(this.maxDemandRecordsPerSecond);
    this.maxDemandBytesPerSecond = f(this.maxDemandBytesPerSecond);
    this.peakDemandUtilization = f(this.peakDemandUtilization);
  }

  /** Whether minute `minute` had a row. */
  has(minute: number): boolean {
    return minute < this.present.length && this.present[minute] === 1;
  }

  /** Minute `minute` as a ShardMinute. */
  at(minute: number): ShardMinute {
    return {
      shard: this.shard,
      minute,
      records: this.records[minute]!,
      bytes: this.bytes[minute]!,
      throttled: this.throttled[minute]!,
      throttledBytes: this.throttledBytes[minute]!,
      maxRecordsPerSecond: this.maxRecordsPerSecond[minute]!,
      maxBytesPerSecond: this.maxBytesPerSecond[minute]!,
      maxDemandRecordsPerSecond: this.maxDemandRecordsPerSecond[minute]!,
      maxDemandBytesPerSecond: this.maxDemandBytesPerSecond[minute]!,
      peakDemandUtilization: this.peakDemandUtilization[minute]!,
      binding: this.bindsOnBytes[minute] === 1 ? "bytes" : "records",
    };
  }

  /** Every minute that had a row, in time order. */
  list(): ShardMinute[] {
    const out: ShardMinute[] = [];
    for (let m = 0; m < this.present.length; m++) if (this.present[m] === 1) out.push(this.at(m));
    return out;
  }
}

/** Most time columns the heatmap draws. */
const HEAT_COLUMNS = 150;

/** What the collector keeps of one shard while rows come. */
interface ShardState {
  total: { records: number; bytes: number; throttled: number };
  minutes: MinuteColumns;
  /** The second being assembled. */
  second: Second | undefined;
  /** The shard's heatmap cells by bin start. */
  heat: Map<number, HeatCell>;
}

/** Accumulates shards.csv into heatmap bins, minute views and per-shard totals. */
export class ShardCollector {
  readonly binSeconds: number;
  /** Heatmap cells in the order they were first reached. */
  private readonly heat: HeatCell[] = [];
  /** Each shard's totals, minutes, second and cells: one look-up a row. */
  private readonly states = new Map<string, ShardState>();
  readonly totals = new Map<string, { records: number; bytes: number; throttled: number }>();
  /** The whole stream's minutes and second. */
  private readonly stream: { minutes: MinuteColumns; second: Second | undefined };
  /** Minutes a run of this duration has (columns grow if rows go beyond). */
  private readonly minuteCount: number;

  constructor(readonly settings: CollectSettings) {
    const raw = Math.max(settings.intervalSeconds, settings.durationSeconds / HEAT_COLUMNS);
    this.binSeconds = niceBin(raw);
    this.minuteCount = Math.max(1, Math.ceil(settings.durationSeconds / 60));
    this.stream = { minutes: new MinuteColumns("stream", this.minuteCount), second: undefined };
  }

  add(row: Row): void {
    this.addFrom((column) => row[column]);
  }

  /** Adds a row of shards.csv given by its cells' values by column (undefined: no such column). */
  addFrom(cell: (column: string) => number | string | undefined): void {
    const n = (column: string) => numberOf(cell(column));
    this.addCells(
      String(cell("ShardId")),
      n("Time"),
      n("IncomingRecords"),
      n("IncomingBytes"),
      n("WriteProvisionedThroughputExceeded"),
      n("ThrottledBytes"),
      Math.max(n("RecordsUtilization"), n("BytesUtilization")),
    );
  }

  /** Adds a row of shards.csv given as its cells (`utilization`: the higher of its two). */
  addCells(
    shard: string,
    time: number,
    records: number,
    bytes: number,
    throttled: number,
    throttledBytes: number,
    utilization: number,
  ): void {
    let state = this.states.get(shard);
    if (!state) {
      const total = { records: 0, bytes: 0, throttled: 0 };
      this.totals.set(shard, total);
      state = {
        total,
        minutes: new MinuteColumns(shard, this.minuteCount),
        second: undefined,
        heat: new Map(),
      };
      this.states.set(shard, state);
    }
    const total = state.total;
    total.records += records;
    total.bytes += bytes;
    total.throttled += throttled;

    const bin = Math.floor(time / this.binSeconds) * this.binSeconds;
    let cell = state.heat.get(bin);
    if (!cell) {
      cell = { shard, time: bin, utilization: 0, throttled: 0 };
      state.heat.set(bin, cell);
      this.heat.push(cell);
    }
    cell.utilization = Math.max(cell.utilization, utilization);
    cell.throttled += throttled;

    const minute = Math.floor(time / 60);
    const m = state.minutes;
    const sm = this.stream.minutes;
    addToMinute(m, minute, records, bytes, throttled, throttledBytes);
    addToMinute(sm, minute, records, bytes, throttled, throttledBytes);
    // Per-second peaks: rows of a second or longer are their own rate; shorter rows add up.
    const interval = this.settings.intervalSeconds;
    const second = interval >= 1 ? time : Math.floor(time + 1e-9);
    const scale = interval >= 1 ? 1 / interval : 1;
    this.peak(m, minute, addToSecond(state, second, scale, records, bytes, throttled, throttledBytes), 1);
    this.peak(
      sm,
      minute,
      addToSecond(this.stream, second, scale, records, bytes, throttled, throttledBytes),
      this.settings.openShards?.(time) ?? 1,
    );
  }

  /** Folds a second (as it stands) into its minute's peaks; `shards` scales the stream's limits. */
  private peak(m: MinuteColumns, minute: number, s: Second, shards: number): void {
    m.maxRecordsPerSecond[minute] = Math.max(m.maxRecordsPerSecond[minute]!, s.records);
    m.maxBytesPerSecond[minute] = Math.max(m.maxBytesPerSecond[minute]!, s.bytes);
    const demandRecords = s.records + s.throttled;
    const demandBytes = s.bytes + s.throttledBytes;
    m.maxDemandRecordsPerSecond[minute] = Math.max(m.maxDemandRecordsPerSecond[minute]!, demandRecords);
    m.maxDemandBytesPerSecond[minute] = Math.max(m.maxDemandBytesPerSecond[minute]!, demandBytes);
    const byRecords = demandRecords / (shards * this.settings.recordsPerSecondLimit);
    const byBytes = demandBytes / (shards * this.settings.bytesPerSecondLimit);
    const utilization = 100 * Math.max(byRecords, byBytes);
    if (utilization > m.peakDemandUtilization[minute]!) {
      m.peakDemandUtilization[minute] = utilization;
      m.bindsOnBytes[minute] = byBytes > byRecords ? 1 : 0;
    }
  }

  /** The stream's minutes, summed over its shards. */
  streamMinuteList(): ShardMinute[] {
    return this.stream.minutes.list();
  }

  /** Shard ids, hottest (most records offered) first. */
  shardsByHeat(): string[] {
    return [...this.totals.entries()]
      .sort(
        (a, b) => b[1].records + b[1].throttled - (a[1].records + a[1].throttled) || (a[0] < b[0] ? -1 : 1),
      )
      .map(([id]) => id);
  }

  /** Heatmap cells of the given shards. */
  heatCells(shards: readonly string[]): HeatCell[] {
    const wanted = new Set(shards);
    return this.heat.filter((c) => wanted.has(c.shard));
  }

  /** Minute aggregates of every shard, in time then shard order (made as they are read). */
  *shardMinutes(): Generator<ShardMinute> {
    const shards = [...this.states.values()]
      .map((s) => s.minutes)
      .sort((a, b) => (a.shard < b.shard ? -1 : 1));
    let length = 0;
    for (const s of shards) length = Math.max(length, s.present.length);
    for (let minute = 0; minute < length; minute++)
      for (const s of shards) if (s.has(minute)) yield s.at(minute);
  }

  /** One shard's minutes, in time order. */
  minutesOf(shard: string): ShardMinute[] {
    return this.states.get(shard)?.minutes.list() ?? [];
  }
}

/** Adds a row's counts to its minute. */
function addToMinute(
  x: MinuteColumns,
  minute: number,
  records: number,
  bytes: number,
  throttled: number,
  throttledBytes: number,
): void {
  x.touch(minute);
  x.records[minute] = x.records[minute]! + records;
  x.bytes[minute] = x.bytes[minute]! + bytes;
  x.throttled[minute] = x.throttled[minute]! + throttled;
  x.throttledBytes[minute] = x.throttledBytes[minute]! + throttledBytes;
}

/** Adds a row's counts, as a rate, to the second it belongs to (a new second starts afresh). */
function addToSecond(
  state: { second: Second | undefined },
  second: number,
  scale: number,
  records: number,
  bytes: number,
  throttled: number,
  throttledBytes: number,
): Second {
  let s = state.second;
  if (!s || s.second !== second) {
    s = { second, records: 0, bytes: 0, throttled: 0, throttledBytes: 0 };
    state.second = s;
  }
  s.records += records * scale;
  s.bytes += bytes * scale;
  s.throttled += throttled * scale;
  s.throttledBytes += throttledBytes * scale;
  return s;
}

/** Rounds a bin length up to a readable one (1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10, 15, 30 min, 1 h …). */
function niceBin(seconds: number): number {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 21600, 43200, 86400];
  for (const s of steps) if (s >= seconds - 1e-9) return s;
  return Math.ceil(seconds / 86400) * 86400;
}

/**
 * A minute where a shard throttled although its one-minute demand — IncomingRecords plus
 * WriteProvisionedThroughputExceeded, averaged over the minute — stayed under the limit.
 */
export interface HiddenThrottle {
  shard: string;
  minute: number;
  throttled: number;
  /** The minute's average demand as CloudWatch's one-minute data shows it, % of the limit. */
  averageUtilization: number;
  /** The busiest second of that minute, % of the limit (demand: accepted + throttled). */
  peakUtilization: number;
  /** The limit that second bound on. */
  binding: "records" | "bytes";
}

/** What the one-minute view hides. */
export interface HiddenThrottling {
  /** (shard, minute) pairs that throttled. */
  throttledMinutes: number;
  /** Of those, the ones whose one-minute average stayed below 100% of the limit. */
  hidden: HiddenThrottle[];
  hiddenRecords: number;
}

/** Finds the minutes that throttled while the per-minute average was under the limit. */
export function findHiddenThrottling(
  minutes: Iterable<ShardMinute>,
  settings: CollectSettings,
): HiddenThrottling {
  const hidden: HiddenThrottle[] = [];
  let throttledMinutes = 0;
  let hiddenRecords = 0;
  for (const m of minutes) {
    if (m.throttled <= 0) continue;
    throttledMinutes++;
    // The minute's demand as CloudWatch lets one compute it: (IncomingRecords + throttled) / 60.
    const seconds = Math.min(60, settings.durationSeconds - m.minute * 60);
    const offered = m.records + m.throttled;
    const average = Math.max(
      offered / seconds / settings.recordsPerSecondLimit,
      (m.bytes + m.throttledBytes) / seconds / settings.bytesPerSecondLimit,
    );
    if (average >= 1) continue;
    hidden.push({
      shard: m.shard,
      minute: m.minute,
      throttled: m.throttled,
      averageUtilization: 100 * average,
      peakUtilization: m.peakDemandUtilization,
      binding: m.binding,
    });
    hiddenRecords += m.throttled;
  }
  return { throttledMinutes, hidden, hiddenRecords };
}

/** The open shards at each time of the time series (the stream's limits are per open shard). */
export function openShardsOf(timeseries: readonly Row[]): (timeSeconds: number) => number {
  const times = timeseries.map((r) => num(r, "Time"));
  const counts = timeseries.map((r) => Math.max(1, num(r, "OpenShards")));
  return (t) => {
    // The last row that starts at or before t.
    let lo = 0;
    let hi = times.length - 1;
    if (hi < 0) return 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (times[mid]! <= t + 1e-9) lo = mid;
      else hi = mid - 1;
    }
    return counts[lo]!;
  };
}
