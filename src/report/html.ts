// The self-contained HTML report of a run: verdicts and totals first, then every chart (inline
// SVG, so nothing is fetched at view time), the CloudWatch view, the scenario as run, and links
// to the CSVs and chart specs beside it. Deterministic: no timestamps, no random ids.

import { capacityChanged, type RunSummary } from "../metrics/summary.js";
import { formatNumber } from "../scenario/units.js";
import type { Chart } from "./charts.js";
import type { HiddenThrottling } from "./collect.js";
import { bytes, ms, seconds, sloVerdictText } from "./text.js";

/** A chart with its rendered SVG. */
export interface RenderedReportChart {
  chart: Chart;
  svg: string;
}

/** Everything the page shows. */
export interface HtmlInput {
  summary: RunSummary;
  description?: string;
  scenarioYaml: string;
  /** The drawn charts; undefined when the run was asked for none (`--no-charts`). */
  charts: RenderedReportChart[] | undefined;
  hidden: HiddenThrottling;
  hiddenStatement: string;
  files: string[];
}

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

const n = formatNumber;
/** "1 shard", "4 shards". */
export const plural = (count: number, noun: string) =>
  `${formatNumber(count)} ${noun}${count === 1 ? "" : "s"}`;
const pct = (x: number) => `${Number((x * 100).toPrecision(3))}%`;

function row(cells: string[], header = false): string {
  const tag = header ? "th" : "td";
  return `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join("")}</tr>`;
}

function table(header: string[], rows: string[][]): string {
  return `<table>${row(header, true)}${rows.map((r) => row(r)).join("")}</table>`;
}

const STYLE = `
body { font-family: "DejaVu Sans", system-ui, sans-serif; margin: 2rem auto; max-width: 1000px; color: #212121; padding: 0 1rem; }
h1 { margin-bottom: 0.2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
.subtitle { color: #616161; margin-top: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 0.8rem; margin: 1rem 0; }
.card { border: 1px solid #e0e0e0; border-radius: 6px; padding: 0.6rem 0.8rem; }
.card .label { color: #616161; font-size: 0.85rem; } .card .value { font-size: 1.4rem; font-weight: bold; }
.card.bad .value { color: #c62828; } .card.good .value { color: #2e7d32; }
.statement { border-left: 4px solid #1565c0; background: #e3f2fd; padding: 0.6rem 0.9rem; margin: 1rem 0; }
.statement.warn { border-color: #c62828; background: #ffebee; }
table { border-collapse: collapse; margin: 0.6rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #e0e0e0; padding: 0.25rem 0.6rem; text-align: right; } th { background: #f5f5f5; }
td:first-child, th:first-child { text-align: left; }
figure { margin: 1.2rem 0; } figcaption { color: #424242; font-size: 0.9rem; max-width: 760px; }
figure svg { max-width: 100%; height: auto; }
pre { background: #fafafa; border: 1px solid #e0e0e0; padding: 0.8rem; overflow-x: auto; font-size: 0.85rem; }
.met { color: #2e7d32; font-weight: bold; } .notmet { color: #c62828; font-weight: bold; }
`;

