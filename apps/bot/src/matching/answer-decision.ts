import type { ArticleMatch } from './matcher.js';

/** What the bot does with a customer's question: answer with an article, or decline. */
export type AnswerDecision =
  | { readonly kind: 'answer'; readonly articleId: string; readonly confidence: number }
  | { readonly kind: 'decline'; readonly confidence: number };

/** When to answer: the confidence threshold and the resemblance floors. */
export interface AnswerPolicy {
  readonly threshold: number;
  /**
   * Minimum cosine similarity of the query to the best article's nearest example question. The
   * classifier's probabilities are relative: a question about none of the articles still gives
   * one of them most of the mass. On CLINC150's development split 2 of 3,000 right answers fall
   * under 0.2.
   */
  readonly minSimilarity: number;
  /**
   * The same on content words only. Needed where the threshold is not calibrated (a small base),
   * where sharing "what is" with an example is enough for the other floor; a large base's
   * calibrated threshold already declines those, and there this floor would cost right answers
   * to short questions (44 of 3,000 on CLINC150 at 0.2).
   */
  readonly minContentSimilarity: number;
}

export const DEFAULT_MIN_SIMILARITY = 0.2;

/** A base whose threshold was calibrated on its own held-out questions. */
export function calibratedPolicy(threshold: number): AnswerPolicy {
  return { threshold, minSimilarity: DEFAULT_MIN_SIMILARITY, minContentSimilarity: 0 };
}

/** A base too small to calibrate: the configured threshold, and resemblance on content words. */
export function uncalibratedPolicy(threshold: number): AnswerPolicy {
  return { threshold, minSimilarity: DEFAULT_MIN_SIMILARITY, minContentSimilarity: DEFAULT_MIN_SIMILARITY };
}

/** One threshold on the calibrated confidence decides; no match at all always declines. */
export function decideAnswer(match: ArticleMatch | null, policy: AnswerPolicy): AnswerDecision {
  if (
    match === null ||
    match.confidence < policy.threshold ||
    match.similarity < policy.minSimilarity ||
    match.contentSimilarity < policy.minContentSimilarity
  )
    return { kind: 'decline', confidence: match?.confidence ?? 0 };
  return { kind: 'answer', articleId: match.articleId, confidence: match.confidence };
}
