// What `kinesim validate` says a valid scenario holds: its streams, producers and their traffic,
// consumers by kind, delivery streams, applications, queues, SLOs, capacity actions and variants —
// only what the file has, counted with the right plurals.

import { US_PER_S } from "../engine/time.js";
import { rateFunction } from "../model/traffic.js";
import type { Scenario } from "../scenario/schema.js";
import { formatDuration, formatNumber } from "../scenario/units.js";

/** How an explicit shard list starts the stream: its shards as listed, or rescaled to the count. */
function listed(x: { shards: number; shardList?: readonly { closed: boolean }[] | undefined }): string {
  if (!x.shardList) return "";
  const open = x.shardList.filter((e) => !e.closed).length;
  const closed = x.shardList.length - open;
  return open === x.shards
    ? `, as listed in shardList${closed > 0 ? ` (and ${counted(closed, "closed parent")})` : ""}`
    : `, the ${counted(open, "listed shard")} rescaled to ${x.shards} at the start`;
}

/** "1 shard", "4 shards". */
export function counted(n: number, one: string, many = `${one}s`): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}

/** How a producer's client is named when it is not the SDK send loop. */
const CLIENT_NAMES: Record<string, string> = { kpl: "KPL", agent: "Kinesis Agent" };

/** Up to this many producers or consumers are named; more are counted by kind. */
const LISTED = 4;

const perSecond = (x: number) => formatNumber(Math.round(x));

/** Repeated values counted: ["lambda", "polling", "lambda"] → "2 lambda, 1 polling" (first-seen order). */
function tally(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([v, n]) => `${n} ${v}`).join(", ");
}

/** The records/s the producers offer: the mean over the run, and the most they can reach at once. */
function traffic(scenario: Scenario): { mean: number; upTo: number } {
  const end = scenario.duration;
  let records = 0;
  let upTo = 0;
  for (const p of scenario.producers) {
    const stop = p.stop ?? end;
    const rate = rateFunction(p.rate, p.start, stop, end);
    records += rate.integral(0, end);
    // The sum of each fleet's own peak: the total can reach no more (peaks may not coincide).
    upTo += p.start < end ? rate.max(p.start, Math.min(stop, end)) : 0;
  }
  return { mean: records / (end / US_PER_S), upTo };
}

/** The lines after "valid": one per kind of component the scenario has. */
export function inventoryLines(scenario: Scenario): [label: string, text: string][] {
  const lines: [string, string][] = [];
  const s = scenario;
  const streams = [
    ...(s.streamDeclared ? [s.stream] : []),
    ...s.streams.map((x) => ({ ...x, mode: "provisioned" as const })),
  ];
  if (streams.length > 0)
    lines.push([
      streams.length === 1 ? "stream" : "streams",
      streams
        .map(
          (x) =>
            (x.mode === "on-demand"
              ? `${x.name}: on-demand (starts at ${counted(x.shards, "shard")})`
              : `${x.name}: ${counted(x.shards, "shard")}`) + listed(x),
        )
        .join("; "),
    ]);
  const { mean, upTo } = traffic(s);
  const rates =
    Math.round(upTo) === Math.round(mean)
      ? `${perSecond(mean)} records/s`
      : `${perSecond(mean)} records/s on average, up to ${perSecond(upTo)}/s`;
  const fleets =
    s.producers.length <= LISTED
      ? s.producers
          .map(
            (p) => `${p.name}${CLIENT_NAMES[p.client] ? ` (${CLIENT_NAMES[p.client]})` : ""} → ${p.target}`,
          )
          .join(", ")
      : `${s.producers.length} fleets writing to ${tally(s.producers.map((p) => p.target))}`;
  lines.push([
    s.producers.length === 1 ? "producer" : "producers",
    `${fleets}: ${rates}${s.producers.length > 1 ? " in total" : ""}`,
  ]);
  if (s.consumers.length > 0)
    lines.push([
      s.consumers.length === 1 ? "consumer" : "consumers",
      s.consumers.length <= LISTED
        ? s.consumers.map((c) => `${c.name} (${c.type})`).join(", ")
        : `${s.consumers.length}: ${tally(s.consumers.map((c) => c.type))}`,
    ]);
  if (s.firehose.length > 0)
    lines.push([
      s.firehose.length === 1 ? "delivery stream" : "delivery streams",
      s.firehose
        .map(
          (f) =>
            `${f.name}: ${f.source.kind === "stream" ? `reads ${f.source.stream}` : "direct PUT"} → ${f.destination.type}`,
        )
        .join("; "),
    ]);
  if (s.analytics.length > 0)
    lines.push([
      s.analytics.length === 1 ? "application" : "applications",
      s.analytics.map((a) => `${a.name} (${a.runtime}): reads ${a.source.stream}`).join("; "),
    ]);
  if (s.queues.length > 0)
    lines.push([
      s.queues.length === 1 ? "queue" : "queues",
      s.queues.map((q) => `${q.name} (SQS FIFO)`).join(", "),
    ]);
  if (s.events.length > 0)
    lines.push([
      s.events.length === 1 ? "event" : "events",
      `${counted(s.events.length, "capacity action")} (${tally(s.events.map((e) => e.action))})`,
    ]);
  if (s.scaling) lines.push(["scaling", `${s.scaling.policy} policy`]);
  const slos = Object.entries(s.slo ?? {}).filter(([, v]) => v !== undefined);
  if (slos.length > 0) lines.push([slos.length === 1 ? "SLO" : "SLOs", slos.map(([k]) => k).join(", ")]);
  if (s.variants.length > 0)
    lines.push([s.variants.length === 1 ? "variant" : "variants", s.variants.map((v) => v.name).join(", ")]);
  return lines;
}

/** The whole report of a valid scenario: "<file>: valid" and the inventory, labels aligned. */
export function validReport(file: string, scenario: Scenario): string {
  const lines = inventoryLines(scenario);
  const width = Math.max(...lines.map(([label]) => label.length));
  return [
    `${file}: valid — ${scenario.name}, ${formatDuration(scenario.duration)} simulated`,
    ...lines.map(([label, text]) => `  ${label.padEnd(width)}  ${text}`),
  ].join("\n");
}