/** Delivery streams and analytics applications: their totals, ledgers and latency paths. */
function pipelinesHtml(s: RunSummary): string {
  const parts: string[] = [];
  const kpl = (s.producers ?? []).filter((p) => p.kpl !== undefined);
  if (kpl.length > 0) {
    parts.push(`<h2>KPL producers</h2>
<p>A Kinesis Producer Library client packs user records into aggregated Kinesis records per predicted shard, collects those into PutRecords requests, holds records its per-shard rate limiter does not let through, and puts failed user records back into its buffers. The stream's limits count Kinesis records; PUT payload units are billed per Kinesis record (25 KB each).</p>
${table(
  [
    "producer",
    "user records put",
    "Kinesis records put",
    "user records per Kinesis record",
    "Kinesis records per request",
    "requests",
    "PUT payload units",
    "buffering mean",
    "held by limiter (max)",
    "throttled (Kinesis records)",
    "wrong shard",
    "expired",
  ],
  kpl.map((p) => {
    const k = p.kpl!;
    return [
      escapeHtml(p.name),
      n(p.accepted),
      n(k.kinesisRecordsPut),
      String(k.userRecordsPerKinesisRecord),
      String(k.kinesisRecordsPerRequest),
      n(k.putRecordsRequests),
      n(k.putPayloadUnits),
      `${k.bufferingTimeMsMean} ms`,
      n(k.rateLimiterHeldMax),
      n(k.errorsThrottled),
      n(k.wrongShard),
      n(k.userRecordsExpired),
    ];
  }),
)}`);
  }
  const apps = s.analytics ?? [];
  if (apps.length > 0) {
    parts.push(`<h2>Analytics applications</h2>
<p>Each application reads its source stream with parallel subtasks; windowed results are emitted when a window closes and written to the sink through the Kinesis connector's batching. Creation to emit is the time from a record's creation until the output its window produced was emitted.</p>
${table(
  [
    "application",
    "runtime",
    "KPUs",
    "records in",
    "records out",
    "window emits",
    "busy",
    "max lag",
    "creation to emit p50 / p99",
    "restarts",
    "duplicates",
  ],
  apps.map((a) => [
    escapeHtml(a.name),
    escapeHtml(a.runtime),
    n(a.kpus),
    n(a.recordsIn),
    n(a.recordsOut),
    n(a.windowsEmitted),
    pct(a.utilization),
    seconds(a.maxLagMs / 1000),
    `${seconds(a.emitLatencyMs.p50 / 1000)} / ${seconds(a.emitLatencyMs.p99 / 1000)}`,
    n(a.restarts),
    n(a.duplicates),
  ]),
)}`);
  }
  const firehose = s.firehose ?? [];
  if (firehose.length > 0) {
    parts.push(`<h2>Delivery streams</h2>
<p>Each delivery stream's ledger: every record taken in is delivered, still buffered, in delivery (being written or retried), failed (transform failures and records beyond the active-partition limit, written to the error prefix), backed up (the destination kept failing past the retry duration) or lost (S3 still failing after 24 hours). Billed bytes round each record up to the next 5 KB.</p>
${table(
  [
    "delivery stream",
    "source → destination",
    "in",
    "throttled",
    "objects",
    "mean object",
    "delivered",
    "buffered",
    "in delivery",
    "failed",
    "backed up",
    "lost",
    "max freshness",
    "billed",
    "ledger",
  ],
  firehose.map((f) => [
    escapeHtml(f.name),
    `${escapeHtml(f.source)} → ${escapeHtml(f.destination)}`,
    n(f.incomingRecords),
    n(f.throttledRecords),
    n(f.objects),
    bytes(f.objectBytesMean),
    n(f.ledger.delivered),
    n(f.ledger.buffered),
    n(f.ledger.inDelivery),
    n(f.ledger.failed),
    n(f.ledger.backedUp),
    n(f.ledger.lost),
    seconds(f.maxDataFreshnessSeconds),
    bytes(f.billedBytes),
    f.ledger.balanced ? '<span class="met">balanced</span>' : '<span class="notmet">NOT balanced</span>',
  ]),
)}`);
    for (const f of firehose.filter((x) => x.stages.length > 1)) {
      parts.push(`<p>The path to ${escapeHtml(f.destination)} through ${escapeHtml(f.name)}, stage by stage (the means add up to ${seconds(f.pathMeanMs / 1000, 2)}):</p>
${table(
  ["stage", "mean", "p99"],
  f.stages.map((x) => [escapeHtml(x.stage), seconds(x.meanMs / 1000, 3), seconds(x.p99Ms / 1000, 3)]),
)}`);
    }
  }
  const queues = s.queues ?? [];
  if (queues.length > 0) {
    parts.push(`<h2>SQS FIFO queues</h2>
<p>Each queue keeps its message groups (the partition keys) in order: a group with a message in flight delivers nothing more until that message is deleted or its visibility timeout runs out, so the useful workers are at most the active groups. Every API action has its own calls-per-second quota; a batch of up to 10 messages is one call. Ledger: sent = processed + queued + in flight.</p>
${table(
  [
    "queue",
    "calls/s per action",
    "messages/s ceiling",
    "workers",
    "groups",
    "sent",
    "send throttled",
    "processed",
    "redelivered",
    "max groups in flight",
    "max busy workers",
    "out of group order",
    "creation to delete p50 / p99",
    "ledger",
  ],
  queues.map((q) => [
    escapeHtml(q.name),
    n(q.transactionsPerSecond),
    n(q.messagesPerSecondCeiling),
    n(q.workers),
    n(q.groups),
    n(q.sent),
    n(q.sendThrottled),
    n(q.processed),
    n(q.redelivered),
    n(q.maxInFlightGroups),
    n(q.maxBusyWorkers),
    n(q.order.outOfOrder),
    `${ms(q.latencyMs.p50)} / ${ms(q.latencyMs.p99)}`,
    q.ledger.balanced ? '<span class="met">balanced</span>' : '<span class="notmet">NOT balanced</span>',
  ]),
)}`);
  }
  return parts.join("\n");
}

