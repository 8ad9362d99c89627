// The chart of a KPL producer, from kpl-<producer>.csv: how much aggregation and collection pack
// into each record and request, how long records wait in the client, and what its per-shard rate
// limiters hold back — the three things that decide whether the KPL fits a stream.

import type { TopLevelSpec } from "vega-lite";
import type { ProducerSummary } from "../metrics/summary.js";
import { binRows, type Chart, COLORS, type Point, round3, SCHEMA, type TimeAxis } from "./charts.js";
import { num, type Row } from "./collect.js";
import { panel } from "./pipeline-charts.js";
import { CHART_CONFIG } from "./scales.js";

/** A KPL producer's table. */
export interface KplSeries {
  summary: ProducerSummary;
  rows: readonly Row[];
}

/** Aggregation and collection, buffering and request time, and the rate limiters' holding. */
export function kplChart(k: KplSeries, axis: TimeAxis): Chart {
  const packing: Point[] = [];
  const waiting: Point[] = [];
  const held: Point[] = [];
  for (const bin of binRows(k.rows)) {
    const t = round3(num(bin[0]!, "Time") / axis.divisor);
    // Ratios of a bin are weighted by what they average over, not averaged row by row.
    const weighted = (value: string, weight: string) => {
      let sum = 0;
      let weights = 0;
      for (const r of bin) {
        sum += num(r, value) * num(r, weight);
        weights += num(r, weight);
      }
      return weights > 0 ? round3(sum / weights) : undefined;
    };
    const perKr = weighted("UserRecordsPerKinesisRecord", "KinesisRecordsPut");
    const perRequest = weighted("KinesisRecordsPerPutRecordsRequest", "PutRecordsRequests");
    if (perKr !== undefined) packing.push({ t, series: "user records per Kinesis record", value: perKr });
    if (perRequest !== undefined)
      packing.push({ t, series: "Kinesis records per request", value: perRequest });
    const buffering = weighted("BufferingTime", "UserRecordsPut");
    const request = weighted("RequestTime", "PutRecordsRequests");
    if (buffering !== undefined) waiting.push({ t, series: "BufferingTime", value: buffering });
    if (request !== undefined) waiting.push({ t, series: "RequestTime", value: request });
    held.push({
      t,
      series: "held by the rate limiters",
      value: Math.max(...bin.map((r) => num(r, "RateLimiterHeldUserRecords"))),
    });
    held.push({
      t,
      series: "pending in the client",
      value: Math.max(...bin.map((r) => num(r, "UserRecordsPending"))),
    });
  }
  const s = k.summary.kpl;
  const spec = {
    $schema: SCHEMA,
    config: CHART_CONFIG,
    title: {
      text: `KPL ${k.summary.name}`,
      subtitle: s
        ? `${Number(s.userRecordsPerKinesisRecord.toPrecision(3))} user records per Kinesis record over the run, ${Number(s.kinesisRecordsPerRequest.toPrecision(3))} Kinesis records per request`
        : "Kinesis Producer Library",
      anchor: "start",
    },
    vconcat: [
      panel(packing, axis, "records", {
        "user records per Kinesis record": COLORS.accepted,
        "Kinesis records per request": COLORS.offered,
      }),
      panel(waiting, axis, "mean, ms", { BufferingTime: COLORS.buffered, RequestTime: COLORS.p99 }),
      panel(
        held,
        axis,
        "user records",
        { "held by the rate limiters": COLORS.throttled, "pending in the client": COLORS.offered },
        { showTime: true },
      ),
    ],
    resolve: { scale: { color: "independent", x: "shared" } },
  };
  return {
    name: `kpl-${k.summary.name}`,
    title: `KPL ${k.summary.name}`,
    caption:
      "The Kinesis Producer Library's own metrics (kpl-<producer>.csv): how many user records each aggregated Kinesis record carries and how many Kinesis records each PutRecords request carries; the mean time a user record waited in the client's buffers before its request was sent (BufferingTime, bounded by RecordMaxBufferedTime unless the rate limiter holds it) and the mean request time; and the most user records held by the per-shard rate limiters (RateLimit) and pending in the client in each interval. Records held by the limiter are waiting in the client instead of being throttled by the stream.",
    spec: spec as unknown as TopLevelSpec,
  };
}
