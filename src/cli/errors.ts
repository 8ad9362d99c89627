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

/** What the file system said, in words, for errors that come from where a command was told to
 *  read or write (a folder that is a file, no permission, a full disk), not from kinesim. */
const FILE_SYSTEM_REASONS: Record<string, string> = {
  ENOTDIR: "a part of the path is a file, not a folder",
  EISDIR: "that is a folder",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "the file system is read-only",
  ENOSPC: "no space left on the device",
  EDQUOT: "the disk quota is used up",
  ENAMETOOLONG: "the name is too long",
};

/**
 * The user error a file-system error stands for, if it is one of those (a path given to a
 * command cannot be written or read): `cannot mkdir /x/y: a part of the path is a file, not a
 * folder`. Other errors, which would be kinesim's own, are left to be reported as internal.
 */
export function fileSystemInputError(error: unknown): UserInputError | undefined {
  const e = error as NodeJS.ErrnoException | undefined;
  const reason = e?.code === undefined ? undefined : FILE_SYSTEM_REASONS[e.code];
  if (reason === undefined || typeof e?.path !== "string") return undefined;
  return new UserInputError(`cannot ${e.syscall ?? "use"} ${e.path}: ${reason}`);
}

/**
 * Checks a numeric flag: absent, or a number from `min` to `max` (a whole one unless `fraction`),
 * else a user error naming the flag (`--seeds 0: expected a whole number from 1`).
 */
export function checkNumberFlag(
  flag: string,
  value: number | undefined,
  range: { min: number; max?: number; fraction?: boolean; above?: boolean },
): void {
  if (value === undefined) return;
  const { min, max, fraction = false, above = false } = range;
  const ok =
    Number.isFinite(value) &&
    (fraction || Number.isInteger(value)) &&
    (above ? value > min : value >= min) &&
    (max === undefined || value <= max);
  if (ok) return;
  const kind = fraction ? "a number" : "a whole number";
  const span = above ? `above ${min}` : max === undefined ? `from ${min}` : `from ${min} to ${max}`;
  throw new UserInputError(`--${flag} ${value}: expected ${kind} ${span}`);
}
