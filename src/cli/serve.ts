// `kinesim serve`: the scenario's stream as a Kinesis endpoint over HTTP, in wall-clock time
// (optionally sped up), for clients in any language pointed at it with an endpoint override. The
// simulation advances with the clock: before each request it runs to the present, so the
// scenario's own producers, consumers and reshard events share the stream with the clients.
// GET /metrics answers with the live counters; SIGINT/SIGTERM (or the scenario's end) stop it and
// write the usual report folder.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { US_PER_S } from "../engine/time.js";
import type { RunSummary } from "../metrics/summary.js";
import { buildRun } from "../model/build.js";
import { summarize } from "../model/summarize.js";
import { answerWire } from "../protocol/json-protocol.js";
import { KinesisService } from "../protocol/kinesis-service.js";
import type { Scenario } from "../scenario/schema.js";
import { UserInputError } from "./errors.js";
import { CsvDirectorySink, ReportFolder, shownPath } from "./files.js";
import { loadScenarioFile } from "./load.js";
import { type OverrideFlags, overridesOf } from "./overrides.js";
import { publishRun, REPORT_KEEPS_CELLS } from "./run.js";

/** Options of a server. */
export interface ServeOptions extends OverrideFlags {
  scenario: string;
  /** TCP port (0: any free port). */
  port: number;
  /** Address to listen on (default 127.0.0.1: tests and local clients; 0.0.0.0 for containers). */
  host?: string;
  /** Virtual seconds per wall second (default 1). */
  timeScale?: number;
  /** Report folder (default reports/<scenario name>-serve). */
  out?: string;
  /** Draw charts in the report (default true). */
  charts?: boolean;
}

/** The live counters GET /metrics answers with. */
export interface ServeMetrics {
  virtualSeconds: number;
  calls: Record<string, number>;
  errors: Record<string, number>;
  shards: { ShardId: string; open: boolean; acceptedRecords: number; throttledRecords: number }[];
}

/** A running server. */
export interface RunningServer {
  url: string;
  port: number;
  scenario: Scenario;
  metrics(): ServeMetrics;
  /** Stops listening, closes the books and writes the report; resolves with the summary. */
  stop(reason: string): Promise<RunSummary>;
  /** Resolves when the scenario's duration has been served. */
  readonly ended: Promise<void>;
}

