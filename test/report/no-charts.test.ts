// `kinesim run --no-charts` still writes index.html (verdicts, tables, ledger, scenario) and never
// loads the chart stack: here vega, vega-lite and resvg cannot be loaded at all.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { runCommand } from "../../src/cli/run.js";
import { renderChart } from "../../src/report/render.js";

// Each import of the chart stack is recorded, then fails.
const loads = vi.hoisted(() => [] as string[]);
vi.mock("vega", () => {
  loads.push("vega");
  throw new Error("vega was loaded");
});
vi.mock("vega-lite", () => {
  loads.push("vega-lite");
  throw new Error("vega-lite was loaded");
});
vi.mock("@resvg/resvg-js", () => {
  loads.push("resvg");
  throw new Error("resvg was loaded");
});

const work = mkdtempSync(join(tmpdir(), "kinesim-no-charts-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("a run without charts", () => {
  it("writes index.html with its tables and no chart file, loading no chart library", async () => {
    const out = join(work, "lambda");
    const code = await runCommand({
      scenario: "scenarios/lambda-behind.yaml",
      out,
      duration: "1m",
      quiet: true,
      charts: false,
    });
    expect(code).toBe(0);
    const files = readdirSync(out);
    expect(files.filter((f) => /\.(svg|png)$|\.vl\.json$/.test(f))).toEqual([]);
    expect(existsSync(join(out, "index.html"))).toBe(true);
    const html = readFileSync(join(out, "index.html"), "utf8");
    expect(html).not.toContain("<svg");
    expect(html).not.toContain("<figure");
    expect(html).toContain('id="no-charts"');
    for (const section of ["Service-level objectives", "Conservation ledger", "Producers", "Consumers"])
      expect(html).toContain(`<h2>${section}</h2>`);
    expect(html).toContain("Scenario as run");
    // The tables carry units and separators: "1,234 ms", never a bare 1234.567.
    expect(html).toMatch(/<td>[\d,.]+ ms<\/td>/);
    expect(html).not.toMatch(/<td>[\d,]+\.\d{3,}<\/td>/);
    // Every file it links is there.
    for (const [, href] of html.matchAll(/href="([^"#:]+)"/g)) expect(files).toContain(decodeURI(href!));
    expect(loads).toEqual([]);
  });

  it("(the check above can fail: drawing a chart here does load the stack, and fails)", async () => {
    await expect(renderChart({ mark: "point" } as never)).rejects.toThrow();
    expect(loads.length).toBeGreaterThan(0);
  });
});
