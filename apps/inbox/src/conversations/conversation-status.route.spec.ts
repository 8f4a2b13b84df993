import type { IncomingMessage } from 'node:http';
import { taken } from './conversation-status.route.js';

const request = (url: string, headers: Record<string, string> = {}) =>
  ({
    url,
    headers: { 'content-type': 'application/json', 'content-length': '22', ...headers },
  }) as unknown as IncomingMessage;

describe('which status changes the route takes ahead of express', () => {
  it('takes a JSON body of announced length on the exact path, with any query', () => {
    expect(taken(request('/api/inbox/conversations/c-1/status'))).toBe('c-1');
    expect(taken(request('/api/inbox/conversations/c-1/status?x=1'))).toBe('c-1');
    expect(
      taken(
        request('/api/inbox/conversations/c-1/status', { 'content-type': 'Application/JSON; charset=UTF-8' }),
      ),
    ).toBe('c-1');
    expect(taken(request('/api/inbox/conversations/c-1/status', { 'content-encoding': 'identity' }))).toBe(
      'c-1',
    );
  });

  it('leaves express whatever it would read otherwise', () => {
    for (const url of [
      '/api/inbox/conversations//status',
      '/api/inbox/conversations/a/b/status',
      '/api/inbox/conversations/c%2D1/status',
      '/api/inbox/conversations/c-1/status/',
      '/API/inbox/conversations/c-1/status',
      '/api/inbox/conversations/c-1/messages',
    ])
      expect(taken(request(url))).toBeUndefined();
    const path = '/api/inbox/conversations/c-1/status';
    for (const headers of <Record<string, string>[]>[
      { 'content-type': 'text/plain' },
      { 'content-type': 'application/json; charset=utf-16' },
      { 'content-encoding': 'gzip' },
      { 'content-length': String(100 * 1024 + 1) },
      { 'content-length': '-1' },
    ])
      expect(taken(request(path, headers))).toBeUndefined();
    const chunked = request(path);
    delete chunked.headers['content-length'];
    expect(taken(chunked)).toBeUndefined();
  });
});
