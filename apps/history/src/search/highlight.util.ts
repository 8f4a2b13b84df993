import type { TextRange } from '@switchboard/contracts';

/** Private-use characters that mark a match in ts_headline's output; stripped from texts first. */
export const MATCH_START = '\uE000';
export const MATCH_END = '\uE001';

/**
 * The ranges ts_headline marked, as offsets into `text`. ts_headline reproduces the text it was
 * given with markers around each match; when what it gives back, markers removed, is not exactly
 * `text` (a text that held a marker character itself), no range is claimed rather than a wrong one.
 */
export function rangesFromHeadline(text: string, headline: string): TextRange[] {
  const ranges: TextRange[] = [];
  let plain = '';
  let start = -1;
  for (const ch of headline) {
    if (ch === MATCH_START) start = plain.length;
    else if (ch === MATCH_END) {
      if (start >= 0 && plain.length > start) ranges.push({ start, end: plain.length });
      start = -1;
    } else plain += ch;
  }
  return plain === text ? ranges : [];
}

/** Every case-insensitive occurrence of `needle` in `value` (a customer's name or address). */
export function rangesOf(value: string, needle: string): TextRange[] {
  const ranges: TextRange[] = [];
  if (needle === '') return ranges;
  const haystack = value.toLowerCase();
  const wanted = needle.toLowerCase();
  for (let at = haystack.indexOf(wanted); at >= 0; at = haystack.indexOf(wanted, at + wanted.length))
    ranges.push({ start: at, end: at + wanted.length });
  return ranges;
}
