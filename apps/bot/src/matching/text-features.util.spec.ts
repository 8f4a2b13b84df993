import { extractFeatures, normalizeText, wordsOf } from './text-features.util.js';

describe('text features', () => {
  it('normalises case, accents, apostrophes and punctuation', () => {
    expect(normalizeText("  Don't   CHANGE my Café-order!! ")).toBe('dont change my cafe order');
    expect(wordsOf('<b>reset</b> my password?')).toEqual(['b', 'reset', 'b', 'my', 'password']);
    expect(wordsOf(' ?! ')).toEqual([]);
  });

  it('counts stemmed words, word pairs and bounded character n-grams', () => {
    const features = extractFeatures('Cancel bookings', { charNgramMin: 3, charNgramMax: 3 });
    expect(features.get('w:cancel')).toBe(1);
    expect(features.get('w:book')).toBe(1);
    expect(features.get('b:cancel book')).toBe(1);
    expect(features.get('c: ca')).toBe(1);
    expect(features.get('c:gs ')).toBe(1);
    expect(features.has('c:l b')).toBe(false);
  });

  it('leaves out function words when asked to', () => {
    const features = extractFeatures('What is my password', {
      charNgramMin: 3,
      charNgramMax: 3,
      skipStopWords: true,
    });
    expect([...features.keys()].filter((k) => k.startsWith('w:'))).toEqual(['w:password']);
  });

  it('gives a typo most of the original word’s n-grams', () => {
    const shared = (a: string, b: string) => {
      const fa = [...extractFeatures(a).keys()].filter((k) => k.startsWith('c:'));
      const fb = new Set([...extractFeatures(b).keys()].filter((k) => k.startsWith('c:')));
      return fa.filter((k) => fb.has(k)).length / fa.length;
    };
    expect(shared('password', 'pasword')).toBeGreaterThan(0.5);
    expect(shared('password', 'holiday')).toBeLessThan(0.1);
  });
});
