const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether an internal note names this person as `@Display Name` (the composer's completion writes
 * it so), case-insensitively, and not as the start of a longer name ("@Ann" is not "@Anna").
 */
export function mentions(text: string, displayName: string): boolean {
  const name = displayName.trim();
  if (!name) return false;
  return new RegExp(`(^|[^\\p{L}\\p{N}_@])@${escapeRegExp(name)}(?![\\p{L}\\p{N}_])`, 'iu').test(text);
}

/** The `@partial` being typed at the caret, if any: what the composer completes. */
export function mentionAtCaret(text: string, caret: number): { start: number; partial: string } | null {
  const match = /(^|\s)@([^\s@][^@\n]{0,39}|)$/u.exec(text.slice(0, caret));
  if (!match) return null;
  return { start: caret - match[2]!.length - 1, partial: match[2]! };
}
