/** A piece of an article's answer: text shown as text, or a link that is safe to follow. */
export type AnswerPart = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

// A URL runs to the next space; punctuation that usually ends a sentence is not part of it.
const URL_LIKE = /\bhttps?:\/\/[^\s<>"']+/gi;
const TRAILING = /[.,;:!?)\]}]+$/;

/**
 * Splits plain text into text and links. Only http(s) URLs become links (never `javascript:`,
 * `data:` or a relative path), each as the URL parser normalizes it; everything else stays text,
 * which React escapes, so markup in an answer shows as the characters it is.
 */
export function answerParts(answer: string): AnswerPart[] {
  const parts: AnswerPart[] = [];
  let last = 0;
  for (const match of answer.matchAll(URL_LIKE)) {
    const raw = match[0].replace(TRAILING, '');
    const href = safeHref(raw);
    if (href === null) continue;
    if (match.index > last) parts.push({ kind: 'text', text: answer.slice(last, match.index) });
    parts.push({ kind: 'link', text: raw, href });
    last = match.index + raw.length;
  }
  if (last < answer.length) parts.push({ kind: 'text', text: answer.slice(last) });
  return parts;
}

function safeHref(raw: string): string | null {
  if (!URL.canParse(raw)) return null;
  const url = new URL(raw);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
}
