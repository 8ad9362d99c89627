// A batch's cohort pieces travel merged into one request. A closed batch waiting for a slot, and
// the pieces of an open one whose records all exist, are merged early, when they are waiting,
// instead of when they are sent: the request sent must be the same, and the records held back
// for the next batch (those created after the send) too.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NO_SPREAD } from "../../src/metrics/latency-histogram.js";
import { Cohort, mergeCreatedPrefix, mergePieces, notYetCreated } from "../../src/model/producer.js";
import { propertySeed, runs } from "../support/property.js";

/** A cohort piece of `count` records created over [fromUs, toUs]. */
function piece(count: number, bytes: number, fromUs: number, toUs: number): Cohort {
  const spread = toUs > fromUs ? { lo: 0, hi: toUs - fromUs } : NO_SPREAD;
  return new Cohort(count, bytes, toUs, spread, 1, -2, 0, -1, -1, 0);
}

/** What is sent at `sendUs` from an open batch, and what waits for the next one. */
function send(batch: Cohort[], sendUs: number) {
  const later = notYetCreated(batch, sendUs) ?? [];
  const view = (c: Cohort) => ({
    count: c.count,
    bytes: c.bytes,
    from: c.originUs - c.spread.hi,
    to: c.originUs - c.spread.lo,
    attempt: c.attempt,
  });
  return { sent: batch.length > 0 ? view(mergePieces(batch, sendUs)) : undefined, later: later.map(view) };
}

/** Pieces in creation order: each starts where the one before it ended, or later. */
const pieces = fc
  .array(
    fc.record({
      gapUs: fc.integer({ min: 0, max: 3_000 }),
      spanUs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20_000 })),
      count: fc.integer({ min: 1, max: 400 }),
      bytesEach: fc.integer({ min: 1, max: 4_096 }),
    }),
    { minLength: 1, maxLength: 40 },
  )
  .map((specs) => {
    let t = 0;
    return specs.map((s) => {
      const from = t + s.gapUs;
      t = from + s.spanUs;
      return { count: s.count, bytes: s.count * s.bytesEach, from, to: t };
    });
  });

describe("merging a waiting batch's pieces early", () => {
  it("sends the same request and holds back the same records as merging when sent", () => {
    fc.assert(
      fc.property(
        pieces,
        fc.integer({ min: 0, max: 200_000 }),
        fc.integer({ min: 0, max: 50_000 }),
        (specs, mergeUs, waitUs) => {
          const make = () => specs.map((p) => piece(p.count, p.bytes, p.from, p.to));
          const sendUs = mergeUs + waitUs;
          const early = make();
          mergeCreatedPrefix(early, mergeUs);
          expect(send(early, sendUs)).toEqual(send(make(), sendUs));
        },
      ),
      { seed: propertySeed("producer/merge waiting pieces"), numRuns: runs(500) },
    );
  });

  it("merges only the pieces whose records all exist, and leaves the rest as they are", () => {
    const buffer = [
      piece(3, 300, 0, 10),
      piece(1, 100, 15, 15),
      piece(2, 200, 20, 40),
      piece(1, 100, 50, 50),
    ];
    mergeCreatedPrefix(buffer, 30);
    expect(buffer.length).toBe(3);
    expect(buffer[0]).toMatchObject({ count: 4, bytes: 400, originUs: 30, spread: { lo: 15, hi: 30 } });
    expect(buffer[1]!.count).toBe(2);
    const none = [piece(2, 200, 20, 40)];
    mergeCreatedPrefix(none, 30);
    expect(none[0]!.count).toBe(2);
  });
});
