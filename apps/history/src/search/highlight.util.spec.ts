import { MATCH_END, MATCH_START, rangesFromHeadline, rangesOf } from './highlight.util.js';

describe('rangesFromHeadline', () => {
  it('turns the markers into offsets into the original text', () => {
    const text = 'Refund me, the refund-policy says';
    const headline = `${MATCH_START}Refund${MATCH_END} me, the ${MATCH_START}refund${MATCH_END}-policy says`;
    const ranges = rangesFromHeadline(text, headline);
    expect(ranges).toEqual([
      { start: 0, end: 6 },
      { start: 15, end: 21 },
    ]);
    expect(ranges.map((r) => text.slice(r.start, r.end))).toEqual(['Refund', 'refund']);
  });

  it('counts UTF-16 units as JavaScript does (an emoji before the match)', () => {
    const text = '😀 café refund';
    const ranges = rangesFromHeadline(text, `😀 café ${MATCH_START}refund${MATCH_END}`);
    expect(ranges.map((r) => text.slice(r.start, r.end))).toEqual(['refund']);
  });

  it('claims nothing when the headline is not the text', () => {
    expect(rangesFromHeadline('a b', `${MATCH_START}a${MATCH_END} c`)).toEqual([]);
  });
});

describe('rangesOf', () => {
  it('finds every occurrence, whatever the case', () => {
    expect(rangesOf('Anna Annable', 'ann')).toEqual([
      { start: 0, end: 3 },
      { start: 5, end: 8 },
    ]);
    expect(rangesOf('x', '')).toEqual([]);
  });
});