/** Most capacity actions listed on the page; scaling.csv has them all. */
const ACTIONS_SHOWN = 40;

/** The capacity section: how the shard count changed and why (empty when it could not change). */
function capacityHtml(s: RunSummary, files: readonly string[]): string {
  const c = s.capacity;
  if (!capacityChanged(c)) return "";
  const actions = c.actions
    .slice(0, ACTIONS_SHOWN)
    .map((a) => [
      `${n(a.at)} s`,
      escapeHtml(a.action),
      `${n(a.from)} → ${n(a.to)}`,
      escapeHtml(a.reason),
      a.result === "done" ? escapeHtml(a.result) : `<span class="notmet">${escapeHtml(a.result)}</span>`,
      escapeHtml(a.detail),
    ]);
  const more =
    c.actions.length > ACTIONS_SHOWN
      ? `<p>The first ${ACTIONS_SHOWN} of ${n(c.actions.length)} actions; <a href="scaling.csv">scaling.csv</a> lists them all.</p>`
      : files.includes("scaling.csv")
        ? `<p><a href="scaling.csv">scaling.csv</a> lists them too.</p>`
        : "";
  return `<h2>Capacity</h2>
<p>${escapeHtml(c.mode)} at the end, ${plural(c.openShardsAtEnd, "open shard")} (at most ${n(c.maxOpenShards)}); ${plural(c.shardsCreated, "shard")} created in all; ${n(c.shardHours)} shard-hours of open shards; ${plural(c.actionsDone, "capacity action")} done and ${n(c.actionsRefused)} refused.</p>
${actions.length > 0 ? table(["requested", "action", "open shards", "reason", "result", "detail"], actions) : "<p>No capacity action was requested.</p>"}
${more}`;
}

