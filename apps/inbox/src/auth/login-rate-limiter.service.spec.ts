import { addressKey } from './login-rate-limiter.service.js';

describe('addressKey', () => {
  it('keeps IPv4 addresses and counts IPv6 ones by their /64', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('2001:db8:aaaa:bbbb::1')).toBe('2001:db8:aaaa:bbbb::/64');
    expect(addressKey('2001:0db8:aaaa:bbbb:ffff:1:2:3')).toBe('2001:db8:aaaa:bbbb::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('unknown')).toBe('unknown');
  });
});
