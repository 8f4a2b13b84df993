import { chooseThreshold, type ScoredQuestion } from './threshold-calibration.js';

const right = (confidence: number): ScoredQuestion => ({ confidence, expected: 'a', answered: 'a' });
const wrong = (confidence: number): ScoredQuestion => ({ confidence, expected: 'a', answered: 'b' });
const outside = (confidence: number): ScoredQuestion => ({ confidence, expected: null, answered: 'a' });

describe('chooseThreshold', () => {
  it('takes the highest threshold that loses no more in-scope accuracy than allowed', () => {
    // 10 in-scope: 9 right (0.2 … 0.9 and one at 0.95), 1 wrong; top-one accuracy 0.9.
    const scored = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95].map(right);
    scored.push(wrong(0.1), outside(0.05), outside(0.25), outside(0.35));
    const none = chooseThreshold(scored, 0);
    expect(none.threshold).toBe(0.2);
    expect(none.heldOutInScopeAccuracy).toBeCloseTo(0.9);
    expect(none.heldOutOutOfScopeRecall).toBeCloseTo(1 / 3);
    const tenth = chooseThreshold(scored, 0.1);
    expect(tenth.threshold).toBe(0.3);
    expect(tenth.heldOutInScopeAccuracy).toBeCloseTo(0.8);
    expect(tenth.heldOutOutOfScopeRecall).toBeCloseTo(2 / 3);
    expect(tenth.heldOutTopOneAccuracy).toBeCloseTo(0.9);
  });

  it('reports no recall without out-of-scope examples', () => {
    expect(chooseThreshold([right(0.5)], 0.01).heldOutOutOfScopeRecall).toBeNaN();
  });
});
