import type { BotHandoffReason } from '@switchboard/contracts';
import { normalizeText } from '../matching/text-features.util.js';

/** What the bot remembers of a conversation it holds. */
export interface BotConversationState {
  readonly status: 'active' | 'handed_off' | 'silenced';
  /** Articles answered with, oldest first. */
  readonly articleIds: readonly string[];
  /** Answers the customer said (or showed, by asking again) did not help. */
  readonly unhelpful: number;
}

export const NEW_CONVERSATION: BotConversationState = { status: 'active', articleIds: [], unhelpful: 0 };

/** The matcher's verdict on the customer's message, as the policy needs it. */
export type MatchVerdict = { kind: 'answer'; articleId: string } | { kind: 'decline' };

export type BotAction =
  { kind: 'answer'; articleId: string } | { kind: 'handoff'; reason: BotHandoffReason } | { kind: 'none' };

/** Two answers that did not help, and the bot gives the conversation to people. */
export const MAX_UNHELPFUL_ANSWERS = 2;

// Whole words only ("agentic" is not a request for an agent); English first, then a few of the
// languages customers most often fall back to.
const ASKS_FOR_PERSON = new RegExp(
  `\\b(?:${[
    'agent',
    'agents',
    'human',
    'humans',
    'person',
    'people',
    'operator',
    'representative',
    'rep',
    'someone real',
    'real person',
    'live chat',
    'staff',
    'talk to someone',
    'speak to someone',
    'customer service',
    'humano',
    'persona',
    'agente',
    'mensch',
    'mitarbeiter',
    'personne',
    'conseiller',
  ].join('|')})\\b`,
);

const NOT_HELPFUL =
  /^(?:no|non|nein|nope|nah|not really|wrong|useless|that(?:s| is)? (?:not|wrong)|(?:that|this|it) (?:did ?nt|does ?nt|didnt|doesnt|did not|does not) help|not helpful|(?:did ?nt|does ?nt|did not|does not) help)\b/;

// A short confirmation ("Yes, that answered my question", the widget's button, or an SMS "yes").
// A longer message that starts so ("yes thanks, now how do I…") carries a new question.
const HELPFUL_START =
  /^(?:yes|yeah|yep|yup|thanks|thank you|thx|perfect|great|that helped|it helped|helpful|si|oui|ja|merci|danke|gracias)\b/;
const HELPFUL_MAX_WORDS = 6;

export function asksForPerson(text: string): boolean {
  return ASKS_FOR_PERSON.test(normalizeText(text));
}

export function saysNotHelpful(text: string): boolean {
  return NOT_HELPFUL.test(normalizeText(text));
}

export function saysHelpful(text: string): boolean {
  const normalized = normalizeText(text);
  return HELPFUL_START.test(normalized) && normalized.split(' ').length <= HELPFUL_MAX_WORDS;
}

/**
 * What the bot does with a customer's message in a conversation it holds. `match` is consulted
 * only when the message is a question; pure, so the consumer can repeat it after a crash and reach
 * the same decision.
 */
export function decideAction(
  state: BotConversationState,
  text: string,
  match: (text: string) => MatchVerdict,
): { action: BotAction; next: BotConversationState } {
  if (state.status !== 'active') return { action: { kind: 'none' }, next: state };
  const handoff = (reason: BotHandoffReason) => ({
    action: { kind: 'handoff', reason } as const,
    next: { ...state, status: 'handed_off' as const },
  });
  if (asksForPerson(text)) return handoff('asked_for_person');
  const answered = state.articleIds.length > 0;
  if (answered && saysNotHelpful(text)) {
    const unhelpful = state.unhelpful + 1;
    if (unhelpful >= MAX_UNHELPFUL_ANSWERS) return handoff('not_helpful');
    // The customer's rejection is not a question: wait for them to rephrase.
    return { action: { kind: 'none' }, next: { ...state, unhelpful } };
  }
  // A confirmation is not a question either: asked of the matcher it would be declined and
  // handed off, after an answer that did help.
  if (answered && saysHelpful(text)) return { action: { kind: 'none' }, next: state };
  const verdict = match(text);
  if (verdict.kind === 'decline') return handoff('low_confidence');
  // The same article again means the first time did not help.
  const repeated = state.articleIds.at(-1) === verdict.articleId;
  const unhelpful = state.unhelpful + (repeated ? 1 : 0);
  if (unhelpful >= MAX_UNHELPFUL_ANSWERS) return handoff('not_helpful');
  return {
    action: { kind: 'answer', articleId: verdict.articleId },
    next: { ...state, unhelpful, articleIds: [...state.articleIds, verdict.articleId] },
  };
}
