import { addDays, reportRange, todayIn } from './report-range.js';

describe('report range', () => {
  it('takes today on the workspace’s clock', () => {
    const instant = new Date('2026-03-02T03:30:00Z');
    expect(todayIn('UTC', instant)).toBe('2026-03-02');
    expect(todayIn('America/New_York', instant)).toBe('2026-03-01');
    expect(todayIn('Asia/Tokyo', new Date('2026-03-02T20:00:00Z'))).toBe('2026-03-03');
  });

  it('adds days across months and leap days', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });

  it('turns the inclusive days shown into reporting’s excluded end, within 400 days', () => {
    expect(reportRange('2026-03-02', '2026-03-02')).toEqual({ from: '2026-03-02', to: '2026-03-03' });
    expect(reportRange('2026-03-03', '2026-03-02')).toEqual({ error: 'The last day is before the first.' });
    expect(reportRange('2025-01-01', '2026-03-02')).toEqual({ error: 'At most 400 days at a time.' });
    expect(reportRange('', '2026-03-02')).toEqual({ error: 'Choose both dates.' });
  });
});
