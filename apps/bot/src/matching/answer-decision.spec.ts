import { calibratedPolicy, decideAnswer, uncalibratedPolicy } from './answer-decision.js';

describe('decideAnswer', () => {
  const match = { articleId: 'a', confidence: 0.4, similarity: 0.5, contentSimilarity: 0.5 };

  it('answers at or above the threshold', () => {
    expect(decideAnswer(match, calibratedPolicy(0.4))).toEqual({
      kind: 'answer',
      articleId: 'a',
      confidence: 0.4,
    });
  });

  it('declines below the threshold and without a match', () => {
    expect(decideAnswer({ ...match, confidence: 0.39 }, calibratedPolicy(0.4))).toEqual({
      kind: 'decline',
      confidence: 0.39,
    });
    expect(decideAnswer(null, calibratedPolicy(0))).toEqual({ kind: 'decline', confidence: 0 });
  });

  it('declines a confident match that resembles none of the article’s questions', () => {
    expect(decideAnswer({ ...match, confidence: 0.99, similarity: 0.19 }, calibratedPolicy(0.4)).kind).toBe(
      'decline',
    );
  });

  it('asks a small base for resemblance in content words too', () => {
    const functionWordsOnly = { ...match, confidence: 0.9, contentSimilarity: 0 };
    expect(decideAnswer(functionWordsOnly, calibratedPolicy(0.4)).kind).toBe('answer');
    expect(decideAnswer(functionWordsOnly, uncalibratedPolicy(0.4)).kind).toBe('decline');
  });
});
