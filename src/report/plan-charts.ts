// Charts of the plan and cost commands: a month's bill by mode and item, and each SLO metric
// against the shard count with its threshold. Plain data in, vega-lite specs out.

import type { TopLevelSpec } from "vega-lite";
import { formatNumber } from "../scenario/units.js";
import { SCHEMA, WIDTH } from "./charts.js";
import { thresholdLayer } from "./compare.js";
import { CHART_CONFIG, LOG_SPREAD, logTicks, NUMBER_FORMAT } from "./scales.js";

/** One bar segment of the cost chart. */
export interface CostBar {
  mode: string;
  item: string;
  monthly: number;
}

/** A month's bill per mode, stacked by item. */
export function costChart(title: string, bars: readonly CostBar[]): TopLevelSpec {
  return {
    $schema: SCHEMA,
    config: CHART_CONFIG,
    title: { text: title, subtitle: "dollars a month (730 hours) of the run's traffic", anchor: "start" },
    width: WIDTH,
    height: Math.max(90, 40 * new Set(bars.map((b) => b.mode)).size),
    data: { values: bars.map((b) => ({ ...b, monthly: Math.round(b.monthly * 100) / 100 })) },
    mark: { type: "bar" },
    encoding: {
      y: { field: "mode", type: "nominal", title: null, sort: null, axis: { labelLimit: 0 } },
      x: {
        field: "monthly",
        type: "quantitative",
        title: "$ per month",
        stack: "zero",
        axis: { format: "$,~f" },
      },
      color: {
        field: "item",
        type: "nominal",
        title: "line",
        legend: { orient: "bottom", columns: 2, labelLimit: 0 },
      },
      tooltip: [
        { field: "mode", title: "mode" },
        { field: "item", title: "line" },
        { field: "monthly", type: "quantitative", title: "$ per month", format: "$,.2f" },
      ],
    },
  } as TopLevelSpec;
}

/** One point of the plan chart. */
export interface PlanPoint {
  shards: number;
  metric: string;
  /** "fraction" (shown as a percentage) or "ms". */
  unit?: string;
  /** Mean over the seeds. */
  mean: number;
  /** Worst over the seeds. */
  worst: number;
  threshold: number;
}

/**
 * The value axis of one SLO metric. A metric whose worst values and threshold span more than
 * LOG_SPREAD gets a symmetric-log axis (0.1% against 19% throttled is 190×: on a linear axis the
 * threshold sits a pixel above zero); its linear part reaches only to the smallest positive
 * value, so 0 keeps its place at the bottom. The axis title says which.
 */
function planScale(points: readonly PlanPoint[]): Record<string, unknown> {
  const positive = points.flatMap((p) => [p.worst, p.mean, p.threshold]).filter((v) => v > 0);
  if (positive.length === 0) return {};
  const lo = Math.min(...positive);
  const hi = Math.max(...positive);
  if (hi <= LOG_SPREAD * lo) return {};
  return {
    scale: { type: "symlog", constant: lo },
    axis: { values: [0, ...logTicks(lo, hi, { decadesOnly: true })] },
  };
}

/** One SLO metric's panel: worst and mean of the seeds by shard count, the rules, the threshold. */
function planPanel(
  metric: string,
  points: readonly PlanPoint[],
  chosen: number | undefined,
  formula: number,
  last: boolean,
): Record<string, unknown> {
  const fraction = points[0]?.unit === "fraction";
  const scale = planScale(points);
  const log = "scale" in scale;
  const ms = points[0]?.unit === "ms";
  const yTitle = `${fraction ? "share" : ms ? "ms" : "value"}${log ? " (log scale)" : ""}`;
  const format = fraction ? ".3~%" : NUMBER_FORMAT;
  const threshold = points[0]?.threshold ?? Number.NaN;
  const x = {
    field: "shards",
    type: "quantitative",
    title: last ? "shards" : null,
    axis: { tickMinStep: 1, format: "d", ...(last ? {} : { labels: false }) },
  };
  const thresholdText = fraction
    ? `${Number((100 * threshold).toPrecision(3))}%`
    : `${formatNumber(threshold)}${ms ? " ms" : ""}`;
  return {
    title: { text: metric, anchor: "start", fontSize: 12 },
    width: WIDTH,
    height: 140,
    data: { values: points.map((p) => ({ ...p })) },
    layer: [
      {
        mark: { type: "line", point: true },
        encoding: {
          x,
          y: {
            field: "worst",
            type: "quantitative",
            title: yTitle,
            ...scale,
            axis: { format, ...((scale["axis"] as object | undefined) ?? {}) },
          },
        },
      },
      {
        mark: { type: "line", strokeDash: [2, 2], color: "#888" },
        encoding: {
          x: { field: "shards", type: "quantitative" },
          y: { field: "mean", type: "quantitative" },
        },
      },
      {
        mark: { type: "rule", color: "#888", strokeDash: [6, 4] },
        encoding: { x: { datum: formula, type: "quantitative" } },
      },
      ...(chosen === undefined
        ? []
        : [
            {
              mark: { type: "rule", color: "#27ae60" },
              encoding: { x: { datum: chosen, type: "quantitative" } },
            },
          ]),
      // Last, so no series or rule covers it.
      ...(Number.isFinite(threshold) ? [thresholdLayer(threshold, `SLO ${thresholdText}`)] : []),
    ],
  };
}

/**
 * Each SLO metric against the shard count, one panel per metric: the seeds' worst (solid) and
 * mean (dotted), AWS's formula (grey dashed), the choice (green) and the threshold (red dashed,
 * drawn last).
 */
export function planChart(
  title: string,
  chosen: number | undefined,
  formula: number,
  points: readonly PlanPoint[],
): TopLevelSpec {
  const metrics = [...new Set(points.map((p) => p.metric))];
  return {
    $schema: SCHEMA,
    config: CHART_CONFIG,
    title: {
      text: title,
      subtitle: `${
        chosen === undefined
          ? "no shard count met every SLO"
          : `smallest shard count meeting every SLO: ${chosen}`
      }; solid: worst of the seeds, dotted: their mean`,
      anchor: "start",
    },
    vconcat: metrics.map((m, i) =>
      planPanel(
        m,
        points.filter((p) => p.metric === m),
        chosen,
        formula,
        i === metrics.length - 1,
      ),
    ),
    resolve: { scale: { x: "shared" } },
  } as unknown as TopLevelSpec;
}
