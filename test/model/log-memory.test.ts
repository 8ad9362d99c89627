// Memory flat in simulated time: a shard's log holds only what some consumer may still need —
// records not yet read, or read and not yet checkpointed — never the whole retention period
// because one kind of consumer forgot to let go.

import { describe, expect, it } from "vitest";
import { NULL_SINK } from "../../src/metrics/sink.js";
import { buildRun } from "../../src/model/build.js";
import { loadScenario } from "../../src/scenario/load.js";

const CONSUMERS: Record<string, string> = {
  polling: "{ name: c, type: polling }",
  efo: "{ name: c, type: efo }",
  kcl: "{ name: c, type: kcl, workers: 2, checkpoint: { every: 10s } }",
  lambda: "{ name: c, type: lambda, batchSize: 100, parallelizationFactor: 2, duration: { base: 20ms } }",
  "lambda over efo": "{ name: c, type: lambda, efo: true, batchSize: 100, duration: { base: 20ms } }",
};

function scenario(consumer: string | undefined, cohorts: boolean) {
  const text = [
    "name: log-memory",
    "duration: 4m",
    `resolution: ${cohorts ? "1s" : "record"}`,
    "stream: { name: s, shards: 2, retention: 24h }",
    "producers: [{ name: p, instances: 4, rate: 400/s, recordSize: 1KiB }]",
    consumer ? `consumers: [${consumer}]` : "",
    consumer
      ? ""
      : "firehose: [{ name: f, source: { stream: s }, buffering: { size: 1MiB, interval: 60s }, destination: { type: s3 } }]",
  ].join("\n");
  return loadScenario(text, { file: "log-memory.yaml" }).scenario;
}

describe("shard logs stay small while consumers keep up", () => {
  const cases = [...Object.entries(CONSUMERS), ["delivery stream", undefined] as const];
  for (const cohorts of [false, true]) {
    it.each(cases)(`%s (${cohorts ? "1 s cohorts" : "record resolution"})`, (_kind, consumer) => {
      const s = scenario(consumer, cohorts);
      const run = buildRun(s, { sink: NULL_SINK });
      run.sim.run(s.duration);
      run.recorder.finish(s.duration);
      const accepted = run.stream.shards.reduce((a, sh) => a + sh.log.nextSeq, 0);
      const held = run.stream.shards.reduce((a, sh) => a + sh.log.heldRecords, 0);
      // 400 records/s for 240 s: the consumers keep up, so the logs hold seconds of records (KCL:
      // up to its 10 s checkpoint interval), not the run's 96,000.
      expect(accepted).toBeGreaterThan(90_000);
      expect(held).toBeLessThan(400 * 20);
    });
  }
});
