import { draftOf, newStep, toRoutingSteps } from './routing-steps.js';

describe('routing steps editor model', () => {
  it('reads a plain AND of comparisons as conditions and writes it back the same', () => {
    const draft = draftOf({ expression: 'billing >= 4 AND Spanish = 2 and vip', expiresAfterSeconds: 60 });
    expect(draft).toEqual({
      custom: null,
      wait: '60',
      conditions: [
        { skill: 'billing', comparison: '>=', level: '4' },
        { skill: 'spanish', comparison: '=', level: '2' },
        { skill: 'vip', comparison: '>=', level: '1' },
      ],
    });
    const last = draftOf({ expression: 'billing >= 2', expiresAfterSeconds: null });
    expect(toRoutingSteps([draft, last])).toEqual({
      errors: {},
      steps: [
        { expression: 'billing >= 4 AND spanish = 2 AND vip >= 1', expiresAfterSeconds: 60 },
        { expression: 'billing >= 2', expiresAfterSeconds: null },
      ],
    });
  });

  it('keeps an expression with OR, NOT or parentheses as custom text, unchanged', () => {
    for (const expression of ['billing >= 4 OR vip', 'NOT french', '(a >= 1) AND b >= 2', 'billing > 3']) {
      const draft = draftOf({ expression, expiresAfterSeconds: null });
      expect(draft.custom).toBe(expression);
      expect(toRoutingSteps([draft]).steps).toEqual([{ expression, expiresAfterSeconds: null }]);
    }
  });

  it('names each mistake at its control: skill, level, a missing or out-of-range wait', () => {
    const first = newStep();
    first.conditions = [{ skill: 'Bad skill!', comparison: '>=', level: '9' }];
    const second = newStep();
    second.conditions = [{ skill: '', comparison: '>=', level: '' }];
    second.wait = '0';
    const third = newStep();
    third.conditions = [{ skill: 'billing', comparison: '<=', level: '2' }];
    const { errors } = toRoutingSteps([first, second, third]);
    expect(Object.keys(errors).sort()).toEqual([
      'steps.0.conditions.0.level',
      'steps.0.conditions.0.skill',
      'steps.0.wait', // not the last step: it must say how long it waits
      'steps.1.conditions.0.level',
      'steps.1.conditions.0.skill',
      'steps.1.wait',
    ]);
    expect(toRoutingSteps([{ ...third, conditions: [] }]).errors).toEqual({
      'steps.0.conditions': 'Add at least one skill.',
    });
  });
});
