import type { ArticleMatch } from './matcher.js';

/** What the bot does with a customer's question: answer with an article, or decline. */
export type AnswerDecision =
  | { readonly kind: 'answer'; readonly articleId: string; readonly confidence: number }
  | { readonly kind: 'decline'; readonly confidence: number };

/**
 * A query that resembles none of the best article's example questions this much (cosine of
 * their TF-IDF vectors) is declined whatever the classifier says. The classifier's probabilities
 * are relative: with two articles, a question about neither still gives one of them most of the
 * mass. On CLINC150's development split 2 of 3,000 right answers fall under this floor.
 */
export const MIN_SIMILARITY = 0.2;

/** One threshold on the calibrated confidence decides; no match at all always declines. */
export function decideAnswer(match: ArticleMatch | null, threshold: number): AnswerDecision {
  if (match === null || match.confidence < threshold || match.similarity < MIN_SIMILARITY)
    return { kind: 'decline', confidence: match?.confidence ?? 0 };
  return { kind: 'answer', articleId: match.articleId, confidence: match.confidence };
}