/** Starts serving a scenario's streams. */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { scenario, warnings } = loadScenarioFile(options.scenario, [
    ...overridesOf(options),
    // Clients' records are single records: the stream's log follows each one.
    { path: "resolution", value: "record" },
  ]);
  for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
  const scale = options.timeScale ?? 1;
  if (!(scale > 0) || !Number.isFinite(scale))
    throw new UserInputError(
      `--time-scale ${options.timeScale}: expected a positive number of virtual seconds per second`,
    );
  const target = resolve(options.out ?? `reports/${scenario.name}-serve`);
  const folder = new ReportFolder(target);
  const sink = new CsvDirectorySink(folder.staging, REPORT_KEEPS_CELLS);
  const run = buildRun(scenario, { sink });
  const service = new KinesisService(run.streams, { keepRecordData: true, capacity: run.capacity });
  const calls: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const startedMs = performance.now();
  let stoppedAtUs: number | undefined;
  /** Virtual now: wall time since the start, scaled, never past the scenario's end. */
  const nowUs = () =>
    stoppedAtUs ?? Math.min(scenario.duration, Math.floor((performance.now() - startedMs) * 1000 * scale));
  const advance = () => {
    const t = nowUs();
    if (t > run.sim.nowUs) run.sim.run(t);
    return run.sim.nowUs;
  };
  let requests = 0;
  const server = createServer((req, res) => {
    collect(req)
      .then((body) => answer(req, res, body))
      .catch((error: unknown) => {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(error instanceof Error ? error.message : String(error));
      });
  });
  const answer = (req: IncomingMessage, res: ServerResponse, body: string) => {
    if (req.method === "GET" && req.url?.startsWith("/metrics")) {
      advance();
      res.writeHead(200, { "content-type": "application/json" });
      res.end(`${JSON.stringify(metrics(), null, 2)}\n`);
      return;
    }
    if (stoppedAtUs !== undefined) {
      res.writeHead(503, { "content-type": "application/x-amz-json-1.1" });
      res.end(
        JSON.stringify({ __type: "ServiceUnavailableException", message: "kinesim serve is stopping" }),
      );
      return;
    }
    const t = advance();
    const target = req.headers["x-amz-target"];
    const id = `00000000-0000-4000-a000-${(requests++).toString(16).padStart(12, "0")}`;
    const sdk = req.headers["amz-sdk-request"];
    const wire = answerWire(
      service,
      {
        target: Array.isArray(target) ? target[0] : target,
        body,
        sdkRequest: Array.isArray(sdk) ? sdk[0] : sdk,
      },
      t,
      id,
    );
    const op = wire.operation ?? "unknown";
    calls[op] = (calls[op] ?? 0) + 1;
    if (wire.error) errors[wire.error] = (errors[wire.error] ?? 0) + 1;
    res.writeHead(wire.status, wire.headers);
    res.end(wire.body);
  };
  const metrics = (): ServeMetrics => ({
    virtualSeconds: run.sim.nowUs / US_PER_S,
    calls: { ...calls },
    errors: { ...errors },
    shards: run.stream.shards.map((s) => ({
      ShardId: s.id,
      open: s.open,
      acceptedRecords: s.totalRecords,
      throttledRecords: s.totalThrottled,
    })),
  });
  await listen(server, options.port, options.host ?? "127.0.0.1");
  const port = (server.address() as AddressInfo).port;
  // The simulation keeps pace with the clock between requests too (the scenario's own traffic,
  // reshard events, metric intervals): a few times a second is enough for the report.
  const ticker = setInterval(advance, 50);
  let endTimer: ReturnType<typeof setTimeout> | undefined;
  const ended = new Promise<void>((done) => {
    endTimer = setTimeout(done, (scenario.duration / US_PER_S / scale) * 1000);
  });
  let stopping: Promise<RunSummary> | undefined;
  const stop = (reason: string) => {
    stopping ??= (async () => {
      clearInterval(ticker);
      if (endTimer) clearTimeout(endTimer);
      const end = advance();
      stoppedAtUs = end;
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      run.recorder.finish(end);
      sink.close();
      const summary = summarize(scenario, run);
      if (end < scenario.duration) summary.interrupted = { atSeconds: end / US_PER_S, reason };
      await publishRun(folder, scenario, summary, undefined, options.charts !== false, sink);
      return summary;
    })();
    return stopping;
  };
  return { url: `http://${options.host ?? "127.0.0.1"}:${port}`, port, scenario, metrics, stop, ended };
}

/** `kinesim serve`: serves until a signal or the scenario's end, then writes the report. */
export async function serveCommand(options: ServeOptions & { quiet?: boolean }): Promise<number> {
  const server = await startServer(options);
  const { scenario } = server;
  const say = (line: string) => {
    if (!options.quiet) process.stderr.write(`${line}\n`);
  };
  say(
    `serving stream ${scenario.stream.name} (${scenario.name}) at ${server.url}, ${options.timeScale ?? 1}× wall-clock time, for ${scenario.duration / US_PER_S} virtual s; live metrics at ${server.url}/metrics; Ctrl-C stops`,
  );
  const status = setInterval(() => {
    const m = server.metrics();
    const throttled = m.shards.reduce((a, s) => a + s.throttledRecords, 0);
    const accepted = m.shards.reduce((a, s) => a + s.acceptedRecords, 0);
    say(
      `t=${m.virtualSeconds.toFixed(0)}s accepted ${accepted} throttled ${throttled} calls ${Object.entries(
        m.calls,
      )
        .map(([k, v]) => `${k}=${v}`)
        .join(" ")}`,
    );
  }, 10_000);
  const reason = await new Promise<string>((done) => {
    process.once("SIGINT", () => done("SIGINT"));
    process.once("SIGTERM", () => done("SIGTERM"));
    server.ended.then(() => done("end of scenario"));
  });
  clearInterval(status);
  const summary = await server.stop(reason);
  say(
    `stopped by ${reason} at ${(summary.interrupted?.atSeconds ?? summary.durationSeconds).toFixed(1)} virtual s; wrote ${shownPath(resolve(options.out ?? `reports/${scenario.name}-serve`))}/index.html`,
  );
  return 0;
}

function collect(req: IncomingMessage): Promise<string> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => done(Buffer.concat(chunks).toString("utf8")));
    req.on("error", fail);
  });
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((done, fail) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      fail(
        error.code === "EADDRINUSE"
          ? new UserInputError(`--port ${port}: the port is in use; pick another or 0 for any free port`)
          : error,
      ),
    );
    server.listen(port, host, () => done());
  });
}
