import { UNMATCHED_ROUTE, httpMethodLabel, httpRouteLabel } from './http-route-label.util.js';

describe('HTTP metric labels', () => {
  it('names a request by the route template it matched, never by its path', () => {
    // What express leaves on a request to /webhooks/telegram/5f0c…: the template, not the id.
    expect(httpRouteLabel({ baseUrl: '', route: { path: '/webhooks/telegram/:channel' } })).toBe(
      '/webhooks/telegram/:channel',
    );
    expect(httpRouteLabel({ baseUrl: '/api', route: { path: '/conversations/:id' } })).toBe(
      '/api/conversations/:id',
    );
  });

  it('puts every request no route took under one label', () => {
    // A scanner's paths, a customer's number in a URL: none of them may become a series.
    expect(httpRouteLabel({ baseUrl: '' })).toBe(UNMATCHED_ROUTE);
    expect(httpRouteLabel({ route: undefined })).toBe(UNMATCHED_ROUTE);
    expect(httpRouteLabel({ route: { path: /^\/regex/ } })).toBe(UNMATCHED_ROUTE);
  });

  it('keeps the methods HTTP defines and folds invented ones', () => {
    expect(httpMethodLabel('POST')).toBe('POST');
    expect(httpMethodLabel('PROPFIND')).toBe('other');
    expect(httpMethodLabel('+15551234567')).toBe('other');
  });
});
