// How the charts show numbers: thousands separators on every axis, legend and tooltip, and the
// rule that picks a linear or a logarithmic value axis. Growth, backlog and lag are always linear
// (a log axis makes a straight rise look like it levels off); percentile lines go logarithmic only
// when they span so much that a linear axis would flatten the lowest one into the floor.

/**
 * Vega-lite config shared by every chart: ",~f" is d3's fixed-point format with thousands
 * separators and trailing zeros trimmed, so 12000 reads "12,000" and 0.30000000000000004 reads
 * "0.3". On an axis vega sets the decimals from the tick step; elsewhere (tooltips) at most six.
 * (Plain "," would let vega pick a general format with two digits: 1500 as "1.5e+3".)
 */
export const NUMBER_FORMAT = ",~f";

/** Config every chart spec carries. */
export const CHART_CONFIG = { numberFormat: NUMBER_FORMAT } as const;

/**
 * A percentile chart turns logarithmic when its highest value is more than this many times the
 * typical (median) value of its lowest line: on a linear axis that line would lie in the bottom
 * twentieth of the chart, a few pixels, whatever it did.
 */
export const LOG_SPREAD = 20;

/** The value axis of a chart: linear, or logarithmic with the tick values drawn. */
export type ValueScale = { type: "linear" } | { type: "log"; domain: [number, number]; ticks: number[] };

/** One plotted value of a named line. */
interface Plotted {
  series: string;
  value: number;
}

/** Median of a non-empty list. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * The value axis for lines of percentiles (latencies): log when the lines span more than
 * LOG_SPREAD (see there), linear otherwise. Only positive values count: a zero is an interval
 * without a sample, and the charts leave those out.
 */
export function percentileScale(points: readonly Plotted[]): ValueScale {
  const bySeries = new Map<string, number[]>();
  let hi = 0;
  let lo = Number.POSITIVE_INFINITY;
  for (const p of points) {
    if (!(p.value > 0)) continue;
    const list = bySeries.get(p.series) ?? [];
    list.push(p.value);
    bySeries.set(p.series, list);
    hi = Math.max(hi, p.value);
    lo = Math.min(lo, p.value);
  }
  if (bySeries.size === 0) return { type: "linear" };
  const lowestLine = Math.min(...[...bySeries.values()].map(median));
  if (hi <= LOG_SPREAD * lowestLine) return { type: "linear" };
  // The domain runs from the round tick at or below the lowest value to the one at or above the
  // highest, not to whole decades: 90 ms to 2,400 ms is drawn from 50 to 5,000, not 10 to 10,000.
  const all = logTicks(lo, hi);
  const from = all.filter((t) => t <= lo).at(-1) ?? all[0]!;
  const to = all.find((t) => t >= hi) ?? all.at(-1)!;
  return { type: "log", domain: [from, to], ticks: all.filter((t) => t >= from && t <= to) };
}

/**
 * Tick values for a log axis from `lo` to `hi`: powers of ten, with 2× and 5× between them when
 * the range is three decades or less, so a reader sees the uneven spacing that marks a log axis
 * and every label is a round number (`decadesOnly` for short panels). The range is widened to
 * whole decades, as vega's `nice` widens the domain.
 */
export function logTicks(lo: number, hi: number, options: { decadesOnly?: boolean } = {}): number[] {
  const first = Math.floor(Math.log10(lo));
  const last = Math.ceil(Math.log10(hi));
  const steps = last - first <= 3 && !options.decadesOnly ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let e = first; e <= last; e++)
    for (const m of steps) {
      // toPrecision drops float noise: 3 × 10^-1 is 0.30000000000000004.
      const v = Number((m * 10 ** e).toPrecision(6));
      if (v <= 10 ** last) ticks.push(v);
    }
  return ticks;
}

/** The vega-lite `scale` and `axis` of a value channel for a ValueScale. */
export function valueScaleEncoding(scale: ValueScale): Record<string, unknown> {
  return scale.type === "log"
    ? { scale: { type: "log", domain: scale.domain, nice: false }, axis: { values: scale.ticks } }
    : {};
}

/** An axis title that says when the axis is logarithmic. */
export function scaledTitle(title: string, scale: ValueScale): string {
  return scale.type === "log" ? `${title} (log scale)` : title;
}
