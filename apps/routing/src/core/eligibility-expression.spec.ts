import { ExpressionSyntaxError, parseEligibilityExpression } from './eligibility-expression.js';

const skills = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe('parseEligibilityExpression', () => {
  it('compares proficiencies with AND, OR, NOT and parentheses', () => {
    const e = parseEligibilityExpression('billing >= 4 AND (spanish >= 3 OR NOT english)');
    expect(e.canonical).toBe('(billing >= 4 AND (spanish >= 3 OR NOT english >= 1))');
    expect(e.skills).toEqual(['billing', 'spanish', 'english']);
    expect(e.matches(skills({ billing: 4, spanish: 3, english: 5 }))).toBe(true);
    expect(e.matches(skills({ billing: 4, english: 5 }))).toBe(false);
    expect(e.matches(skills({ billing: 5 }))).toBe(true);
    expect(e.matches(skills({ billing: 3, spanish: 5 }))).toBe(false);
  });

  it('binds AND tighter than OR; keywords in any case; every comparison', () => {
    const e = parseEligibilityExpression('a = 1 or b > 2 and c < 3');
    expect(e.canonical).toBe('(a = 1 OR (b > 2 AND c < 3))');
    expect(e.matches(skills({ b: 3 }))).toBe(true);
    expect(e.matches(skills({ b: 3, c: 4 }))).toBe(false);
    expect(parseEligibilityExpression('x != 2').matches(skills({}))).toBe(true);
    expect(parseEligibilityExpression('x <> 2').matches(skills({ x: 2 }))).toBe(false);
    expect(parseEligibilityExpression('x <= 2').matches(skills({ x: 3 }))).toBe(false);
    expect(parseEligibilityExpression('TRUE').matches(skills({}))).toBe(true);
  });

  it.each([
    ['', 'empty'],
    ['billing >=', 'expected a proficiency'],
    ['billing >= 6', 'proficiency is 0 to 5'],
    ['(billing', 'expected ")"'],
    ['billing AND', 'expected a skill'],
    ['Billing >= 2', 'lower-case'],
    ['billing >= 2 spanish', 'unexpected skill "spanish"'],
    ['billing # 2', 'unexpected character "#"'],
  ])('rejects %j with a message naming the problem', (text, message) => {
    expect(() => parseEligibilityExpression(text)).toThrow(ExpressionSyntaxError);
    expect(() => parseEligibilityExpression(text)).toThrow(message);
  });

  it('limits nesting', () => {
    expect(() => parseEligibilityExpression('NOT '.repeat(40) + 'a')).toThrow('nested too deeply');
  });
});
