import { stemEnglish } from './english-stemmer.util.js';

describe('stemEnglish', () => {
  it.each([
    [['booking', 'bookings', 'booked', 'book', 'books'], 'book'],
    [['change', 'changing', 'changed', 'changes'], 'chang'],
    [['calling', 'calls', 'call', 'called'], 'call'], // a doubled l is kept: "call", not "cal"
    [['cancels', 'cancel'], 'cancel'],
    [['policies', 'policy'], 'policy'],
    [['addresses', 'address'], 'address'],
    [['shipping', 'ship', 'shipped'], 'ship'],
  ])('folds %j to one stem', (words, stem) => {
    for (const word of words) expect(stemEnglish(word)).toBe(stem);
  });

  it('leaves short words, numbers and other scripts alone', () => {
    expect(stemEnglish('is')).toBe('is');
    expect(stemEnglish('bus')).toBe('bus');
    expect(stemEnglish('2024')).toBe('2024');
    expect(stemEnglish('привет')).toBe('привет');
  });

  it('keeps words ending in -ss, -us and -is', () => {
    expect(stemEnglish('status')).toBe('status');
    expect(stemEnglish('analysis')).toBe('analysis');
    expect(stemEnglish('access')).toBe('access');
  });
});
