// Where a run's tables go as they are produced, one row at a time: files (the CLI), memory
// (tests and the library API) or nowhere. Memory use of a run does not depend on its length
// unless the caller keeps the rows.

/** A cell of a table: numbers are written as they are, strings quoted when needed. */
export type Cell = string | number;

/** Receives the rows of one table. A sink may keep a row as given (buffered, or for the report):
 *  writers hand over a new array each time and do not change it afterwards. */
export interface TableSink {
  write(row: readonly Cell[]): void;
}

/** Opens tables for a run. */
export interface RunSink {
  /** Opens table `name` (e.g. "timeseries") with its column names. */
  open(name: string, columns: readonly string[]): TableSink;
  /** True when rows are thrown away: the recorder then skips building the costly ones. */
  readonly discards?: boolean;
}

/** A table kept in memory. */
export interface MemoryTable {
  columns: readonly string[];
  rows: Cell[][];
}

/** Keeps every table in memory (tests, small runs through the library). */
export class MemorySink implements RunSink {
  readonly tables = new Map<string, MemoryTable>();

  open(name: string, columns: readonly string[]): TableSink {
    const table: MemoryTable = { columns, rows: [] };
    this.tables.set(name, table);
    return { write: (row) => table.rows.push([...row]) };
  }

  /** Rows of a table as objects keyed by column name. */
  records(name: string): Record<string, Cell>[] {
    const table = this.tables.get(name);
    if (!table) return [];
    return table.rows.map((row) => Object.fromEntries(table.columns.map((c, i) => [c, row[i]!])));
  }
}

/** Discards every row. */
export const NULL_SINK: RunSink = { open: () => ({ write: () => {} }), discards: true };
