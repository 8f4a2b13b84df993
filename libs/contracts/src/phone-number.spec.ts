import { toE164 } from './phone-number.js';

describe('toE164', () => {
  it('normalizes the ways people and providers write one number', () => {
    for (const raw of ['+14155550100', '+1 (415) 555-0100', ' +1-415-555-0100 ', 'tel:+14155550100'.slice(4)])
      expect(toE164(raw)).toBe('+14155550100');
    expect(toE164('415 555 0100', 'US')).toBe('+14155550100');
    expect(toE164('06 12 34 56 78', 'FR')).toBe('+33612345678');
  });

  it('refuses what is not a phone number', () => {
    expect(toE164('hello')).toBeNull();
    expect(toE164('4155550100')).toBeNull(); // no country: ambiguous
    expect(toE164('+1 415')).toBeNull();
  });

  it('answers from what it remembers exactly as it parsed, the default country part of the question', () => {
    for (let i = 0; i < 3; i += 1) {
      expect(toE164('415 555 0100', 'US')).toBe('+14155550100');
      expect(toE164('415 555 0100')).toBeNull();
      expect(toE164('415 555 0100', 'FR')).toBeNull();
      expect(toE164(' +1 (415) 555-0100 ')).toBe('+14155550100');
    }
  });
});
