// Checked properties of the source tree: determinism (no wall clock or unseeded randomness
// outside src/cli) and the direction of imports between layers.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

const FILES = sourceFiles("src");

/** Layers each layer may import (besides itself and packages). */
const ALLOWED: Record<string, string[]> = {
  engine: [],
  data: [],
  scenario: ["engine", "data"],
  metrics: ["engine"],
  model: ["engine", "data", "scenario", "metrics"],
  report: ["metrics", "scenario", "engine"],
  plan: ["engine", "data", "scenario", "metrics", "model"],
  // AWS CLI output, CloudWatch exports and templates → scenario YAML (DESIGN.md's src/import/).
  import: ["engine", "data", "scenario", "metrics", "model"],
  protocol: ["engine", "data", "scenario", "metrics", "model"],
  clients: ["engine", "data", "scenario", "metrics", "model", "protocol"],
  cli: [
    "engine",
    "data",
    "scenario",
    "metrics",
    "model",
    "report",
    "plan",
    "import",
    "protocol",
    "clients",
    "root",
  ],
  root: ["engine", "data", "scenario", "metrics", "model", "report", "plan", "protocol", "clients"],
};

function layerOf(path: string): string {
  const parts = path.split("/");
  return parts.length > 2 ? parts[1]! : "root";
}

/**
 * The one file allowed to name the globals it replaces: while real client code runs in virtual
 * time, it swaps setTimeout/setInterval/setImmediate for wrappers that turn every client timer into
 * an engine event, and Math.random for a named random stream. It must never *use* the real ones.
 */
const VIRTUAL_TIME = "src/clients/virtual-time.ts";

describe("architecture", () => {
  it("lets the virtual clock replace the timer globals and Math.random, never call them", () => {
    const text = readFileSync(VIRTUAL_TIME, "utf8");
    // Assignments to the globals are what it is for; a call of the real ones would leak wall time.
    expect(text).not.toMatch(/Date\.now\(|performance\.now\(|new Date\(\)|Math\.random\(\)(?! *=>)/);
    expect(text).not.toMatch(/[^.\w]setTimeout\(|[^.\w]setInterval\(/);
    expect(text).toMatch(/Math\.random = \(\) => rng\.next\(\)/);
  });

  it("uses no wall clock, timers or unseeded randomness outside src/cli", () => {
    const offenders = FILES.filter((f) => !f.startsWith("src/cli/") && f !== VIRTUAL_TIME).flatMap((f) =>
      readFileSync(f, "utf8")
        .split("\n")
        .map((line, i) => ({ f, i, line }))
        .filter(
          ({ line }) =>
            /Math\.random|Date\.now|performance\.now|\bsetTimeout\b|\bsetInterval\b|new Date\(\)/.test(
              line,
            ) && !line.trim().startsWith("//"),
        )
        .map(({ f, i, line }) => `${f}:${i + 1}: ${line.trim()}`),
    );
    expect(offenders).toEqual([]);
  });

  it("imports only point down the layers", () => {
    const violations: string[] = [];
    for (const file of FILES) {
      const from = layerOf(file);
      for (const match of readFileSync(file, "utf8").matchAll(/from "(\.[^"]+)"/g)) {
        const target = join(file, "..", match[1]!);
        const to = layerOf(target);
        if (to !== from && !ALLOWED[from]!.includes(to))
          violations.push(`${file} (${from}) imports ${match[1]} (${to})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it("touches the file system and process only in src/cli", () => {
    const offenders = FILES.filter((f) => !f.startsWith("src/cli/")).filter((f) =>
      /from "node:(fs|child_process|process)"|process\.(argv|exit|stdout|stderr|env)/.test(
        readFileSync(f, "utf8"),
      ),
    );
    expect(offenders).toEqual([]);
  });
});
