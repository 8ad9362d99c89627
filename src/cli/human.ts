// Wall-clock durations as a person reads them ("4.2 s", "45 s", "3 min 20 s", "1 h 05 min").
import { formatNumber } from "../scenario/units.js";

/** A duration in ms, rounded to what a person needs. */
export function formatWall(ms: number): string {
  if (ms < 9_950) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  const min = Math.round(s / 60);
  if (min < 48 * 60) return `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, "0")} min`;
  return `${Math.round(min / 1440)} d`;
}

/** A whole number with thousands separators ("1,975,498"). */
export function count(n: number): string {
  return formatNumber(Math.round(n));
}

/** A fraction as a percentage with sensible decimals ("3.39%", "0.012%", "0%"). */
export function percent(fraction: number): string {
  const p = 100 * fraction;
  if (p === 0) return "0%";
  // Not "0%" for something that happened.
  if (Math.abs(p) < 0.001) return p > 0 ? "<0.001%" : ">-0.001%";
  const digits = Math.abs(p) >= 10 ? 1 : Math.abs(p) >= 0.1 ? 2 : 3;
  return `${formatNumber(p, digits)}%`;
}

/** A number with thousands separators and at most `digits` decimals ("1,144.8"). */
export function decimal(n: number, digits = 1): string {
  return formatNumber(n, digits);
}

/** A plain-text table: the first column left-aligned, the others right-aligned. */
export function textTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  indent = "",
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    indent +
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join("  ")
      .trimEnd();
  return `${[header, ...rows].map(line).join("\n")}\n`;
}
