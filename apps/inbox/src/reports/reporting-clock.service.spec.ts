import { sameClock } from './reporting-clock.service.js';

describe('workspace clock comparison', () => {
  it('reads the same hours in any key order as the same clock, and any change as another', () => {
    const hours = { mon: [{ from: '09:00', to: '17:00' }], tue: [{ from: '09:00', to: '12:00' }] };
    const reordered = { tue: hours.tue, mon: hours.mon };
    expect(
      sameClock({ timeZone: 'UTC', businessHours: hours }, { timeZone: 'UTC', businessHours: reordered }),
    ).toBe(true);
    expect(
      sameClock({ timeZone: 'UTC', businessHours: hours }, { timeZone: 'UTC', businessHours: null }),
    ).toBe(false);
    expect(
      sameClock({ timeZone: 'UTC', businessHours: null }, { timeZone: 'Europe/Paris', businessHours: null }),
    ).toBe(false);
    expect(
      sameClock(
        { timeZone: 'UTC', businessHours: hours },
        { timeZone: 'UTC', businessHours: { ...hours, tue: [{ from: '09:00', to: '12:30' }] } },
      ),
    ).toBe(false);
  });
});
