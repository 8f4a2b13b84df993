export type SmsKeyword =
  | { readonly kind: 'opt-out'; readonly keyword: string }
  | { readonly kind: 'opt-in'; readonly keyword: string }
  | { readonly kind: 'help'; readonly keyword: string };

// Twilio's default keywords (Advanced Opt-Out): it acts on them itself for long codes and toll-free
// numbers (and refuses to send to an opted-out number with 21610); we keep the same state so that
// agents see it and replies are refused before they reach Twilio.
const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'REVOKE']);
const OPT_IN = new Set(['START', 'YES', 'UNSTOP', 'OPTIN']);
const HELP = new Set(['HELP', 'INFO']);

/**
 * The keyword a message is, if it is one. Like Twilio, only a message that is the keyword alone
 * counts (case, surrounding spaces and trailing punctuation aside): "please stop by tomorrow" is a
 * message, not an opt-out.
 */
export function detectSmsKeyword(body: string | null): SmsKeyword | null {
  if (body === null) return null;
  const word = body
    .trim()
    .replace(/[.!?]+$/u, '')
    .replace(/\s+/gu, '')
    .toUpperCase();
  if (word.length === 0 || word.length > 12) return null;
  if (OPT_OUT.has(word)) return { kind: 'opt-out', keyword: word };
  if (OPT_IN.has(word)) return { kind: 'opt-in', keyword: word };
  if (HELP.has(word)) return { kind: 'help', keyword: word };
  return null;
}