/** Builds index.html. */
export function reportHtml(input: HtmlInput): string {
  const s = input.summary;
  const r = s.records;
  const declared = s.stream.declared !== false;
  const firehose = s.firehose ?? [];
  const sum = (f: (x: (typeof firehose)[number]) => number) => firehose.reduce((a, x) => a + f(x), 0);
  const deliveryCards = [
    ["records produced", n(s.ledger.produced), ""],
    ["delivered", n(sum((f) => f.deliveredRecords)), ""],
    [
      "throttled by quotas",
      n(sum((f) => f.throttledRecords)),
      sum((f) => f.throttledRecords) > 0 ? "bad" : "good",
    ],
    [
      "backed up or lost",
      n(sum((f) => f.backupRecords + f.lostRecords)),
      sum((f) => f.backupRecords + f.lostRecords) > 0 ? "bad" : "good",
    ],
    ["max freshness", seconds(Math.max(0, ...firehose.map((f) => f.maxDataFreshnessSeconds))), ""],
    ["ledger", s.ledger.balanced ? "balanced" : "NOT balanced", s.ledger.balanced ? "good" : "bad"],
  ];
  const streamCards = [
    ["records produced", n(r.produced), ""],
    [
      "throttled on first attempt",
      pct(s.throttle.firstAttemptFraction),
      s.throttle.firstAttemptFraction > 0 ? "bad" : "good",
    ],
    [
      "dropped after retries",
      `${n(r.dropped)} (${pct(s.loss.droppedFraction)})`,
      r.dropped > 0 ? "bad" : "good",
    ],
    ["put latency p99", ms(s.putLatencyMs.p99), ""],
    ["hottest shard", `${s.hottestShard.shardId.replace("shardId-", "")}: ${pct(s.hottestShard.share)}`, ""],
    ["ledger", s.ledger.balanced ? "balanced" : "NOT balanced", s.ledger.balanced ? "good" : "bad"],
  ];
  const cards = declared ? streamCards : deliveryCards;
  const slo =
    s.slo.length === 0
      ? "<p>The scenario states no SLOs.</p>"
      : table(
          ["SLO", "threshold", "actual", "verdict"],
          s.slo.map((v) => [
            escapeHtml(v.name),
            escapeHtml(v.threshold),
            v.actual === null ? "—" : v.unit === "fraction" ? pct(v.actual) : ms(v.actual),
            v.verdict === "met"
              ? '<span class="met">met</span>'
              : v.verdict === "notMet"
                ? '<span class="notmet">not met</span>'
                : escapeHtml(sloVerdictText(v)),
          ]),
        );
  const ledger = table(
    ["", "records"],
    [
      ["produced", n(s.ledger.produced)],
      ["accepted", n(s.ledger.accepted)],
      ["in flight at the end (buffered, on the wire, backing off)", n(s.ledger.inFlight)],
      ["dropped after the last retry", n(s.ledger.dropped)],
      ["rejected as over the maximum record size", n(s.ledger.rejected ?? 0)],
      [
        "produced − accepted − in flight − dropped − rejected",
        n(
          s.ledger.produced -
            s.ledger.accepted -
            s.ledger.inFlight -
            s.ledger.dropped -
            (s.ledger.rejected ?? 0),
        ),
      ],
    ],
  );
  const producers = table(
    [
      "producer",
      "writes to",
      "produced",
      "accepted",
      "dropped",
      "retried",
      "1st-attempt throttled",
      "put latency p50",
      "put latency p99",
    ],
    s.producers.map((p) => [
      escapeHtml(p.name),
      escapeHtml(p.target ?? s.stream.name),
      n(p.produced),
      n(p.accepted),
      n(p.dropped),
      n(p.retried),
      pct(p.firstAttemptThrottledFraction),
      ms(p.putLatencyMs.p50),
      ms(p.putLatencyMs.p99),
    ]),
  );
  const consumers =
    s.consumers.length === 0
      ? ""
      : `<h2>Consumers</h2>
<p>Each consumer's ledger: every record the stream accepted is processed, still unread, expired (left retention before it was read), discarded after retries, sent to an on-failure destination, or skipped (before a LATEST starting position). Duplicates are records processed again (KCL failovers) and are not in the ledger. Out of key order: records processed after a later-created record of their partition key (checked at record resolution for named keys; — where nothing could be checked).</p>
${table(
  [
    "consumer",
    "kind",
    "processed",
    "unread",
    "expired",
    "discarded",
    "destination",
    "duplicates",
    "out of key order",
    "read delay mean",
    "end-to-end p50 / p99",
    "max lag",
    "ledger",
  ],
  s.consumers.map((c) => [
    escapeHtml(c.name),
    escapeHtml(c.kind),
    n(c.processed),
    n(c.unreadAtEnd),
    n(c.expired),
    n(c.discarded),
    n(c.toDestination),
    n(c.duplicates),
    c.order.checked > 0
      ? `${n(c.order.outOfOrder)}${c.order.outOfOrder > 0 ? ` (${n(c.order.keysAffected)} keys, ≤ ${ms(c.order.maxDisplacementMs)})` : ""}`
      : "—",
    ms(c.readDelayMs.mean),
    `${ms(c.endToEndLatencyMs.p50)} / ${ms(c.endToEndLatencyMs.p99)}`,
    seconds(Math.max(c.iteratorAgeMaxMs, c.millisBehindLatestMaxMs) / 1000),
    c.ledger.balanced ? '<span class="met">balanced</span>' : '<span class="notmet">NOT balanced</span>',
  ]),
)}${
  s.consumers.some((c) => c.lambda)
    ? table(
        ["Lambda mapping", "invocations", "errors", "throttles", "duration p50 / p99", "max concurrency"],
        s.consumers
          .filter((c) => c.lambda)
          .map((c) => [
            escapeHtml(c.name),
            n(c.lambda!.invocations),
            n(c.lambda!.errors),
            n(c.lambda!.throttles),
            `${ms(c.lambda!.durationMs.p50)} / ${ms(c.lambda!.durationMs.p99)}`,
            n(c.lambda!.concurrencyMax),
          ]),
      )
    : ""
}`;
  const capacity = capacityHtml(s, input.files);
  const pipelines = pipelinesHtml(s);
  const hiddenRows = [...input.hidden.hidden]
    .sort((a, b) => b.throttled - a.throttled || a.minute - b.minute)
    .slice(0, 10)
    .map((h) => [
      escapeHtml(h.shard),
      n(h.minute),
      n(h.throttled),
      `${h.averageUtilization.toFixed(1)}%`,
      `${h.peakUtilization.toFixed(1)}%`,
    ]);
  const hiddenTable =
    hiddenRows.length > 0
      ? `<p>The minutes that hid the most throttling:</p>${table(["shard", "minute", "throttled records", "1-minute average", "busiest second"], hiddenRows)}`
      : "";
  const figures = (input.charts ?? [])
    .map(
      ({ chart, svg }) =>
        `<figure id="${chart.name}">${svg}<figcaption><strong>${escapeHtml(chart.title)}.</strong> ${escapeHtml(chart.caption)} <a href="${chart.name}.vl.json">spec</a> · <a href="${chart.name}.png">PNG</a></figcaption></figure>`,
    )
    .join("\n");
  const files = input.files.map((f) => `<li><a href="${encodeURI(f)}">${escapeHtml(f)}</a></li>`).join("");
  const warn = input.hidden.hidden.length > 0;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kinesim · ${escapeHtml(s.scenario)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(s.scenario)}</h1>
${s.interrupted ? `<div class="statement warn" id="partial">PARTIAL: this run was stopped by ${escapeHtml(s.interrupted.reason)} at ${formatNumber(s.interrupted.atSeconds)} s of ${formatNumber(s.durationSeconds)} s; every number and chart covers only that part.</div>` : ""}
<p class="subtitle">${formatNumber(s.durationSeconds)} s simulated at ${escapeHtml(s.resolution)} resolution · seed ${escapeHtml(s.seed)} · ${declared ? `stream ${escapeHtml(s.stream.name)}: ${plural(s.stream.openShards, "shard")}${capacityChanged(s.capacity) ? " at the end" : ""}, ${escapeHtml(s.stream.mode)}, ${escapeHtml(s.stream.limiter)} limiter` : `${plural(firehose.length, "delivery stream")}, no Kinesis data stream`}</p>
${input.description ? `<p>${escapeHtml(input.description)}</p>` : ""}
<div class="cards">${cards.map(([label, value, cls]) => `<div class="card ${cls}"><div class="label">${label}</div><div class="value">${escapeHtml(value!)}</div></div>`).join("")}</div>
${declared ? `<div class="statement${warn ? " warn" : ""}" id="cloudwatch-statement">${escapeHtml(input.hiddenStatement)}</div>` : ""}
<h2>Service-level objectives</h2>
${slo}
<h2>Charts</h2>
${input.charts === undefined ? `<p id="no-charts">No charts were drawn (the run was made with <code>--no-charts</code>). <code>kinesim report &lt;this folder&gt;</code> draws them from the CSVs.</p>` : figures}
${
  declared
    ? `<h2>The CloudWatch view</h2>
<p>CloudWatch publishes Kinesis metrics once a minute: a one-minute Sum, and the per-second average people compute from it (Sum ÷ 60). The shard limits apply per second. <a href="cloudwatch.csv">cloudwatch.csv</a> lists, for the stream and for every shard and minute, the Sum, the per-second average and the busiest second.</p>
${hiddenTable}`
    : ""
}
<h2>Conservation ledger</h2>
${ledger}
<h2>Producers</h2>
${producers}
${capacity}
${consumers}
${pipelines}
<h2>Scenario as run</h2>
<p>Every default filled in.</p>
<pre>${escapeHtml(input.scenarioYaml)}</pre>
<h2>Files</h2>
<ul>${files}</ul>
<p class="subtitle">Made by kinesim. The same scenario and seed always give this same page.</p>
</body>
</html>
`;
}
