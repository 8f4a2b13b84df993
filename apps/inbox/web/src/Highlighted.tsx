import type { TextRange } from './api.js';

/**
 * A text with the server's match ranges marked. Each piece is a React text node (escaped by React):
 * the server sends offsets, never markup.
 */
export function Highlighted({ text, ranges }: { text: string; ranges: readonly TextRange[] }) {
  const pieces: { text: string; match: boolean }[] = [];
  let at = 0;
  for (const range of [...ranges].sort((a, b) => a.start - b.start)) {
    if (range.start < at || range.end > text.length || range.end <= range.start) continue;
    if (range.start > at) pieces.push({ text: text.slice(at, range.start), match: false });
    pieces.push({ text: text.slice(range.start, range.end), match: true });
    at = range.end;
  }
  if (at < text.length) pieces.push({ text: text.slice(at), match: false });
  return (
    <>
      {pieces.map((piece, i) =>
        piece.match ? <mark key={i}>{piece.text}</mark> : <span key={i}>{piece.text}</span>,
      )}
    </>
  );
}
