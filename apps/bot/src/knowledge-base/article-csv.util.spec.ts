import { InvalidArgumentError } from '@switchboard/contracts';
import { formatArticlesCsv, parseArticlesCsv } from './article-csv.util.js';

describe('article CSV', () => {
  const article = {
    id: '5b0c3e4e-8a1f-4a51-9d0b-8f1b8d6f2a10',
    title: 'Refunds, "fast"',
    answer: 'See https://example.com/refunds\n<b>within 14 days</b>',
    questions: ['can I get a refund', 'money back, please'],
    tags: ['billing', 'refunds'],
    state: 'published',
  };

  it('round-trips quotes, commas, line breaks and markup as text', () => {
    expect(parseArticlesCsv(formatArticlesCsv([article]))).toEqual([article]);
  });

  it('defuses spreadsheet formulas and reads them back', () => {
    const csv = formatArticlesCsv([{ ...article, title: '=HYPERLINK("x")' }]);
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
    expect(parseArticlesCsv(csv)[0]!.title).toBe('=HYPERLINK("x")');
  });

  it('reads a hand-written file with a BOM, LF endings and only some columns', () => {
    const rows = parseArticlesCsv(
      '\uFEFFtitle,answer,questions\nHours,9 to 5,"when are you open\nopening hours"\n\n',
    );
    expect(rows).toEqual([
      { title: 'Hours', answer: '9 to 5', questions: ['when are you open', 'opening hours'], tags: [] },
    ]);
  });

  it('refuses an unknown header, a ragged row and an open quote', () => {
    expect(() => parseArticlesCsv('name,answer\nx,y\n')).toThrow(InvalidArgumentError);
    expect(() => parseArticlesCsv('title,answer\nx\n')).toThrow(InvalidArgumentError);
    expect(() => parseArticlesCsv('title,answer\n"x,y\n')).toThrow(InvalidArgumentError);
  });

  it('reads an empty file as no articles', () => {
    expect(parseArticlesCsv('')).toEqual([]);
  });
});
