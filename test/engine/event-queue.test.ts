import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventQueue } from "../../src/engine/event-queue.js";
import { propertySeed } from "../support/property.js";

describe("EventQueue", () => {
  it("pops by time, and equal times in insertion order", () => {
    const q = new EventQueue(2);
    const log: string[] = [];
    const add = (t: number, label: string) => q.push(t, () => log.push(`${label}@${t}`));
    add(5, "a");
    add(1, "b");
    add(5, "c");
    add(3, "d");
    add(1, "e");
    add(5, "f");
    while (q.size > 0) {
      const t = q.peekTime();
      q.pop()(t);
    }
    expect(log).toEqual(["b@1", "e@1", "d@3", "a@5", "c@5", "f@5"]);
    expect(q.peekTime()).toBe(Number.POSITIVE_INFINITY);
  });

  it("matches a stable sort of (time, insertion) for any interleaving of pushes and pops", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant(-1)), { maxLength: 300 }),
        (ops) => {
          const q = new EventQueue(1);
          const reference: { t: number; id: number }[] = [];
          let id = 0;
          for (const op of ops) {
            if (op >= 0) {
              const mine = id++;
              q.push(op, () => mine);
              reference.push({ t: op, id: mine });
            } else if (reference.length > 0) {
              reference.sort((x, y) => x.t - y.t || x.id - y.id);
              const expected = reference.shift()!;
              expect(q.peekTime()).toBe(expected.t);
              expect((q.pop() as unknown as () => number)()).toBe(expected.id);
            }
          }
          expect(q.size).toBe(reference.length);
        },
      ),
      { numRuns: 300, seed: propertySeed("event-queue-order") },
    );
  });

  // The near tier covers 2^17 µs after the last pop; pushes straddle its edges, land far beyond
  // it, beyond 2^31 µs (where bucket indices wrap as 32-bit integers), and in the past.
  it("keeps (time, insertion) order across the near ring, the far heap and their edges", () => {
    const RING = 1 << 17;
    const delta = fc.oneof(
      fc.integer({ min: 0, max: 3 }),
      fc.integer({ min: RING - 3, max: RING + 3 }),
      fc.integer({ min: 0, max: 4 * RING }),
      fc.integer({ min: 2 ** 31 - 5, max: 2 ** 31 + 5 }),
      fc.integer({ min: -50, max: -1 }),
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(delta, fc.constant(null)), { maxLength: 400 }), (ops) => {
        const q = new EventQueue(1);
        const reference: { t: number; id: number }[] = [];
        let id = 0;
        let lastPopped = 0;
        for (const op of ops) {
          if (op !== null) {
            const t = Math.max(0, lastPopped + op);
            const mine = id++;
            q.push(t, () => mine);
            reference.push({ t, id: mine });
          } else if (reference.length > 0) {
            reference.sort((x, y) => x.t - y.t || x.id - y.id);
            const expected = reference.shift()!;
            expect(q.peekTime()).toBe(expected.t);
            expect((q.pop() as unknown as () => number)()).toBe(expected.id);
            lastPopped = expected.t;
          }
        }
        // Drain: every remaining event in order.
        reference.sort((x, y) => x.t - y.t || x.id - y.id);
        for (const expected of reference) {
          expect(q.peekTime()).toBe(expected.t);
          expect((q.pop() as unknown as () => number)()).toBe(expected.id);
        }
        expect(q.size).toBe(0);
        expect(q.peekTime()).toBe(Number.POSITIVE_INFINITY);
      }),
      { numRuns: 500, seed: propertySeed("event-queue-tiers") },
    );
  });

  it("holds a simulation's event mix in order: many equal times, ticks and far timers", () => {
    const q = new EventQueue(4);
    const reference: { t: number; id: number }[] = [];
    let id = 0;
    let state = 7;
    const rand = (n: number) => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    let now = 0;
    const add = (t: number) => {
      const mine = id++;
      q.push(t, () => mine);
      reference.push({ t, id: mine });
    };
    for (let i = 0; i < 2000; i++) add(rand(3) * 10_000);
    for (let step = 0; step < 20_000; step++) {
      reference.sort((x, y) => x.t - y.t || x.id - y.id);
      const expected = reference.shift()!;
      expect(q.peekTime()).toBe(expected.t);
      expect((q.pop() as unknown as () => number)()).toBe(expected.id);
      now = expected.t;
      const kind = rand(4);
      if (kind === 0) add(now);
      else if (kind === 1) add(now + 10_000 - (now % 10_000));
      else if (kind === 2) add(now + rand(2_000_000));
      else add(now + 3_600_000_000 + rand(5));
    }
  });
});
