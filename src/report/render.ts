// Headless rendering of vega-lite specs: compile to vega (collecting every warning), render to
// SVG with vega's renderer-free View, and to PNG with resvg using DejaVu Sans shipped through npm,
// so images do not depend on the fonts of the machine. The chart stack loads lazily.

import { fileURLToPath } from "node:url";
import type { TopLevelSpec } from "vega-lite";

/** Messages vega-lite logged while compiling a spec. */
export interface CompileLog {
  warnings: string[];
  errors: string[];
}

/** A rendered chart. */
export interface RenderedChart {
  svg: string;
  png: Uint8Array;
  log: CompileLog;
}

type ChartStack = {
  compile: typeof import("vega-lite").compile;
  vega: typeof import("vega");
  renderAsync: typeof import("@resvg/resvg-js").renderAsync;
};

let stack: Promise<ChartStack> | undefined;

function loadStack(): Promise<ChartStack> {
  stack ??= Promise.all([import("vega-lite"), import("vega"), import("@resvg/resvg-js")]).then(
    ([vl, vega, resvg]) => ({
      compile: vl.compile,
      vega,
      renderAsync: resvg.renderAsync,
    }),
  );
  return stack;
}

/** The fonts PNGs are drawn with. */
export function fontFiles(): string[] {
  return ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"].map((f) =>
    fileURLToPath(import.meta.resolve(`dejavu-fonts-ttf/ttf/${f}`)),
  );
}

/** A vega logger that keeps warnings and errors instead of printing them. */
function collectingLogger(log: CompileLog) {
  let level = 2;
  const logger = {
    level(value?: number) {
      if (value === undefined) return level;
      level = value;
      return logger;
    },
    error(...args: unknown[]) {
      log.errors.push(args.map(String).join(" "));
      return logger;
    },
    warn(...args: unknown[]) {
      log.warnings.push(args.map(String).join(" "));
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  return logger;
}

/** Compiles a vega-lite spec, returning the vega spec and what vega-lite logged. */
export async function compileSpec(spec: TopLevelSpec): Promise<{ vega: unknown; log: CompileLog }> {
  const { compile } = await loadStack();
  const log: CompileLog = { warnings: [], errors: [] };
  const result = compile(spec, { logger: collectingLogger(log) as never });
  return { vega: result.spec, log };
}

/** Renders a spec to SVG and PNG. */
export async function renderChart(
  spec: TopLevelSpec,
  options: { png?: boolean } = {},
): Promise<RenderedChart> {
  const { svg, log } = await chartSvg(spec);
  const png = options.png === false ? new Uint8Array() : await drawPng(svg);
  return { svg, png, log };
}

/** A spec's SVG, made with vega's renderer-free View, and what vega-lite and vega logged. */
export async function chartSvg(spec: TopLevelSpec): Promise<{ svg: string; log: CompileLog }> {
  const { vega } = await loadStack();
  const { vega: compiled, log } = await compileSpec(spec);
  const view = new vega.View(vega.parse(compiled as never), { renderer: "none" });
  view.logger(collectingLogger(log) as never);
  const svg = normalizeIds(await view.toSVG());
  view.finalize();
  return { svg, log };
}

/**
 * Draws an SVG as a PNG on a thread of libuv's pool (resvg's own asynchronous rendering), so that
 * a report can make the next chart's SVG meanwhile; the PNG is encoded when the drawing is done.
 */
export async function drawPng(svg: string): Promise<Uint8Array> {
  const { renderAsync } = await loadStack();
  const image = await renderAsync(svg, {
    background: "white",
    fitTo: { mode: "zoom", value: 2 },
    font: {
      loadSystemFonts: false,
      fontFiles: fontFiles(),
      defaultFontFamily: "DejaVu Sans",
      sansSerifFamily: "DejaVu Sans",
    },
  });
  return new Uint8Array(image.asPng());
}

/**
 * Vega numbers gradients and clip paths with process-wide counters, so the same chart would get
 * other ids when rendered after other charts. Renumber them per SVG, in order of appearance.
 */
export function normalizeIds(svg: string): string {
  const ids = new Map<string, string>();
  return svg.replace(/\b(gradient_|clip)(\d+)\b/g, (whole, prefix: string) => {
    let id = ids.get(whole);
    if (id === undefined) {
      id = `${prefix}${ids.size}`;
      ids.set(whole, id);
    }
    return id;
  });
}
