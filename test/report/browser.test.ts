// End to end: a real run's index.html opened in headless Chromium (Debian's package; .ci/run
// installs it). The page must load with no console errors and every chart must draw.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { runCommand } from "../../src/cli/run.js";

const CHROMIUM = process.env["KINESIM_CHROMIUM"] ?? "/usr/bin/chromium";
const work = mkdtempSync(join(tmpdir(), "kinesim-browser-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the HTML report in a browser", () => {
  it("loads without errors, draws every chart, and links its CSVs", async () => {
    expect(
      existsSync(CHROMIUM),
      `Chromium not found at ${CHROMIUM}: install Debian's chromium package (.ci/run does)`,
    ).toBe(true);
    const out = join(work, "hidden");
    expect(
      await runCommand({ scenario: "scenarios/hidden-throttling.yaml", out, quiet: true, duration: "3m" }),
    ).toBe(0);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const problems: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error" || message.type() === "warning")
          problems.push(`${message.type()}: ${message.text()}`);
      });
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()}`));
      await page.goto(pathToFileURL(join(out, "index.html")).href, { waitUntil: "load" });
      const charts = await page.$$eval("figure svg", (svgs) =>
        svgs.map((svg) => {
          const box = svg.getBoundingClientRect();
          return {
            width: box.width,
            height: box.height,
            marks: svg.querySelectorAll("path, rect, line").length,
            texts: svg.querySelectorAll("text").length,
          };
        }),
      );
      expect(charts.length).toBeGreaterThanOrEqual(5);
      for (const chart of charts) {
        expect(chart.width).toBeGreaterThan(300);
        expect(chart.height).toBeGreaterThan(80);
        expect(chart.marks).toBeGreaterThan(5);
        expect(chart.texts).toBeGreaterThan(3);
      }
      expect(await page.textContent("#cloudwatch-statement")).toMatch(/^Hidden throttling/);
      const links = await page.$$eval("a", (anchors) => anchors.map((a) => a.getAttribute("href")));
      expect(links).toEqual(
        expect.arrayContaining(["timeseries.csv", "shards.csv", "cloudwatch.csv", "throughput.vl.json"]),
      );
      const screenshot = await page.screenshot({ fullPage: true });
      writeFileSync(join(work, "report.png"), screenshot);
      expect(screenshot.length).toBeGreaterThan(50_000);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
