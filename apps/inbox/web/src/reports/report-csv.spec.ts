import { toCsv } from './report-csv.js';

describe('report CSV', () => {
  it('writes figures as numbers and nothing for an undefined one, CRLF lines after a BOM', () => {
    expect(
      toCsv(
        ['Day', 'Conversations', 'First response (s)'],
        [
          ['2026-03-02', 2, 80.5],
          ['2026-03-03', 1, null],
        ],
      ),
    ).toBe('\ufeffDay,Conversations,First response (s)\r\n2026-03-02,2,80.5\r\n2026-03-03,1,\r\n');
  });

  it('quotes commas, quotes, line breaks and edge spaces, doubling quotes', () => {
    expect(toCsv(['a'], [['Sales, EU'], ['say "hi"'], ['two\nlines'], [' padded']])).toBe(
      '\ufeffa\r\n"Sales, EU"\r\n"say ""hi"""\r\n"two\nlines"\r\n" padded"\r\n',
    );
  });

  it('guards text that a spreadsheet would run as a formula', () => {
    const csv = toCsv(
      ['queue'],
      [['=HYPERLINK("http://x","y")'], ['+1'], ['-2+3'], ['@SUM(A1)'], ['\tcmd'], ['ok']],
    );
    expect(csv.split('\r\n').slice(1, -1)).toEqual([
      `"'=HYPERLINK(""http://x"",""y"")"`,
      "'+1",
      "'-2+3",
      "'@SUM(A1)",
      "'\tcmd",
      'ok',
    ]);
    // Figures are not text: a negative number stays a number.
    expect(toCsv(['n'], [[-2]])).toBe('\ufeffn\r\n-2\r\n');
  });
});
