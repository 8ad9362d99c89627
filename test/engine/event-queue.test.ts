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
});
