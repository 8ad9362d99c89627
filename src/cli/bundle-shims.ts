// Stand-ins the bundle (bundle.ts) puts in front of libraries whose loading costs a command's
// start-up time; each gives the library's own answers.

import { inflateSync } from "node:zlib";

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

// HdrHistogram's WebAssembly module ships deflated, and the package inflates it with pako, a
// JavaScript inflater that runs cold once per process (and per worker thread): 15-20 ms of a run's
// start. Node's zlib reads the same zlib stream natively. The bundle gives hdr-histogram-js this
// in pako's place; nothing else there uses pako.

/** pako.inflate's answer for a zlib stream, from Node's zlib. */
export function inflate(data: Uint8Array): Uint8Array {
  const out = inflateSync(data);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
