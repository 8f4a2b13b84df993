import type { BotHandoffReason } from '@switchboard/contracts';
import { normalizeText, wordsOf } from '../matching/text-features.util.js';

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

/** What the customer's message said of the last answer, for that article's counts. */
export type AnswerFeedback = { articleId: string; helpful: boolean } | null;

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
/** A short yes with one of these takes something back ("thanks but no"). */
const BUT_NOT = new Set(['but', 'no', 'not', 'non', 'nein', 'pero', 'mais', 'aber']);

// A thank-you or a yes after an answer is feedback, not a question to match (nor to decline): a
// message made only of such words, at least one of them a signal ("ok how do I…" is a question).
const HELPFUL_SIGNALS = new Set(
  'yes yep yeah yup ok okay great perfect cool awesome thanks thank thx ty cheers helped helps works worked solved sorted nice good brilliant excellent super got'.split(
    ' ',
  ),
);
const HELPFUL_FILLER = new Set(
  'you so much a lot very many that it this was is all for the answer'.split(' '),
);

export function asksForPerson(text: string): boolean {
  return ASKS_FOR_PERSON.test(normalizeText(text));
}

export function saysNotHelpful(text: string): boolean {
  return NOT_HELPFUL.test(normalizeText(text));
}

export function saysHelpful(text: string): boolean {
  if (saysNotHelpful(text)) return false;
  const words = wordsOf(text);
  const madeOfThanks =
    words.length > 0 &&
    words.length <= 8 &&
    words.some((w) => HELPFUL_SIGNALS.has(w)) &&
    words.every((w) => HELPFUL_SIGNALS.has(w) || HELPFUL_FILLER.has(w));
  // The widget's button in the customer's language ("Oui, merci"), or a short yes of any wording.
  const shortYes =
    HELPFUL_START.test(normalizeText(text)) &&
    words.length <= HELPFUL_MAX_WORDS &&
    !words.some((w) => BUT_NOT.has(w));
  return madeOfThanks || shortYes;
}

/**
 * What the bot does with a customer's message in a conversation it holds. `match` is consulted
 * only when the message is a question; pure, so the consumer can repeat it after a crash and reach
 * the same decision. `feedback` is what the message said of the last answer (a yes or thanks:
 * helpful; a no, or the same article matched again: not helpful), for the article's counts.
 */
export function decideAction(
  state: BotConversationState,
  text: string,
  match: (text: string) => MatchVerdict,
): { action: BotAction; next: BotConversationState; feedback: AnswerFeedback } {
  if (state.status !== 'active') return { action: { kind: 'none' }, next: state, feedback: null };
  const last = state.articleIds.at(-1);
  const handoff = (reason: BotHandoffReason, feedback: AnswerFeedback = null) => ({
    action: { kind: 'handoff', reason } as const,
    next: { ...state, status: 'handed_off' as const },
    feedback,
  });
  if (asksForPerson(text)) return handoff('asked_for_person');
  if (last !== undefined && saysNotHelpful(text)) {
    const unhelpful = state.unhelpful + 1;
    const feedback = { articleId: last, helpful: false };
    if (unhelpful >= MAX_UNHELPFUL_ANSWERS) return handoff('not_helpful', feedback);
    // The customer's rejection is not a question: wait for them to rephrase.
    return { action: { kind: 'none' }, next: { ...state, unhelpful }, feedback };
  }
  if (last !== undefined && saysHelpful(text))
    return { action: { kind: 'none' }, next: state, feedback: { articleId: last, helpful: true } };
  const verdict = match(text);
  if (verdict.kind === 'decline') return handoff('low_confidence');
  // The same article again means the first time did not help.
  const repeated = last === verdict.articleId;
  const feedback = repeated ? { articleId: verdict.articleId, helpful: false } : null;
  const unhelpful = state.unhelpful + (repeated ? 1 : 0);
  if (unhelpful >= MAX_UNHELPFUL_ANSWERS) return handoff('not_helpful', feedback);
  return {
    action: { kind: 'answer', articleId: verdict.articleId },
    next: { ...state, unhelpful, articleIds: [...state.articleIds, verdict.articleId] },
    feedback,
  };
}
