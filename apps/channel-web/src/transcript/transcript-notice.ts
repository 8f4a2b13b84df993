import type { TranscriptItem } from './transcript-item.js';

/** The PostgreSQL NOTIFY channel every replica of the web channel listens on. */
export const TRANSCRIPT_CHANNEL = 'switchboard_web_channel';

/**
 * NOTIFY payloads stay under PostgreSQL's 8,000 bytes; a larger item travels as a bare sync (the
 * transcript's append statement applies the same bound to the notices it builds).
 */
export const MAX_NOTICE_BYTES = 7_500;

/**
 * What one replica tells all the others (and itself) about a contact: a new transcript item (the
 * sockets send it, or re-read from their last seq if it isn't the next one), an agent typing, or
 * an agent having read the customer's messages.
 */
export type TranscriptNotice =
  | { kind: 'item'; contactId: string; item?: TranscriptItem }
  | { kind: 'typing'; contactId: string; name: string | null; typing: boolean }
  | { kind: 'agent-read'; contactId: string; upToSeq: number }
  | { kind: 'customer-read'; contactId: string; upToSeq: number }
  | { kind: 'csat-answered'; contactId: string; conversationId: string };

export function encodeNotice(notice: TranscriptNotice): string {
  const encoded = JSON.stringify(notice);
  if (Buffer.byteLength(encoded) <= MAX_NOTICE_BYTES) return encoded;
  return JSON.stringify({ kind: 'item', contactId: notice.contactId });
}

export function decodeNotice(payload: string): TranscriptNotice | null {
  try {
    const value = JSON.parse(payload) as TranscriptNotice;
    return typeof value.contactId === 'string' ? value : null;
  } catch {
    return null;
  }
}
