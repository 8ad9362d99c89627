// Problems found in a scenario file, and how they print. Kept apart from the loader so that the
// command line can recognise them without loading the YAML parser and the schema.

/** One problem in a scenario file. */
export interface ScenarioIssue {
  file: string;
  /** 1-based line, when the problem has a place in the file. */
  line?: number;
  /** 1-based column. */
  column?: number;
  /** YAML path such as `producers[0].batch.maxRecords` ("" for the whole file). */
  path: string;
  message: string;
  /** Where the value came from when not the file (e.g. `--set stream.shards=0`). */
  origin?: string;
}

/** A scenario that failed to load; `issues` lists every problem found. */
export class ScenarioError extends Error {
  /** True when a YAML syntax error stopped the check (only that first error is listed). */
  readonly stoppedAtSyntax: boolean;

  constructor(
    readonly issues: ScenarioIssue[],
    options: { stoppedAtSyntax?: boolean } = {},
  ) {
    super(issues.map(formatIssue).join("\n"));
    this.name = "ScenarioError";
    this.stoppedAtSyntax = options.stoppedAtSyntax ?? false;
  }
}

/** "3 problems found", or, after a syntax error, that checking stopped there. */
export function problemsFound(error: ScenarioError): string {
  if (error.stoppedAtSyntax) return "stopped at this YAML syntax error (fix it to see any others)";
  const n = error.issues.length;
  return `${n} problem${n === 1 ? "" : "s"} found`;
}

/** Renders an issue as `file:line:col: path: message`. */
export function formatIssue(issue: ScenarioIssue): string {
  const place = issue.line !== undefined ? `${issue.file}:${issue.line}:${issue.column ?? 1}` : issue.file;
  const origin = issue.origin ? ` (from ${issue.origin})` : "";
  const path = issue.path === "" ? "" : `${issue.path}: `;
  return `${place}: ${path}${issue.message}${origin}`;
}
