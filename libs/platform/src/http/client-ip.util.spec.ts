import type { IncomingMessage } from 'node:http';
import { clientIp, parseTrustedProxies, type TrustedProxies } from './client-ip.util.js';

function request(remoteAddress: string | undefined, forwardedFor?: string | string[]): IncomingMessage {
  return {
    socket: { remoteAddress },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  } as unknown as IncomingMessage;
}

function trusting(value: string): TrustedProxies {
  const list = parseTrustedProxies(value);
  if (list === null) throw new Error(`bad list ${value}`);
  return list;
}

describe('parseTrustedProxies', () => {
  it('reads addresses and CIDR blocks of both families', () => {
    const list = trusting(' 10.0.0.0/8, 192.168.1.7 ,fd00::/8');
    expect(list.check('10.20.30.40', 'ipv4')).toBe(true);
    expect(list.check('192.168.1.7', 'ipv4')).toBe(true);
    expect(list.check('192.168.1.8', 'ipv4')).toBe(false);
    expect(list.check('fd12::1', 'ipv6')).toBe(true);
  });

  it('trusts nobody when empty', () => {
    expect(trusting('').check('127.0.0.1', 'ipv4')).toBe(false);
  });

  it.each(['ingress', '10.0.0.0/33', '10.0.0.0/', '10.0.0.0/8/8', 'fd00::/129', '10.0.0.0/x'])(
    'refuses %s',
    (value) => {
      expect(parseTrustedProxies(value)).toBeNull();
    },
  );
});

describe('clientIp', () => {
  const ingress = trusting('10.0.0.0/8');

  it('is the peer when nobody is trusted, whatever X-Forwarded-For says', () => {
    expect(clientIp(request('203.0.113.9', '198.51.100.1'), trusting(''))).toBe('203.0.113.9');
  });

  it('is the peer when the peer is not a trusted proxy', () => {
    expect(clientIp(request('203.0.113.9', '198.51.100.1'), ingress)).toBe('203.0.113.9');
  });

  it('is the entry the trusted proxy appended, not what the client put before it', () => {
    expect(clientIp(request('10.1.2.3', '1.2.3.4, 198.51.100.7'), ingress)).toBe('198.51.100.7');
  });

  it('skips every trusted proxy in the chain, from the right', () => {
    expect(clientIp(request('10.1.2.3', ['198.51.100.7, 10.9.9.9', '10.4.4.4']), ingress)).toBe(
      '198.51.100.7',
    );
  });

  it('is the leftmost entry when every hop is trusted', () => {
    expect(clientIp(request('10.1.2.3', '10.7.7.7, 10.8.8.8'), ingress)).toBe('10.7.7.7');
  });

  it('stops at a garbled entry, keeping the last trusted view', () => {
    expect(clientIp(request('10.1.2.3', '198.51.100.7, not-an-ip'), ingress)).toBe('10.1.2.3');
  });

  it('is the trusted peer when it sent no X-Forwarded-For', () => {
    expect(clientIp(request('10.1.2.3'), ingress)).toBe('10.1.2.3');
  });

  it('reads IPv4-mapped IPv6 peers as IPv4', () => {
    expect(clientIp(request('::ffff:10.1.2.3', '198.51.100.7'), ingress)).toBe('198.51.100.7');
    expect(clientIp(request('::ffff:203.0.113.9'), ingress)).toBe('203.0.113.9');
  });

  it('is unknown without a peer address (a closed socket)', () => {
    expect(clientIp(request(undefined, '198.51.100.7'), ingress)).toBe('unknown');
  });
});
