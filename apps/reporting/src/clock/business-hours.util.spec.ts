import type { WorkspaceClock } from '@switchboard/contracts';
import { businessMsBetween, isOpenAt } from './business-hours.util.js';
import { instantOfLocal, parseLocal } from './local-time.util.js';

const H = 3_600_000;
const weekdays9to17: WorkspaceClock['businessHours'] = Object.fromEntries(
  (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((d) => [d, [{ from: '09:00', to: '17:00' }]]),
);

describe('business time', () => {
  it('counts only the open hours, across a night and a weekend', () => {
    const clock: WorkspaceClock = { timeZone: 'UTC', businessHours: weekdays9to17 };
    // Friday 2026-03-06 16:00 → Monday 2026-03-09 10:00: an hour on Friday, an hour on Monday.
    expect(businessMsBetween(clock, Date.UTC(2026, 2, 6, 16), Date.UTC(2026, 2, 9, 10))).toBe(2 * H);
    expect(businessMsBetween(clock, Date.UTC(2026, 2, 7, 10), Date.UTC(2026, 2, 7, 12))).toBe(0);
    expect(isOpenAt(clock, Date.UTC(2026, 2, 6, 9))).toBe(true);
    expect(isOpenAt(clock, Date.UTC(2026, 2, 6, 17))).toBe(false);
  });

  it('reads the hours on the local clock, daylight saving included', () => {
    const clock: WorkspaceClock = { timeZone: 'Europe/Paris', businessHours: weekdays9to17 };
    // Friday 27 March 2026 (UTC+1) to Monday 30 March (UTC+2): 09:00 local is 08:00 then 07:00 UTC.
    expect(isOpenAt(clock, Date.UTC(2026, 2, 27, 8))).toBe(true);
    expect(isOpenAt(clock, Date.UTC(2026, 2, 30, 7))).toBe(true);
    expect(isOpenAt(clock, Date.UTC(2026, 2, 30, 6, 59))).toBe(false);
    expect(businessMsBetween(clock, Date.UTC(2026, 2, 27, 0), Date.UTC(2026, 2, 31, 0))).toBe(16 * H);
  });

  it('is the whole span when no hours are set', () => {
    const clock: WorkspaceClock = { timeZone: 'Asia/Kolkata', businessHours: null };
    expect(businessMsBetween(clock, 0, 5 * H)).toBe(5 * H);
    expect(businessMsBetween(clock, 5 * H, 0)).toBe(0);
  });

  it('turns local times into instants, a half-hour zone and a skipped hour too', () => {
    expect(instantOfLocal(parseLocal('2026-03-02T09:00')!, 'Asia/Kolkata')).toBe(Date.UTC(2026, 2, 2, 3, 30));
    // 02:30 does not exist in Paris on 29 March 2026: it reads as 03:30 (summer time).
    expect(instantOfLocal(parseLocal('2026-03-29T02:30')!, 'Europe/Paris')).toBe(
      Date.UTC(2026, 2, 29, 1, 30),
    );
    // 02:30 happens twice on 25 October 2026: the first.
    expect(instantOfLocal(parseLocal('2026-10-25T02:30')!, 'Europe/Paris')).toBe(
      Date.UTC(2026, 9, 25, 0, 30),
    );
    expect(parseLocal('2026-02-30')).toBeNull();
    expect(parseLocal('2026-03-01T24:00')).toBeNull();
  });
});
