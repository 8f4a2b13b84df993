import { InvalidArgumentError } from '@switchboard/contracts';
import { normalizeIdentityValue, normalizeRequestedIdentityValue } from './identity-value.util.js';

describe('normalizeIdentityValue', () => {
  it('puts phones in E.164, lower-cases emails and leaves platform ids alone', () => {
    expect(normalizeIdentityValue('phone', ' +1 (415) 555-0100 ')).toBe('+14155550100');
    expect(normalizeIdentityValue('email', ' Ada@Example.COM')).toBe('ada@example.com');
    expect(normalizeIdentityValue('messenger', '1234567890')).toBe('1234567890');
    expect(normalizeIdentityValue('web_visitor', 'Visitor-ABC')).toBe('Visitor-ABC');
  });

  it('keeps what is not a phone number as typed rather than losing it', () => {
    expect(normalizeIdentityValue('phone', 'not a number')).toBe('not a number');
  });
});

describe('normalizeRequestedIdentityValue', () => {
  it('normalizes what a caller typed, and refuses a phone without its country code', () => {
    expect(normalizeRequestedIdentityValue('phone', '+1 (415) 555-0123', 'identity.value')).toBe(
      '+14155550123',
    );
    expect(normalizeRequestedIdentityValue('email', 'Ada@Example.com', 'identity.value')).toBe(
      'ada@example.com',
    );
    const refused = (() => {
      try {
        normalizeRequestedIdentityValue('phone', '(415) 555-0123', 'identity.value');
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(InvalidArgumentError);
    expect((refused as InvalidArgumentError).fieldViolations[0]?.field).toBe('identity.value');
    expect(() => normalizeRequestedIdentityValue('external', '  ', 'identity.value')).toThrow(
      InvalidArgumentError,
    );
  });
});
