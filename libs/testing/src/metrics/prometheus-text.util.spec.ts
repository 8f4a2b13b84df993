import { parsePrometheusText } from './prometheus-text.util.js';

describe('parsePrometheusText', () => {
  it('reads samples with their labels, escapes and special values', () => {
    const scrape = parsePrometheusText(
      [
        '# HELP requests_total Requests.',
        '# TYPE requests_total counter',
        'requests_total{route="/a/:id",status="200"} 3',
        'requests_total{route="say \\"hi\\"\\\\",status="500"} 1 1700000000000',
        '# TYPE duration_seconds histogram',
        'duration_seconds_bucket{le="+Inf"} 4',
        'up 1e0',
        'lag_seconds Nan',
        'lag_max_seconds -Inf',
        '',
      ].join('\n'),
    );
    expect(scrape.types.get('requests_total')).toBe('counter');
    expect(scrape.find('requests_total', { status: '500' })[0]!.labels.route).toBe('say "hi"\\');
    expect(scrape.sum('requests_total')).toBe(4);
    expect(scrape.find('duration_seconds_bucket')[0]!.labels.le).toBe('+Inf');
    expect(scrape.sum('up')).toBe(1);
    expect(scrape.sum('absent')).toBe(0);
    // As Prometheus reads them (Go's ParseFloat, any case): prom-client writes "Nan".
    expect(scrape.sum('lag_seconds')).toBeNaN();
    expect(scrape.sum('lag_max_seconds')).toBe(-Infinity);
  });

  it.each([
    ['a sample without a value', 'requests_total{a="b"}'],
    ['an unquoted label value', 'requests_total{a=b} 1'],
    ['a label given twice', 'requests_total{a="1",a="2"} 1'],
    ['a value that is no number', 'requests_total 12abc'],
    ['a word for a value', 'requests_total nano'],
    ['an unknown type', '# TYPE requests_total countr'],
    ['a name with a dash', 'request-total 1'],
  ])('refuses %s', (_, line) => {
    expect(() => parsePrometheusText(`${line}\n`)).toThrow(/line 1/);
  });
});
