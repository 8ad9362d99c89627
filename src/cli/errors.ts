// Errors in what a user gave a command (flags, files): printed without a stack trace, exit code 2.

import { sourcesCitedIn } from "../scenario/messages.js";

/** A problem in a command's input that is not a scenario file's (those are ScenarioErrors). */
export class UserInputError extends Error {
  override name = "UserInputError";
}

/**
 * Lines to print after error messages that cite AWS documents: with --verbose each document's full
 * title, date and URL (where to check the limit); without, a hint that --verbose shows them.
 */
export function citedSourceLines(text: string, verbose: boolean): string[] {
  const cited = sourcesCitedIn(text);
  if (cited.length === 0) return [];
  if (!verbose) return ["(--verbose lists the cited AWS documents with their URLs)"];
  return cited.map((s) => `  ${s.cite}: ${s.title}, as of ${s.asOf}, ${s.url}`);
}
