// File-system side of the CLI: reading scenario files strictly as UTF-8, writing a run's tables
// as CSV while it runs, and publishing a report folder only when it is complete.

import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { stringify } from "csv-stringify/sync";
import type { Cell, RunSink, TableSink } from "../metrics/sink.js";
import { ScenarioError } from "../scenario/load.js";
import { UserInputError } from "./errors.js";

/** Reads a scenario file; unreadable or non-UTF-8 files become ScenarioErrors (exit 2). */
export function readScenarioFile(path: string): string {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "is a directory"
          : code === "EACCES"
            ? "permission denied"
            : (error as Error).message;
    throw new ScenarioError([{ file: path, path: "", message: `cannot read the scenario file: ${why}` }]);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(raw).replace(/^\uFEFF/, "");
  } catch {
    throw new ScenarioError([
      { file: path, path: "", message: "the file is not UTF-8 text; save it as UTF-8" },
    ]);
  }
}

/** A reader for files a scenario names (trace replays), relative to the scenario's folder. */
export function relativeReader(scenarioPath: string): (path: string) => string {
  const base = dirname(resolve(scenarioPath));
  return (path) => readFileSync(resolve(base, path), "utf8");
}

const FLUSH_BYTES = 1 << 16;

/** A table as its rows were written, kept for the report (see CsvDirectorySink). */
export interface KeptTable {
  columns: readonly string[];
  rows: readonly (readonly Cell[])[];
}

interface OpenTable {
  fd: number;
  rows: Cell[][];
  pendingBytes: number;
  columns: readonly string[];
  /** Every row written so far, while the sink's budget lasts; undefined once the table outgrew it. */
  kept: Cell[][] | undefined;
}

/**
 * Writes each table to `<dir>/<name>.csv`, buffering rows and writing them in blocks. With a
 * budget of `keepCells`, it also keeps the rows of tables while their cells fit in it, so that
 * the report of a run need not parse its own files again; a table that outgrows the budget is
 * read back from its file (a long run's shards.csv does not fit in memory).
 */
export class CsvDirectorySink implements RunSink {
  private readonly tables: OpenTable[] = [];
  private readonly byName = new Map<string, OpenTable>();
  private keptCells = 0;

  constructor(
    private readonly dir: string,
    private readonly keepCells = 0,
  ) {}

  open(name: string, columns: readonly string[]): TableSink {
    const fd = openSync(join(this.dir, `${name}.csv`), "w");
    writeSync(fd, stringify([columns as string[]]));
    const table: OpenTable = {
      fd,
      rows: [],
      pendingBytes: 0,
      columns,
      kept: this.keepCells > 0 ? [] : undefined,
    };
    this.tables.push(table);
    this.byName.set(name, table);
    return {
      write: (row) => {
        table.rows.push(row as Cell[]);
        table.pendingBytes += row.length * 8;
        if (table.kept) this.keep(table, row as Cell[]);
        if (table.pendingBytes >= FLUSH_BYTES) this.flush(table);
      },
    };
  }

  private keep(table: OpenTable, row: Cell[]): void {
    const kept = table.kept!;
    if (this.keptCells + row.length <= this.keepCells) {
      kept.push(row);
      this.keptCells += row.length;
      return;
    }
    for (const r of kept) this.keptCells -= r.length;
    table.kept = undefined;
  }

  /** The rows of table `name` as written, if all of them were kept. */
  kept(name: string): KeptTable | undefined {
    const table = this.byName.get(name);
    return table?.kept ? { columns: table.columns, rows: table.kept } : undefined;
  }

  private flush(table: OpenTable): void {
    if (table.rows.length > 0) writeSync(table.fd, stringify(table.rows));
    table.rows = [];
    table.pendingBytes = 0;
  }

  /** Writes what is buffered and closes every file (the kept rows stay readable). */
  close(): void {
    for (const table of this.tables) {
      if (table.fd < 0) continue;
      this.flush(table);
      closeSync(table.fd);
      table.fd = -1;
    }
  }
}

/**
 * A report folder written in a staging folder next to it and moved into place when complete, so
 * an interrupted run never leaves a folder that looks finished.
 */
export class ReportFolder {
  readonly staging: string;

