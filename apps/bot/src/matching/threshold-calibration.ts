import { DEFAULT_MATCHER_OPTIONS, Matcher, type MatcherOptions, type MatcherTrainingSet } from './matcher.js';
import { runSteps, runStepsYielding, type Steps } from './stepwise.util.js';

export interface CalibrationOptions {
  /** Share of each article's questions (and of out-of-scope examples) held out to calibrate. */
  readonly holdoutShare: number;
  /**
   * How much in-scope accuracy the threshold may give up to decline more: the highest threshold
   * whose held-out accuracy is within this of answering everything (0.005 = half a point).
   * Stated in terms of in-scope questions only, so it needs no out-of-scope examples.
   */
  readonly maxInScopeLoss: number;
  readonly matcher: MatcherOptions;
}

export const DEFAULT_CALIBRATION_OPTIONS: CalibrationOptions = {
  holdoutShare: 0.2,
  maxInScopeLoss: 0.005,
  matcher: DEFAULT_MATCHER_OPTIONS,
};

export interface Calibration {
  readonly threshold: number;
  /** On the held-out questions, at that threshold. */
  readonly heldOutInScopeAccuracy: number;
  readonly heldOutTopOneAccuracy: number;
  /** NaN when the training set has no out-of-scope examples to hold out. */
  readonly heldOutOutOfScopeRecall: number;
  readonly heldOutQuestions: number;
}

/** A held-out question: the article that answers it, or null when none does. */
export interface ScoredQuestion {
  readonly confidence: number;
  readonly expected: string | null;
  readonly answered: string | null;
}

/**
 * Chooses the answer/decline threshold on the training set itself: the last `holdoutShare` of
 * every article's questions (every fifth, deterministic) are held out, a matcher is trained on
 * the rest, and the threshold is read off its confidences on the held-out ones. Never looks at
 * the queries it will be judged on.
 */
export function calibrateThreshold(
  set: MatcherTrainingSet,
  options: CalibrationOptions = DEFAULT_CALIBRATION_OPTIONS,
): Calibration {
  return runSteps(calibrateThresholdSteps(set, options));
}

/** The same, letting the event loop through now and then: what a server uses. */
export function calibrateThresholdYielding(
  set: MatcherTrainingSet,
  options: CalibrationOptions = DEFAULT_CALIBRATION_OPTIONS,
): Promise<Calibration> {
  return runStepsYielding(calibrateThresholdSteps(set, options));
}

function* calibrateThresholdSteps(set: MatcherTrainingSet, options: CalibrationOptions): Steps<Calibration> {
  const every = Math.max(2, Math.round(1 / options.holdoutShare));
  const heldOut: { text: string; expected: string | null }[] = [];
  const split = <T>(items: readonly T[], keep: (item: T) => void, hold: (item: T) => void) =>
    items.forEach((item, i) => ((i + 1) % every === 0 ? hold(item) : keep(item)));
  const articles = set.articles.map((article) => {
    const questions: string[] = [];
    split(
      article.questions,
      (q) => questions.push(q),
      (q) => heldOut.push({ text: q, expected: article.id }),
    );
    return { id: article.id, questions };
  });
  const outOfScope: string[] = [];
  split(
    set.outOfScope ?? [],
    (q) => outOfScope.push(q),
    (q) => heldOut.push({ text: q, expected: null }),
  );
  const matcher = yield* Matcher.trainSteps({ articles, outOfScope }, options.matcher);
  const scored = heldOut.map(({ text, expected }): ScoredQuestion => {
    const match = matcher.match(text);
    return { confidence: match?.confidence ?? 0, expected, answered: match?.articleId ?? null };
  });
  return chooseThreshold(scored, options.maxInScopeLoss);
}

/** The highest threshold losing at most `maxInScopeLoss` of in-scope accuracy. Exported for tests. */
export function chooseThreshold(scored: readonly ScoredQuestion[], maxInScopeLoss: number): Calibration {
  const inScope = scored.filter((s) => s.expected !== null);
  const outOfScope = scored.filter((s) => s.expected === null);
  const accuracyAt = (t: number) =>
    inScope.filter((s) => s.answered === s.expected && s.confidence >= t).length /
    Math.max(1, inScope.length);
  const recallAt = (t: number) =>
    outOfScope.length === 0
      ? Number.NaN
      : outOfScope.filter((s) => s.confidence < t).length / outOfScope.length;
  const topOne = accuracyAt(0);
  // Candidates: the confidences of the right answers (accuracy only changes there).
  const candidates = [0, ...inScope.filter((s) => s.answered === s.expected).map((s) => s.confidence)].sort(
    (a, b) => a - b,
  );
  let threshold = 0;
  for (const t of candidates) {
    if (accuracyAt(t) >= topOne - maxInScopeLoss - 1e-12) threshold = t;
    else break;
  }
  return {
    threshold,
    heldOutInScopeAccuracy: accuracyAt(threshold),
    heldOutTopOneAccuracy: topOne,
    heldOutOutOfScopeRecall: recallAt(threshold),
    heldOutQuestions: scored.length,
  };
}
