// A fuzzer over the example scenarios: random edits (a value replaced by junk, a key removed or
// misspelt, the text cut short, bytes inserted) must give either a valid scenario or a ScenarioError
// whose every issue names the file and says what is wrong — never another exception.

import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Document, isMap, isScalar, isSeq, parseDocument, visit } from "yaml";
import { checkSchedule } from "../../src/model/capacity.js";
import { loadScenario, ScenarioError } from "../../src/scenario/load.js";
import { propertySeed, runs } from "../support/property.js";

const EXAMPLES = readdirSync("scenarios")
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .map((f) => readFileSync(`scenarios/${f}`, "utf8"));

const junk = fc.oneof(
  fc.constantFrom(
    -1,
    0,
    1e308,
    -1e308,
    Number.NaN,
    "",
    "1x",
    "10 minutes",
    "-5s",
    "9999999999999999999999GiB",
    "__proto__",
    "constructor",
    null,
    true,
    [],
    {},
    [1, 2, 3],
    { a: 1 },
    "∞",
    "\u0000",
  ),
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double(),
);

/** Every scalar node path of a document. */
function scalarPaths(doc: Document): (string | number)[][] {
  const paths: (string | number)[][] = [];
  visit(doc, {
    Scalar(_key, _node, path) {
      const keys: (string | number)[] = [];
      for (let i = 1; i < path.length; i++) {
        const parent = path[i - 1];
        const node = path[i];
        if (isSeq(parent)) keys.push(parent.items.indexOf(node as never));
        else if (isMap(parent)) {
          const pair = node as { key?: unknown };
          if (pair && typeof pair === "object" && "key" in pair && isScalar(pair.key))
            keys.push(String(pair.key.value));
        }
      }
      paths.push(keys);
    },
  });
  return paths.filter((p) => p.length > 0);
}

const edit = fc.record({
  example: fc.nat(),
  kind: fc.constantFrom("replace", "delete", "misspell", "truncate", "insert"),
  at: fc.nat(),
  value: junk,
  text: fc.string({ maxLength: 8 }),
});

type Edit = typeof edit extends fc.Arbitrary<infer T> ? T : never;

function mutate(e: Edit): string {
  const text = EXAMPLES[e.example % EXAMPLES.length]!;
  if (e.kind === "truncate") return text.slice(0, e.at % (text.length + 1));
  if (e.kind === "insert") {
    const at = e.at % (text.length + 1);
    return text.slice(0, at) + e.text + text.slice(at);
  }
  const doc = parseDocument(text);
  const paths = scalarPaths(doc);
  const path = paths[e.at % paths.length]!;
  if (e.kind === "replace") doc.setIn(path, doc.createNode(e.value));
  else if (e.kind === "delete") doc.deleteIn(path);
  else {
    // Misspell the key that holds this value.
    const parent = path.slice(0, -1);
    const key = path.at(-1);
    if (typeof key === "string") {
      const value = doc.getIn(path);
      doc.deleteIn(path);
      doc.setIn([...parent, `${key}${e.text || "x"}`], value);
    }
  }
  return doc.toString();
}

describe("the scenario loader under random edits", () => {
  it("either loads or reports user errors with a message and a path, and never throws anything else", () => {
    let loaded = 0;
    let rejected = 0;
    fc.assert(
      fc.property(edit, (e) => {
        const text = mutate(e);
        try {
          loadScenario(text, { file: "fuzz.yaml", check: checkSchedule });
          loaded++;
        } catch (error) {
          if (!(error instanceof ScenarioError)) throw error;
          rejected++;
          expect(error.issues.length).toBeGreaterThan(0);
          for (const issue of error.issues) {
            expect(issue.message.length).toBeGreaterThan(0);
            expect(issue.file).toBe("fuzz.yaml");
          }
        }
      }),
      { seed: propertySeed("loader-fuzz"), numRuns: runs(400, 10_000) },
    );
    console.log(
      `[fuzz] ${loaded + rejected} edited scenarios: ${loaded} loaded, ${rejected} rejected as user errors`,
    );
    expect(rejected).toBeGreaterThan(0);
  });
});
