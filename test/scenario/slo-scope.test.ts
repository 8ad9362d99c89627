// Which SLOs a scenario gives something to measure: each rule, both ways.

import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/scenario/load.js";
import { unmeasurableSlos } from "../../src/scenario/slo-scope.js";

const ALL_SLOS = `slo:
  writeThrottledFraction: "< 1%"
  recordsLostFraction: "< 1%"
  putLatencyP50: "< 1s"
  putLatencyP99: "< 2s"
  endToEndLatencyP99: "< 5s"
  iteratorAgeMax: "< 1m"
  dataFreshnessMax: "< 10m"
`;

const load = (text: string) => loadScenario(`name: t\nduration: 1m\n${text}${ALL_SLOS}`, { file: "t.yaml" });

describe("SLOs with nothing to measure", () => {
  it("a stream with a producer and a consumer measures all but DataFreshness", () => {
    const { scenario, warnings } = load(
      "stream: { name: s, shards: 1 }\nproducers: [{ name: p, rate: 10/s }]\nconsumers: [{ name: c, type: polling }]\n",
    );
    expect(unmeasurableSlos(scenario)).toEqual({ dataFreshnessMax: "no delivery streams" });
    expect(warnings).toEqual([
      't.yaml:13:21: slo.dataFreshnessMax: nothing to measure: no delivery streams; runs report this SLO as "not measured (no delivery streams)"',
    ]);
  });

  it("direct PUT to a delivery stream measures only DataFreshness", () => {
    const { scenario } = load(
      "producers: [{ name: p, target: f, rate: 10/s }]\nfirehose: [{ name: f, destination: { type: s3 } }]\n",
    );
    expect(unmeasurableSlos(scenario)).toEqual({
      writeThrottledFraction: "no Kinesis data stream",
      recordsLostFraction: "no Kinesis data stream",
      putLatencyP50: "no Kinesis data stream",
      putLatencyP99: "no Kinesis data stream",
      endToEndLatencyP99: "no consumers",
      iteratorAgeMax: "no consumers",
    });
  });

  it("a stream no producer writes to gives the write-side SLOs nothing", () => {
    const { scenario } = load(
      "stream: { name: s, shards: 1 }\nproducers: [{ name: p, target: f, rate: 10/s }]\nfirehose: [{ name: f, destination: { type: s3 } }]\nconsumers: [{ name: c, type: polling }]\n",
    );
    expect(unmeasurableSlos(scenario)).toEqual({
      writeThrottledFraction: 'no producer writes to stream "s"',
      recordsLostFraction: 'no producer writes to stream "s"',
      putLatencyP50: 'no producer writes to stream "s"',
      putLatencyP99: 'no producer writes to stream "s"',
    });
  });
});
