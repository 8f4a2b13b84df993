import { isWithinBusinessHours } from './business-hours.util.js';
import type { BusinessHours } from './widget-settings.js';

describe('isWithinBusinessHours', () => {
  const parisWeekdays: BusinessHours = {
    timeZone: 'Europe/Paris',
    weekly: { mon: [{ from: '09:00', to: '17:30' }], sat: [{ from: '10:00', to: '12:00' }] },
  };

  it('is always open without business hours', () => {
    expect(isWithinBusinessHours(null, new Date('2026-11-29T03:00:00Z'))).toBe(true);
  });

  it('reads the time in the workspace’s zone, not the server’s', () => {
    // Monday 30 Nov 2026: Paris is UTC+1, so 08:30 UTC is 09:30 there (open) and 16:45 UTC is 17:45 (closed).
    expect(isWithinBusinessHours(parisWeekdays, new Date('2026-11-30T08:30:00Z'))).toBe(true);
    expect(isWithinBusinessHours(parisWeekdays, new Date('2026-11-30T07:59:00Z'))).toBe(false);
    expect(isWithinBusinessHours(parisWeekdays, new Date('2026-11-30T16:45:00Z'))).toBe(false);
  });

  it('follows daylight saving time', () => {
    // Monday 29 Jun 2026: Paris is UTC+2, 07:30 UTC is 09:30.
    expect(isWithinBusinessHours(parisWeekdays, new Date('2026-06-29T07:30:00Z'))).toBe(true);
  });

  it('uses the local weekday across midnight UTC', () => {
    // Saturday 10:30 in Auckland (UTC+13 in November) is Friday 21:30 UTC.
    const auckland: BusinessHours = { timeZone: 'Pacific/Auckland', weekly: parisWeekdays.weekly };
    expect(isWithinBusinessHours(auckland, new Date('2026-11-27T21:30:00Z'))).toBe(true);
    expect(isWithinBusinessHours(auckland, new Date('2026-11-28T21:30:00Z'))).toBe(false);
  });
});
