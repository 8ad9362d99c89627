// Records over the target's maximum record size: checked at load (a size that is always over is
// bad input; a distribution with mass over it is a warning with the share), and at run time
// rejected as invalid — counted, never clamped, never throttled — at both resolutions.

import { describe, expect, it } from "vitest";
import { checkRecordSizes } from "../../src/model/record-sizes.js";
import { expectLedgerBalanced, runInMemory, scenarioOf } from "../laws.js";

const MiB = 1024 * 1024;
// lognormal, median 300 KiB, p99 3 MiB: the share above 1 MiB follows from the normal tail.
const yaml = `
name: large
duration: 40s
stream: { name: s, shards: 8 }
producers:
  - name: p
    rate: 100/s
    partitionKey: { dist: random }
    recordSize: { dist: lognormal, median: 300KiB, p99: 3MiB }
`;

/** P(X > x) for a lognormal with the given median and p99, from the standard normal tail. */
function lognormalTail(median: number, p99: number, x: number): number {
  const sigma = Math.log(p99 / median) / 2.3263478740408408;
  const z = Math.log(x / median) / sigma;
  // Complementary error function (Abramowitz–Stegun 7.1.26), enough for a 1% tolerance.
  const t = 1 / (1 + 0.3275911 * (z / Math.SQRT2));
  const erfc =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) *
    Math.exp(-(z * z) / 2);
  return erfc / 2;
}

describe("records over the maximum record size", () => {
  it("are a load error when every record is over, and a warning with the share otherwise", () => {
    const constant = checkRecordSizes(scenarioOf(yaml, { "producers[0].recordSize": "2MiB" }));
    expect(constant).toHaveLength(1);
    expect(constant[0]!.severity).toBeUndefined();
    expect(constant[0]!.message).toMatch(/every record would be over the maximum record size of stream "s"/);
    const spread = checkRecordSizes(scenarioOf(yaml));
    expect(spread).toHaveLength(1);
    expect(spread[0]!.severity).toBe("warning");
    const expected = 100 * lognormalTail(300 * 1024, 3 * MiB, MiB - 36);
    const said = Number(/about ([\d.]+)%/.exec(spread[0]!.message)![1]);
    expect(Math.abs(said - expected)).toBeLessThan(0.1);
    // Raised to 10 MiB, a far smaller share is over; records of a few KiB never are.
    const raised = checkRecordSizes(scenarioOf(yaml, { "stream.maxRecordSize": "10MiB" }));
    expect(Number(/about ([\d.e-]+)%/.exec(raised[0]!.message)![1])).toBeLessThan(0.1);
    expect(
      checkRecordSizes(
        scenarioOf(yaml, { "producers[0].recordSize": "{ dist: lognormal, median: 1KiB, p99: 8KiB }" }),
      ),
    ).toEqual([]);
  });

  it.each(["record", "10ms"])("are rejected at run time, not clamped or throttled (%s)", (resolution) => {
    const run = runInMemory(scenarioOf(yaml, { resolution }));
    expectLedgerBalanced(run);
    const s = run.summary;
    const share = lognormalTail(300 * 1024, 3 * MiB, MiB - 36);
    // Binomial: 4,000 records, so 4 standard deviations is about 2 percentage points.
    expect(Math.abs(s.records.rejected / s.records.produced - share)).toBeLessThan(
      4 * Math.sqrt((share * (1 - share)) / s.records.produced),
    );
    expect(s.loss.rejectedFraction).toBeCloseTo(s.records.rejected / s.records.produced, 5);
    expect(s.loss.lostFraction).toBeCloseTo(s.loss.rejectedFraction + s.loss.droppedFraction, 5);
    // What was accepted is never over the limit: no record was shrunk to fit.
    expect(s.bytes.accepted / s.records.accepted).toBeLessThan(MiB);
    const rows = run.sink.records("timeseries");
    expect(rows.reduce((a, r) => a + Number(r["RejectedRecords"]), 0)).toBe(s.records.rejected);
  });
});

describe("mean key bytes", () => {
  it("worked out without building the keys equals the key space's", async () => {
    const { KeySpace, meanKeyBytesOf } = await import("../../src/model/keys.js");
    for (const key of [
      "{ dist: random }",
      "{ dist: uniform, keys: 1234, prefix: truck- }",
      "{ dist: zipf, keys: 20000, exponent: 0.75, prefix: user- }",
      "{ dist: list, keys: [a, { key: bébé, weight: 3 }] }",
      "{ dist: uniform, keys: 100, hotKeys: [{ key: acme-corp, share: 30% }] }",
    ]) {
      const spec = scenarioOf(yaml, { "producers[0].partitionKey": key }).producers[0]!.partitionKey;
      expect(meanKeyBytesOf(spec), key).toBeCloseTo(new KeySpace(spec).meanKeyBytes, 9);
    }
  });
});
