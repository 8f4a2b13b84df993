import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/** The proxies (addresses or CIDR blocks) whose `X-Forwarded-For` is believed; empty: none. */
export type TrustedProxies = BlockList;

const MAPPED_IPV4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) as `10.0.0.1`; anything else unchanged. */
function normalize(address: string): string {
  const mapped = MAPPED_IPV4.exec(address);
  return mapped ? mapped[1]! : address;
}

function isTrusted(address: string, trusted: TrustedProxies): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return trusted.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * `10.0.0.0/8, 192.168.1.7, fd00::/8` → the block list; null if an entry is neither an address nor
 * a CIDR block (the config reports it). An empty string trusts nobody.
 */
export function parseTrustedProxies(value: string): TrustedProxies | null {
  const list = new BlockList();
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const [address = '', prefixText, ...rest] = entry.split('/');
    const family = isIP(address);
    if (family === 0 || rest.length > 0) return null;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefixText === undefined) {
      list.addAddress(address, type);
      continue;
    }
    const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
    if (!(prefix >= 0 && prefix <= (family === 4 ? 32 : 128))) return null;
    list.addSubnet(address, prefix, type);
  }
  return list;
}

/**
 * The address of the person behind a request: the socket's peer, unless that peer is a trusted
 * proxy, in which case `X-Forwarded-For` is read from the right (the entry the nearest proxy
 * appended) past every other trusted proxy. Entries left of the first untrusted one are whatever
 * the client chose to send and are never believed.
 */
export function clientIp(request: IncomingMessage, trusted: TrustedProxies): string {
  let address = normalize(request.socket.remoteAddress ?? '');
  if (address === '') return 'unknown';
  if (!isTrusted(address, trusted)) return address;
  const header = request.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((entry) => normalize(entry.trim()))
    .filter((entry) => entry !== '');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    // A garbled entry is not an address to key limits on: the last proxy we trust vouched for
    // everything right of it, so that proxy's view is what we have.
    if (isIP(hop) === 0) return address;
    address = hop;
    if (!isTrusted(hop, trusted)) return hop;
  }
  return address;
}
