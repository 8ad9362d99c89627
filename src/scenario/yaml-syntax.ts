// YAML syntax errors as a user should see them: only the first one (what follows an unclosed
// bracket or quote is noise the parser makes while it recovers), placed where the mistake is
// (the bracket or quote that opened) and explained in plain words.

import { Parser, type YAMLError } from "yaml";

/** The first syntax error of a file: its offset in the text and a plain explanation. */
export interface SyntaxProblem {
  offset: number;
  message: string;
}

/** A bracket or quote opened in the text and never closed, found in the parser's token tree. */
interface Unclosed {
  offset: number;
  /** `{`, `[`, `"` or `'`. */
  opener: string;
  /** Where the quoted text ends (for quotes: the parser reports the error at that end). */
  endOffset: number;
}

/**
 * Picks the earliest of the parser's errors (and of the unclosed brackets behind them) and explains
 * it. `place` renders an offset as "line L, column C" for messages that point elsewhere too.
 */
export function firstSyntaxProblem(
  text: string,
  errors: readonly YAMLError[],
  place: (offset: number) => string,
): SyntaxProblem | undefined {
  if (errors.length === 0) return undefined;
  const unclosed = unclosedOpeners(text);
  const candidates: SyntaxProblem[] = errors.map((error) => explain(error, text, unclosed));
  // An unclosed quote runs to the end of the file and may hold the } or ] of a bracket opened
  // before it: the quote is the mistake, so those brackets are not reported.
  const quote = unclosed.find((u) => u.opener === '"' || u.opener === "'");
  const brackets = unclosed.filter(
    (u) => (u.opener === "{" || u.opener === "[") && (quote === undefined || u.offset > quote.offset),
  );
  brackets.forEach((u, i) => {
    const others = brackets.slice(i + 1).map((o) => `the ${o.opener} at ${place(o.offset)}`);
    const also =
      others.length > 0
        ? `; ${others.join(" and ")} ${others.length === 1 ? "is" : "are"} not closed either`
        : "";
    candidates.push({ offset: u.offset, message: `${unclosedBracket(u.opener)}${also}` });
  });
  // Stable: at one offset the parser's order (and an error before the bracket it implies) is kept.
  return candidates
    .map((c, i) => ({ c, i }))
    .sort((a, b) => a.c.offset - b.c.offset || a.i - b.i)
    .map((x) => x.c)[0];
}

function unclosedBracket(opener: string): string {
  return opener === "{"
    ? "this { is never closed: end the mapping with } (on the same line, or on a later line indented more than its key), or write it one key: value per line"
    : 'this [ is never closed: end the list with ] (on the same line, or on a later line indented more than its key), or write it one "- item" per line';
}

