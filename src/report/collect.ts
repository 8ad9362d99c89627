// Reads a run's tables row by row (they can be large) and keeps what the report needs: the time
// series itself, a shard × time grid for the heatmap, and the one-minute "CloudWatch view" of
// every shard beside its one-second truth — the view in which throttling can hide.

/** A row of a table as numbers by column name (ids stay strings). */
export type Row = Record<string, number | string>;

/** Numeric value of a column (0 when absent or blank). */
export function num(row: Row, column: string): number {
  const v = row[column];
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

/** Per-shard aggregates of one minute: what CloudWatch shows, and the per-second truth. */
export interface ShardMinute {
  shard: string;
  minute: number;
  records: number;
  bytes: number;
  throttled: number;
  /** Busiest second of the minute, as offered (accepted + throttled records). */
  maxRecordsPerSecond: number;
  /** Busiest second of the minute in accepted bytes. */
  maxBytesPerSecond: number;
}

/** Limits and sizes the collectors need. */
export interface CollectSettings {
  durationSeconds: number;
  intervalSeconds: number;
  recordsPerSecondLimit: number;
  bytesPerSecondLimit: number;
}

/** Most time columns the heatmap draws. */
const HEAT_COLUMNS = 150;

/** Accumulates shards.csv into heatmap bins, minute views and per-shard totals. */
export class ShardCollector {
  readonly binSeconds: number;
  private readonly heat = new Map<string, HeatCell>();
  private readonly minutes = new Map<string, ShardMinute>();
  readonly totals = new Map<string, { records: number; bytes: number; throttled: number }>();
  // The second being assembled per shard, when rows are shorter than a second.
  private readonly seconds = new Map<string, { second: number; records: number; bytes: number }>();

  constructor(readonly settings: CollectSettings) {
    const raw = Math.max(settings.intervalSeconds, settings.durationSeconds / HEAT_COLUMNS);
    this.binSeconds = niceBin(raw);
  }

  add(row: Row): void {
    const shard = String(row["ShardId"]);
    const time = num(row, "Time");
    const records = num(row, "IncomingRecords");
    const bytes = num(row, "IncomingBytes");
    const throttled = num(row, "WriteProvisionedThroughputExceeded");
    const utilization = Math.max(num(row, "RecordsUtilization"), num(row, "BytesUtilization"));

    const total = this.totals.get(shard) ?? { records: 0, bytes: 0, throttled: 0 };
    total.records += records;
    total.bytes += bytes;
    total.throttled += throttled;
    this.totals.set(shard, total);

    const bin = Math.floor(time / this.binSeconds) * this.binSeconds;
    const heatKey = `${shard}\u0000${bin}`;
    const cell = this.heat.get(heatKey) ?? { shard, time: bin, utilization: 0, throttled: 0 };
    cell.utilization = Math.max(cell.utilization, utilization);
    cell.throttled += throttled;
    this.heat.set(heatKey, cell);

    const minute = Math.floor(time / 60);
    const minuteKey = `${shard}\u0000${minute}`;
    const m = this.minutes.get(minuteKey) ?? {
      shard,
      minute,
      records: 0,
      bytes: 0,
      throttled: 0,
      maxRecordsPerSecond: 0,
      maxBytesPerSecond: 0,
    };
    m.records += records;
    m.bytes += bytes;
    m.throttled += throttled;
    this.minutes.set(minuteKey, m);

    // Per-second peaks: rows of a second or longer are their own rate; shorter rows add up.
    const interval = this.settings.intervalSeconds;
    const offered = records + throttled;
    if (interval >= 1) {
      m.maxRecordsPerSecond = Math.max(m.maxRecordsPerSecond, offered / interval);
      m.maxBytesPerSecond = Math.max(m.maxBytesPerSecond, bytes / interval);
    } else {
      const second = Math.floor(time + 1e-9);
      const s = this.seconds.get(shard);
      if (!s || s.second !== second) {
        this.seconds.set(shard, { second, records: offered, bytes });
      } else {
        s.records += offered;
        s.bytes += bytes;
      }
      const current = this.seconds.get(shard)!;
      m.maxRecordsPerSecond = Math.max(m.maxRecordsPerSecond, current.records);
      m.maxBytesPerSecond = Math.max(m.maxBytesPerSecond, current.bytes);
    }
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
    return [...this.heat.values()].filter((c) => wanted.has(c.shard));
  }

  /** Minute aggregates of every shard, in time then shard order. */
  shardMinutes(): ShardMinute[] {
    return [...this.minutes.values()].sort((a, b) => a.minute - b.minute || (a.shard < b.shard ? -1 : 1));
  }
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
  /** The busiest second of that minute, % of the limit. */
  peakUtilization: number;
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
  minutes: readonly ShardMinute[],
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
      m.bytes / seconds / settings.bytesPerSecondLimit,
    );
    if (average >= 1) continue;
    const peak = Math.max(
      m.maxRecordsPerSecond / settings.recordsPerSecondLimit,
      m.maxBytesPerSecond / settings.bytesPerSecondLimit,
    );
    hidden.push({
      shard: m.shard,
      minute: m.minute,
      throttled: m.throttled,
      averageUtilization: 100 * average,
      peakUtilization: 100 * peak,
    });
    hiddenRecords += m.throttled;
  }
  return { throttledMinutes, hidden, hiddenRecords };
}
