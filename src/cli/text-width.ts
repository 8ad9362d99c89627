// yargs and cliui measure every help line with string-width, whose module builds an
// Intl.Segmenter and a \p{RGI_Emoji} regular expression when it loads: 25-35 ms of a command's
// start, paid even by `--version`. The bundle (bundle.ts) puts this in front of it. Printable ASCII
// (U+0020-U+007E) is one column a character in every version yargs and cliui use (v7 and v8 check
// the same range first), so such strings are answered here; anything else (ANSI colours, control
// characters, wide or combining characters, emoji) loads string-width and gets its answer.

/** string-width's signature, as its callers use it. */
export type StringWidth = (text: string, options?: object) => number;

const PRINTABLE_ASCII = /^[\u0020-\u007E]*$/;

/** A string-width that loads the real one (with `load`) only for a string it cannot answer. */
export function lazyStringWidth(load: () => StringWidth): StringWidth {
  let real: StringWidth | undefined;
  return (text, options) => {
    if (typeof text === "string" && PRINTABLE_ASCII.test(text)) return text.length;
    real ??= load();
    return real(text, options);
  };
}
