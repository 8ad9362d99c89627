// Charts that compare runs — shard counts in a plan, capacity modes in a cost comparison, scaling
// policies on the same traffic. Same look and machinery as a single run's charts.

import type { TopLevelSpec } from "vega-lite";
import { formatNumber } from "../scenario/units.js";
import { type Chart, SCHEMA, WIDTH } from "./charts.js";
import { num, type Row } from "./collect.js";
import { CHART_CONFIG, scaledTitle, type ValueScale, valueScaleEncoding } from "./scales.js";

const HEIGHT = 240;

/** One run's time series, labelled. */
export interface LabelledSeries {
  label: string;
  rows: readonly Row[];
}

/** A metric of several runs over time, one line per run (e.g. throttled records/s per policy). */
export function compareOverTime(
  name: string,
  title: string,
  caption: string,
  runs: readonly LabelledSeries[],
  value: (row: Row) => number,
  yTitle: string,
  timeDivisor = 1,
  timeTitle = "time (s)",
): Chart {
  const values = runs.flatMap((run) =>
    run.rows.map((row) => ({ t: num(row, "Time") / timeDivisor, run: run.label, value: value(row) })),
  );
  const spec = {
    $schema: SCHEMA,
    config: CHART_CONFIG,
    title: { text: title, anchor: "start" },
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: { type: "line", interpolate: "step-after", strokeWidth: 1.5 },
    encoding: {
      x: { field: "t", type: "quantitative", title: timeTitle },
      y: { field: "value", type: "quantitative", title: yTitle },
      color: {
        field: "run",
        type: "nominal",
        title: null,
        sort: runs.map((r) => r.label),
        legend: { orient: "top", labelLimit: 0 },
      },
    },
  };
  return { name, title, caption, spec: spec as TopLevelSpec };
}

/** A point of a sweep: a parameter value and the metrics measured there. */
export interface SweepPoint {
  x: number;
  /** Metric name → value. */
  metrics: Record<string, number>;
}

/**
 * A dashed red rule at an SLO threshold with its label at the right end. It is meant to be the
 * last layer of a chart: layers draw in order, and a threshold drawn before a series disappears
 * wherever the series runs along it (a metric at 0 under a 0.1% threshold).
 */
export function thresholdLayer(threshold: number, label: string): Record<string, unknown> {
  return {
    data: { values: [{ threshold, label }] },
    layer: [
      {
        mark: { type: "rule", strokeDash: [6, 3], strokeWidth: 2, color: "#c62828" },
        encoding: { y: { field: "threshold", type: "quantitative" } },
      },
      {
        mark: { type: "text", align: "right", baseline: "bottom", dy: -2, color: "#c62828", x: "width" },
        encoding: { y: { field: "threshold", type: "quantitative" }, text: { field: "label" } },
      },
    ],
  };
}

/**
 * Metrics against a swept parameter (e.g. throttle fraction and cost against shard count), with
 * an optional threshold line (an SLO) and a marked choice (the plan's answer). Layers go series,
 * then markers, then the threshold, so the threshold is never hidden.
 */
export function compareAcross(
  name: string,
  title: string,
  caption: string,
  points: readonly SweepPoint[],
  xTitle: string,
  metric: string,
  yTitle: string,
  options: { threshold?: number; chosen?: number; scale?: ValueScale } = {},
): Chart {
  const values = points.map((p) => ({
    x: p.x,
    value: p.metrics[metric] ?? 0,
    chosen: p.x === options.chosen,
  }));
  const scale = options.scale ?? { type: "linear" };
  const layers: unknown[] = [
    {
      mark: { type: "line", point: true, strokeWidth: 1.5 },
      encoding: {
        x: { field: "x", type: "quantitative", title: xTitle },
        y: {
          field: "value",
          type: "quantitative",
          title: scaledTitle(yTitle, scale),
          ...valueScaleEncoding(scale),
        },
      },
    },
  ];
  if (options.chosen !== undefined) {
    layers.push({
      transform: [{ filter: "datum.chosen" }],
      mark: { type: "point", size: 160, shape: "diamond", filled: true, color: "#2e7d32" },
      encoding: { x: { field: "x", type: "quantitative" }, y: { field: "value", type: "quantitative" } },
    });
  }
  if (options.threshold !== undefined)
    layers.push(thresholdLayer(options.threshold, `threshold ${formatNumber(options.threshold)}`));
  const spec = {
    $schema: SCHEMA,
    config: CHART_CONFIG,
    title: { text: title, anchor: "start" },
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    layer: layers,
  };
  return { name, title, caption, spec: spec as TopLevelSpec };
}
