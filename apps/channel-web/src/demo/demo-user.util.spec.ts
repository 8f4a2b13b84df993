import { DEMO_USER_ID_PREFIX, demoUserOf } from './demo-user.util.js';

describe('demo users', () => {
  it('signs in a named demo user with a reserved email and a fictional phone', () => {
    expect(demoUserOf({ user: 'ada', email: 'ada@example.com', phone: '+14155550199' })).toEqual({
      id: `${DEMO_USER_ID_PREFIX}ada`,
      name: 'ada',
      email: 'ada@example.com',
      phone: '+14155550199',
    });
    expect(demoUserOf({ user: 'ada' })).toEqual({ id: `${DEMO_USER_ID_PREFIX}ada`, name: 'ada' });
    expect(demoUserOf({ user: 'Dana Customer' })?.name).toBe('Dana Customer');
  });

  it('reads an unencoded "+" (a space in a query string) as the plus it was', () => {
    expect(demoUserOf({ user: 'ada', phone: ' 14155550199' })?.phone).toBe('+14155550199');
  });

  it('stays anonymous rather than vouch for an address a real person could own', () => {
    expect(demoUserOf({})).toBeNull();
    expect(demoUserOf({ user: 'ada', phone: '+14155551234' })).toBeNull();
    expect(demoUserOf({ user: 'ada', phone: '+442071234567' })).toBeNull();
    expect(demoUserOf({ user: 'ada', email: 'ada@gmail.com' })).toBeNull();
    expect(demoUserOf({ user: 'ada', email: 'ada@example.com.evil.org' })).toBeNull();
    expect(demoUserOf({ user: '<script>' })).toBeNull();
    expect(demoUserOf({ user: ' padded ' })).toBeNull();
  });
});
