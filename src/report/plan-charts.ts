// Charts of the plan and cost commands: a month's bill by mode and item, and each SLO metric
// against the shard count with its threshold. Plain data in, vega-lite specs out.

import type { TopLevelSpec } from "vega-lite";
import { SCHEMA, WIDTH } from "./charts.js";

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
    title: { text: title, subtitle: "dollars a month (730 hours) of the run's traffic", anchor: "start" },
    width: WIDTH,
    height: Math.max(90, 40 * new Set(bars.map((b) => b.mode)).size),
    data: { values: bars.map((b) => ({ ...b, monthly: Math.round(b.monthly * 100) / 100 })) },
    mark: { type: "bar", tooltip: true },
    encoding: {
      y: { field: "mode", type: "nominal", title: null, sort: null },
      x: { field: "monthly", type: "quantitative", title: "$ per month", stack: "zero" },
      color: {
        field: "item",
        type: "nominal",
        title: "line",
        legend: { orient: "bottom", columns: 2, labelLimit: 340 },
      },
    },
  } as TopLevelSpec;
}

/** One point of the plan chart. */
export interface PlanPoint {
  shards: number;
  metric: string;
  /** Mean over the seeds. */
  mean: number;
  /** Worst over the seeds. */
  worst: number;
  threshold: number;
}

/** Each SLO metric against the shard count: the seeds' mean and worst, and the threshold. */
export function planChart(
  title: string,
  chosen: number | undefined,
  formula: number,
  points: readonly PlanPoint[],
): TopLevelSpec {
  const metrics = [...new Set(points.map((p) => p.metric))];
  return {
    $schema: SCHEMA,
    title: {
      text: title,
      subtitle:
        chosen === undefined
          ? "no shard count met every SLO"
          : `smallest shard count meeting every SLO: ${chosen}`,
      anchor: "start",
    },
    data: { values: points.map((p) => ({ ...p })) },
    facet: { row: { field: "metric", type: "nominal", title: null, sort: metrics } },
    resolve: { scale: { y: "independent" } },
    spec: {
      width: WIDTH,
      height: 140,
      layer: [
        {
          mark: { type: "line", point: true },
          encoding: {
            x: {
              field: "shards",
              type: "quantitative",
              title: "shards",
              axis: { tickMinStep: 1, format: "d" },
            },
            y: { field: "worst", type: "quantitative", title: "worst of the seeds" },
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
          mark: { type: "rule", color: "#c0392b" },
          encoding: { y: { aggregate: "max", field: "threshold", type: "quantitative" } },
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
      ],
    },
  } as TopLevelSpec;
}
