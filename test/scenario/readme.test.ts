// The README's scenario examples are what a new user copies first: each must load. Fragments
// (a `consumers:` or `firehose:` section on its own) are completed with a small stream and producer
// of the same names, so what is checked is the fragment as printed.

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { loadPrices } from "../../src/cli/prices.js";
import { checkSchedule } from "../../src/model/capacity.js";
import { loadScenario } from "../../src/scenario/load.js";

const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const BLOCKS = [...README.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);

/** The stream, producers and streams a fragment may refer to. */
const BASE = {
  name: "readme",
  duration: "1h",
  stream: { name: "clicks", shards: 4 },
  producers: [
    { name: "web", rate: "100/s" },
    { name: "to-events", rate: "100/s", target: "events" },
  ],
};

function complete(fragment: Record<string, unknown>): Record<string, unknown> {
  const whole: Record<string, unknown> = { ...BASE, ...fragment };
  // Without a delivery stream named "events" the second producer would have nowhere to write.
  if (!("firehose" in fragment || "producers" in fragment)) whole.producers = [BASE.producers[0]];
  return whole;
}

describe("the README's scenario examples", () => {
  it("has examples of the main sections", () => {
    const text = BLOCKS.join("\n");
    for (const section of [
      "producers:",
      "consumers:",
      "firehose:",
      "analytics:",
      "queues:",
      "events:",
      "scaling:",
    ])
      expect(text).toContain(section);
  });

  // The capacity example shows alternatives side by side (an on-demand stream, a timetable, a policy)
  // in one block; it is checked section by section.
  const cases = BLOCKS.flatMap((block, i) => {
    const doc = parse(block) as Record<string, unknown>;
    // A Kubernetes manifest and a prices file are not scenarios (the prices file is checked below).
    if ("apiVersion" in doc || "provisioned" in doc) return [];
    if ("events" in doc && "scaling" in doc) {
      const provisioned = { name: "orders", shards: 4 };
      return [
        { title: `block ${i + 1}: stream`, doc: { stream: doc.stream } },
        { title: `block ${i + 1}: events`, doc: { stream: provisioned, events: doc.events } },
        { title: `block ${i + 1}: scaling`, doc: { stream: provisioned, scaling: doc.scaling } },
        { title: `block ${i + 1}: variants`, doc: { stream: provisioned, variants: doc.variants } },
      ];
    }
    return [{ title: `block ${i + 1}: ${Object.keys(doc).join(", ")}`, doc }];
  });

  it("its prices file example loads as a price table", () => {
    const block = BLOCKS.find((b) => /^provisioned:/m.test(b));
    expect(block).toBeDefined();
    const file = join(mkdtempSync(join(tmpdir(), "kinesim-readme-")), "prices.yaml");
    writeFileSync(file, block!);
    expect(loadPrices(file).provisioned.shardHour.value).toBe(0.012);
  });

  it.each(cases)("$title loads", ({ doc }) => {
    const { scenario } = loadScenario(stringify(complete(doc)), { file: "README.md", check: checkSchedule });
    expect(scenario.producers.length).toBeGreaterThan(0);
  });
});
