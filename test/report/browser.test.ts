// End to end: a real run's index.html opened in headless Chromium. The browser arrives through
// `npm install` (@sparticuz/chromium, a self-contained headless build), so this needs nothing
// outside npm. The page must load with no console errors, draw every chart, and link only files
// that exist.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import sparticuz from "@sparticuz/chromium";
import { chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { runCommand } from "../../src/cli/run.js";

const work = mkdtempSync(join(tmpdir(), "kinesim-browser-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Opened {
  charts: { id: string; width: number; height: number; marks: number; texts: number }[];
  headings: string[];
  links: (string | null)[];
  text: (selector: string) => Promise<string | null>;
  screenshot: Buffer;
  problems: string[];
}

/** Opens a report folder's index.html in Chromium and hands what it shows to `check`. */
async function inBrowser(folder: string, check: (page: Opened) => Promise<void>): Promise<void> {
  const browser = await chromium.launch({
    // KINESIM_CHROMIUM points at another build (e.g. a system Chromium) when wanted.
    executablePath: process.env["KINESIM_CHROMIUM"] ?? (await sparticuz.executablePath()),
    headless: true,
    args: [
      ...sparticuz.args,
      // The machine's network is closed: background fetches only add refused connections.
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
    await page.goto(pathToFileURL(join(folder, "index.html")).href, { waitUntil: "load" });
    const charts = await page.$$eval("figure svg", (svgs) =>
      svgs.map((svg) => {
        const box = svg.getBoundingClientRect();
        return {
          id: svg.closest("figure")?.id ?? "",
          width: box.width,
          height: box.height,
          marks: svg.querySelectorAll("path, rect, line").length,
          texts: svg.querySelectorAll("text").length,
        };
      }),
    );
    const headings = await page.$$eval("h2", (hs) => hs.map((h) => h.textContent ?? ""));
    const links = await page.$$eval("a", (anchors) => anchors.map((a) => a.getAttribute("href")));
    const screenshot = await page.screenshot({ fullPage: true });
    // Every link leads somewhere: a file of the report folder, or an anchor of the page.
    for (const href of links) {
      expect(href, "a link without a target").toBeTruthy();
      if (!href || /^[a-z]+:/i.test(href)) continue;
      if (href.startsWith("#")) {
        expect(await page.$(`[id="${href.slice(1)}"]`), `anchor ${href}`).not.toBeNull();
      } else {
        expect(existsSync(join(folder, decodeURIComponent(href.split("#")[0] ?? ""))), `link ${href}`).toBe(
          true,
        );
      }
    }
    await check({
      charts,
      headings,
      links,
      text: (selector) => page.textContent(selector),
      screenshot,
      problems,
    });
  } finally {
    await browser.close();
  }
}

function expectDrawn(charts: Opened["charts"]): void {
  for (const chart of charts) {
    expect(chart.width, chart.id).toBeGreaterThan(300);
    expect(chart.height, chart.id).toBeGreaterThan(80);
    expect(chart.marks, chart.id).toBeGreaterThan(5);
    expect(chart.texts, chart.id).toBeGreaterThan(3);
  }
}

describe("the HTML report in a browser", () => {
  it("loads without errors, draws every chart, and links its CSVs", async () => {
    const out = join(work, "hidden");
    expect(
      await runCommand({ scenario: "scenarios/hidden-throttling.yaml", out, quiet: true, duration: "3m" }),
    ).toBe(0);
    await inBrowser(out, async (page) => {
      expect(page.charts.length).toBeGreaterThanOrEqual(5);
      expectDrawn(page.charts);
      expect(await page.text("#cloudwatch-statement")).toMatch(/^Hidden throttling/);
      expect(page.links).toEqual(
        expect.arrayContaining(["timeseries.csv", "shards.csv", "cloudwatch.csv", "throughput.vl.json"]),
      );
      writeFileSync(join(work, "report.png"), page.screenshot);
      expect(page.screenshot.length).toBeGreaterThan(50_000);
      expect(page.problems).toEqual([]);
    });
  });

  it("without charts (--no-charts): the verdicts and tables, no figure, every link resolving", async () => {
    const out = join(work, "tables");
    expect(
      await runCommand({
        scenario: "scenarios/lambda-behind.yaml",
        out,
        quiet: true,
        duration: "2m",
        charts: false,
      }),
    ).toBe(0);
    await inBrowser(out, async (page) => {
      expect(page.charts).toEqual([]);
      expect(page.headings).toEqual(
        expect.arrayContaining(["Service-level objectives", "Conservation ledger", "Producers", "Consumers"]),
      );
      expect(await page.text("#no-charts")).toMatch(/No charts were drawn/);
      expect(page.links).toEqual(expect.arrayContaining(["timeseries.csv", "consumer-resize.csv"]));
      expect(page.links.filter((href) => href?.endsWith(".vl.json") || href?.endsWith(".png"))).toEqual([]);
      expect(page.problems).toEqual([]);
    });
  });

  it("shows a pipeline: the application, the delivery stream, their charts and CSVs", async () => {
    const out = join(work, "chain");
    expect(
      await runCommand({ scenario: "scenarios/analytics-chain.yaml", out, quiet: true, duration: "4m" }),
    ).toBe(0);
    await inBrowser(out, async (page) => {
      const ids = page.charts.map((c) => c.id);
      expect(ids).toEqual(
        expect.arrayContaining([
          "analytics-page-views",
          "firehose-to-lake-freshness",
          "firehose-to-lake-objects",
          "latency-path-to-lake",
        ]),
      );
      expectDrawn(page.charts);
      expect(page.headings).toEqual(expect.arrayContaining(["Analytics applications", "Delivery streams"]));
      expect(page.links).toEqual(
        expect.arrayContaining([
          "analytics-page-views.csv",
          "firehose-to-lake.csv",
          "firehose-to-lake-objects.csv",
        ]),
      );
      expect(page.problems).toEqual([]);
    });
  });
});
