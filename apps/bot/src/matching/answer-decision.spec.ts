import { decideAnswer, MIN_SIMILARITY } from './answer-decision.js';

describe('decideAnswer', () => {
  const match = { articleId: 'a', confidence: 0.4, similarity: 0.5 };

  it('answers at or above the threshold', () => {
    expect(decideAnswer(match, 0.4)).toEqual({ kind: 'answer', articleId: 'a', confidence: 0.4 });
  });

  it('declines below the threshold and without a match', () => {
    expect(decideAnswer({ ...match, confidence: 0.39 }, 0.4)).toEqual({ kind: 'decline', confidence: 0.39 });
    expect(decideAnswer(null, 0)).toEqual({ kind: 'decline', confidence: 0 });
  });

  it('declines a confident match that resembles none of the article’s questions', () => {
    expect(decideAnswer({ ...match, confidence: 0.99, similarity: MIN_SIMILARITY - 0.01 }, 0.4).kind).toBe(
      'decline',
    );
  });
});