  constructor(readonly target: string) {
    // The target is replaced whole when the run is published: never one that holds other things.
    const entries = entriesOf(target);
    const isReport =
      entries === undefined ||
      entries.length === 0 ||
      entries.includes("summary.json") ||
      entries.includes(PARTIAL_MARK);
    if (!isReport)
      throw new UserInputError(
        `--out ${target}: ${entries === "file" ? "a file is in the way (of that name, or in its path)" : "the folder exists and is not a kinesim report (no summary.json)"}; kinesim replaces its output folder whole, so choose a new or report folder`,
      );
    // Each process stages in a folder of its own, so runs into the same --out at once never write
    // into each other's files; the one that finishes last replaces the folder.
    this.staging = stagingFolder(target, process.pid);
    removeAbandonedStaging(target);
    rmSync(this.staging, { recursive: true, force: true });
    mkdirSync(this.staging, { recursive: true });
  }

  /** Writes a whole file into the staging folder. */
  write(name: string, content: string): void {
    writeFileSync(join(this.staging, name), content);
  }

  /** Drops the staging folder: nothing is published. */
  discard(): void {
    rmSync(this.staging, { recursive: true, force: true });
  }

  /**
   * Replaces the target folder with the staging folder. Other runs into the same folder may be
   * publishing at the same moment, so only renames touch the target, each atomic: the folder in
   * place is first moved aside under a name of this process's own, then the staging folder takes
   * its place, and what was moved aside is removed last. (Removing the target where it stands
   * races: another run's folder can be renamed into it while it is being emptied.)
   */
  publish(): void {
    const aside = replacedFolder(this.target, process.pid);
    for (let attempt = 1; ; attempt++) {
      rmSync(aside, { recursive: true, force: true });
      try {
        renameSync(this.target, aside);
      } catch (error) {
        // No folder there (none yet, or another run moved it aside first).
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
      try {
        renameSync(this.staging, this.target);
        break;
      } catch (error) {
        // Another run published between the two renames: move its folder aside in turn.
        const code = (error as NodeJS.ErrnoException).code;
        if ((code === "ENOTEMPTY" || code === "EEXIST") && attempt < 100) continue;
        throw error;
      }
    }
    rmSync(aside, { recursive: true, force: true });
  }
}

/**
 * What is at `path`: undefined if nothing, "file" if a file is there or in the path, else the
 * folder's entries. A folder another run is replacing at that moment can vanish between two
 * looks: it is then absent.
 */
function entriesOf(path: string): string[] | "file" | undefined {
  try {
    return readdirSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "ENOTDIR") return "file";
    throw error;
  }
}

/** The staging folder of the process `pid` for the report folder `target`. */
export function stagingFolder(target: string, pid: number): string {
  return join(dirname(target), `.${basename(target)}.partial-${pid}`);
}

/** Where the process `pid` moves the report folder `target` it replaces, until it has removed it. */
export function replacedFolder(target: string, pid: number): string {
  return join(dirname(target), `.${basename(target)}.replaced-${pid}`);
}

/**
 * Removes the staging and replaced folders of `target` whose process has ended (a run that was
 * killed while writing or publishing).
 */
function removeAbandonedStaging(target: string): void {
  const parent = dirname(target);
  if (!existsSync(parent)) return;
  const base = `.${basename(target)}.`;
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(base)) continue;
    const rest = name.slice(base.length);
    // "partial" without a process number: the name staging folders had before they were per process.
    const match = /^(?:partial|replaced)-(\d+)$/.exec(rest);
    const pid = rest === "partial" ? 0 : match ? Number(match[1]) : -1;
    if (pid === 0 || (Number.isSafeInteger(pid) && pid > 0 && !isRunning(pid)))
      rmSync(join(parent, name), { recursive: true, force: true });
  }
}

/** Whether the process `pid` exists (signal 0 checks without signalling). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A file in a report folder that a run did not finish (interrupted): its content says why. */
export const PARTIAL_MARK = "PARTIAL";

/** The summary as a two-column CSV (dotted keys), for spreadsheets. */
export function summaryCsv(summary: object): string {
  const rows: [string, string | number | boolean][] = [];
  const walk = (value: unknown, prefix: string) => {
    if (value !== null && typeof value === "object") {
      for (const [key, inner] of Object.entries(value))
        walk(inner, prefix === "" ? key : Array.isArray(value) ? `${prefix}[${key}]` : `${prefix}.${key}`);
    } else {
      rows.push([prefix, value as string | number | boolean]);
    }
  };
  walk(summary, "");
  return stringify([["key", "value"], ...rows]);
}

/** A path relative to the working directory when it lies inside it (as a person would type it). */
export function shownPath(path: string): string {
  const shown = relative(process.cwd(), path);
  return shown === "" ? "." : shown.startsWith("..") ? path : shown;
}

/** Partition keys from a file, one per line (blank lines skipped; a line is taken as it is). */
export function readKeysFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UserInputError(
      `--keys-file ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
  return text.split(/\r?\n/).filter((line) => line !== "");
}
