// A run hands its tables' rows to its report instead of the report parsing the files it just
// wrote. The rows must be exactly what reading the files back gives, cell by cell, so the report
// is the same file either way; a table beyond the sink's budget is read back from its file.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { CsvDirectorySink, ReportFolder } from "../../src/cli/files.js";
import { asRead, rowsAsRead, writeReport } from "../../src/cli/report-files.js";
import { publishRun } from "../../src/cli/run.js";
import { simulate } from "../../src/simulate.js";
import { scenarioOf } from "../laws.js";
import { propertySeed, runs } from "../support/property.js";

/** What writing `cell` to a CSV file and reading it back (as the report does) gives. */
function readBack(cell: string | number): unknown {
  const text = stringify([
    ["value", "next"],
    [cell, "x"],
  ]);
  const [row] = parse(text, { columns: true, cast: true }) as Record<string, unknown>[];
  return row!["value"];
}

const work = mkdtempSync(join(tmpdir(), "kinesim-kept-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("a cell as reading its file back gives it", () => {
  it("is the value csv-stringify and csv-parse give, or undefined, for any number and string", () => {
    const cells = fc.oneof(
      fc.double(),
      fc.integer(),
      fc.constantFrom(0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 60, 5e-324),
      fc.string({ unit: "grapheme" }),
      fc.stringMatching(/^[ +-]?[0-9]{0,4}(\.[0-9]{0,3})?(e[+-]?[0-9]{1,2})?[ a-z,"]{0,2}$/),
      fc.constantFrom(
        "",
        " ",
        "NaN",
        "Infinity",
        "-Infinity",
        "0x10",
        "1e3",
        " 12",
        "12 ",
        "1,5",
        '"7"',
        "a\nb",
      ),
    );
    fc.assert(
      fc.property(cells, (cell) => {
        const mine = asRead(cell);
        if (mine !== undefined) expect(Object.is(mine, readBack(cell))).toBe(true);
      }),
      { seed: propertySeed("report/asRead"), numRuns: runs(2000) },
    );
  });

  it("is known for the cells runs write: numbers and names", () => {
    for (const cell of [
      0,
      -0,
      17,
      0.1 + 0.2,
      1e21,
      123.456,
      "shardId-000000000007",
      "delivered",
      "interval",
      "",
    ])
      expect(asRead(cell), String(cell)).toBe(readBack(cell));
    // A string that may read as a number is left to the file.
    for (const cell of ["12", " 12", "1e3", "0x10", "Infinity"]) expect(asRead(cell)).toBeUndefined();
    expect(rowsAsRead({ columns: ["a", "b"], rows: [[1, "x"]] })).toEqual([{ a: 1, b: "x" }]);
    expect(rowsAsRead({ columns: ["a", "b"], rows: [[1, "7"]] })).toBeUndefined();
    expect(rowsAsRead({ columns: ["a", "b"], rows: [[1]] })).toBeUndefined();
    expect(rowsAsRead({ columns: ["a", "a"], rows: [[1, 2]] })).toBeUndefined();
  });
});

describe("the sink's kept tables", () => {
  it("keeps tables while their cells fit its budget, and gives up a table that outgrows it", () => {
    const dir = join(work, "budget");
    rmSync(dir, { recursive: true, force: true });
    const sink = new CsvDirectorySink(mkdtempSync(join(work, "sink-")), 10);
    const small = sink.open("small", ["a", "b"]);
    const big = sink.open("big", ["a", "b", "c"]);
    small.write([1, 2]);
    big.write([1, 2, 3]);
    big.write([4, 5, 6]);
    expect(sink.kept("big")?.rows).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    big.write([7, 8, 9]); // 2 + 9 cells: over the budget of 10
    small.write([3, 4]); // the big table's cells were given back
    sink.close();
    expect(sink.kept("big")).toBeUndefined();
    expect(sink.kept("small")).toEqual({
      columns: ["a", "b"],
      rows: [
        [1, 2],
        [3, 4],
      ],
    });
    expect(sink.kept("missing")).toBeUndefined();
    expect(new CsvDirectorySink(mkdtempSync(join(work, "none-"))).open("t", ["a"]) && true).toBe(true);
  });
});

/** Runs `file` for `duration`, publishes its report with the sink's budget, returns its files. */
async function published(file: string, duration: string, keepCells: number, charts: boolean) {
  const scenario = scenarioOf(readFileSync(file, "utf8"), { duration });
  const target = join(work, `${file.replace(/\W/g, "_")}-${keepCells}`);
  const folder = new ReportFolder(target);
  const sink = new CsvDirectorySink(folder.staging, keepCells);
  const { summary } = simulate(scenario, { sink });
  sink.close();
  await publishRun(folder, scenario, summary, undefined, charts, sink);
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(target).sort()) files.set(name, readFileSync(join(target, name)));
  return { files, sink };
}

describe("a run's report from its kept rows", () => {
  it.each([
    ["scenarios/firehose-from-stream.yaml", "3m", true],
    ["scenarios/lambda-behind.yaml", "2m", false],
    ["scenarios/analytics-chain.yaml", "2m", false],
    ["scenarios/kpl-aggregation.yaml", "1m", false],
  ])(
    "is byte for byte the report read from its files: %s",
    async (file, duration, charts) => {
      const fromFiles = await published(file, duration, 0, charts);
      const fromRows = await published(file, duration, 1_000_000, charts);
      // The run kept its tables (so the report did not read them back), and the files are the same.
      expect(fromRows.sink.kept("timeseries")?.rows.length).toBeGreaterThan(0);
      expect(fromRows.sink.kept("shards")?.rows.length).toBeGreaterThan(0);
      expect([...fromRows.files.keys()]).toEqual([...fromFiles.files.keys()]);
      for (const [name, content] of fromFiles.files)
        expect(fromRows.files.get(name)!.equals(content), name).toBe(true);
    },
    60_000,
  );
});

describe("a run's report and its scenario's description", () => {
  it("is the report `kinesim report` makes from the folder, which reads the description back", async () => {
    const yaml = [
      "name: described",
      "description: |",
      '  "Quotes", <angle brackets> & ampersands: two lines,',
      "  a colon and unicode — ключ 🚚.",
      "duration: 5s",
      "stream: { shards: 2 }",
      "producers: [{ name: p, rate: 500/s }]",
      "",
    ].join("\n");
    const scenario = scenarioOf(yaml, {});
    const target = join(work, "described");
    const folder = new ReportFolder(target);
    const sink = new CsvDirectorySink(folder.staging, 1_000_000);
    const { summary } = simulate(scenario, { sink });
    sink.close();
    await publishRun(folder, scenario, summary, undefined, false, sink);
    const fromRun = readFileSync(join(target, "index.html"), "utf8");
    expect(fromRun).toContain("&lt;angle brackets&gt; &amp; ampersands");
    await writeReport(target, { charts: false });
    expect(readFileSync(join(target, "index.html"), "utf8")).toBe(fromRun);
  });
});