function explain(error: YAMLError, text: string, unclosed: readonly Unclosed[]): SyntaxProblem {
  const offset = error.pos[0];
  const parser = firstLine(error.message);
  const plain = (message: string, at = offset): SyntaxProblem => ({ offset: at, message });
  switch (error.code) {
    case "TAB_AS_INDENT":
      return plain("a tab indents this line; YAML indents with spaces only");
    case "BAD_INDENT": {
      if (/must start at the same column/.test(parser)) {
        const { start, indent } = lineAt(text, offset);
        const tab = indent.includes("\t")
          ? "; the indentation holds a tab, which YAML counts as one column: indent with spaces"
          : "";
        return plain(
          `this line is not lined up with the keys above it: the keys of one mapping start in the same column${tab}`,
          start + indent.length,
        );
      }
      // "Flow map/sequence … must be sufficiently indented and end with a }": the opener explains it
      // (it sorts first); this is the fallback when no opener was found.
      if (/Flow map/.test(parser)) return plain(unclosedBracket("{"));
      if (/Flow sequence/.test(parser)) return plain(unclosedBracket("["));
      return plain(parser);
    }
    case "MISSING_CHAR": {
      const quote = /Missing closing (["'])quote/.exec(parser)?.[1];
      if (quote) {
        const opened = unclosed.find((u) => u.opener === quote && u.offset < offset && offset <= u.endOffset);
        return plain(
          `this ${quote} opens a quoted string that is never closed: add the closing ${quote} (a ${quote} inside the text must be ${quote === '"' ? 'escaped as \\"' : "doubled as ''"})`,
          opened?.offset ?? offset,
        );
      }
      if (/Missing , or : between flow map items/.test(parser))
        return plain(
          "inside { }, items are separated by commas and keys end with a colon (a key with brackets, such as producers[0].rate, must be quoted inside { }, or written in block style)",
        );
      if (/Implicit map keys need to be followed by map values/.test(parser))
        return plain('this line has no ":"; expected key: value');
      return plain(parser);
    }
    case "BLOCK_AS_IMPLICIT_KEY":
      return plain(
        'a value here runs into a "key:" (on the same line, or on the next line indented deeper): line up the keys of one mapping in one column, and write a nested mapping on its own lines or as { key: value }',
      );
    case "MULTILINE_IMPLICIT_KEY":
      return plain('a key runs over more than one line: check the indentation here, or a missing ":"');
    case "BLOCK_IN_FLOW":
      return plain(
        "inside { } or [ ], items are separated by commas and cannot be indented blocks: is a comma or a closing bracket missing?",
      );
    case "UNEXPECTED_TOKEN": {
      if (/flow-map-end/.test(parser)) return plain("this } has no { before it");
      if (/flow-seq-end/.test(parser)) return plain("this ] has no [ before it");
      return plain(parser);
    }
    case "DUPLICATE_KEY": {
      const key = /^\s*["']?([^:"'\n]+)/.exec(text.slice(offset))?.[1]?.trim();
      return plain(
        key
          ? `the key "${key}" appears twice in the same mapping; a key may appear once`
          : "a key appears twice in the same mapping; a key may appear once",
      );
    }
    case "MULTIPLE_DOCS":
      return plain(
        "the file holds more than one YAML document (a line with ---); a scenario is one document",
      );
    case "BAD_DQ_ESCAPE":
      return plain(`${parser} in a "double-quoted" string; use 'single quotes' for text with backslashes`);
    case "BAD_SCALAR_START":
      return plain(`${parser}; put the value in quotes`);
    default:
      return plain(parser);
  }
}

/** The start offset and leading blanks of the line holding `offset`. */
function lineAt(text: string, offset: number): { start: number; indent: string } {
  const start = offset === 0 ? 0 : text.lastIndexOf("\n", offset - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(start))?.[0] ?? "";
  return { start, indent };
}

function firstLine(message: string): string {
  return message.split("\n")[0]!.trim();
}

interface Token {
  type?: string;
  offset?: number;
  source?: string;
  start?: { source?: string };
  end?: { source?: string }[];
}

/** Brackets and quotes the text opens and never closes, from the parser's concrete syntax tree. */
function unclosedOpeners(text: string): Unclosed[] {
  const found: Unclosed[] = [];
  const visit = (token: Token) => {
    if (token.type === "flow-collection" && token.offset !== undefined) {
      const opener = token.start?.source ?? "";
      const closer = opener === "{" ? "}" : "]";
      if (!(token.end ?? []).some((t) => t.source === closer))
        found.push({ offset: token.offset, opener, endOffset: token.offset });
    } else if (
      (token.type === "double-quoted-scalar" || token.type === "single-quoted-scalar") &&
      token.offset !== undefined &&
      token.source !== undefined
    ) {
      const quote = token.type === "double-quoted-scalar" ? '"' : "'";
      if (!closesQuote(token.source, quote))
        found.push({ offset: token.offset, opener: quote, endOffset: token.offset + token.source.length });
    }
  };
  const walk = (node: unknown, depth: number): void => {
    // The tree is as deep as the nesting of the text; the loader's own limits keep it shallow.
    if (depth > 1000 || node === null || typeof node !== "object") return;
    if (Array.isArray(node)) {
      for (const x of node) walk(x, depth + 1);
      return;
    }
    if ("type" in node) visit(node as Token);
    for (const value of Object.values(node)) if (typeof value === "object") walk(value, depth + 1);
  };
  for (const token of new Parser().parse(text)) walk(token, 0);
  return found;
}

/** Whether a quoted scalar's source ends with its closing quote (not an escaped one). */
function closesQuote(source: string, quote: string): boolean {
  if (source.length < 2 || !source.endsWith(quote)) return false;
  if (quote === "'") {
    // '' is an escaped quote: the closing quote is the odd one at the end of a run of quotes.
    const run = /'+$/.exec(source.slice(1))?.[0].length ?? 0;
    return run % 2 === 1;
  }
  const backslashes = /\\*$/.exec(source.slice(0, -1))?.[0].length ?? 0;
  return backslashes % 2 === 0;
}
