import { InvalidArgumentError } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import { encodePageToken } from '../src/database/page-token.util.js';
import { type HistoryTestApp, startHistoryTestApp } from './history-test-app.js';

/**
 * Page tokens come back from clients: one that does not decode to a position of the list it
 * pages is INVALID_ARGUMENT at the port, never a cast error inside PostgreSQL (a 500 whose log
 * line carried the SQL and its parameters).
 */
describe('history page tokens', () => {
  let app: HistoryTestApp;
  const ws = randomUUID();
  const uuid = randomUUID();

  beforeAll(async () => {
    app = await startHistoryTestApp('history_page_tokens');
  });
  afterAll(async () => {
    await app?.close();
  });

  const crafted = [
    encodePageToken(['not a time', 'not a uuid']),
    encodePageToken(['2026-02-31 00:00:00+00', uuid]),
    encodePageToken(['2026-12-05 10:00:00.123456+00', 'zzz']),
    encodePageToken([12, uuid]),
    encodePageToken(['2026-12-05 10:00:00+00', 7]),
    Buffer.from('{"a":1}').toString('base64url'),
    '%%%not-base64%%%',
  ];

  const refused = async (call: Promise<unknown>) => {
    const error = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).fieldViolations.map((v) => v.field)).toEqual(['pageToken']);
  };

  it('refuses a crafted token on every paged query, before any SQL', async () => {
    for (const pageToken of crafted) {
      await refused(app.api.listConversations(ws, { pageToken }));
      await refused(app.api.listConversations(ws, { pageToken, order: 'recent' }));
      await refused(app.api.findCustomers(ws, { text: 'al', pageToken }));
      await refused(app.api.getTimeline(ws, uuid, { pageToken }));
    }
    // Search pages by rank (a real) and id.
    for (const pageToken of [
      encodePageToken(['0.5', uuid]),
      encodePageToken([1e39, uuid]),
      encodePageToken([1e-50, uuid]),
      encodePageToken([0.5, 'not a uuid']),
    ]) {
      await refused(app.api.searchMessages(ws, { query: 'hello', pageToken }));
    }
  });

  it('still reads with the tokens it issues', async () => {
    const position = encodePageToken(['2026-12-05 10:00:00.123456+00', uuid]);
    expect((await app.api.listConversations(ws, { pageToken: position })).items).toEqual([]);
    expect((await app.api.findCustomers(ws, { pageToken: position })).items).toEqual([]);
    const waiting = encodePageToken(['infinity', uuid]);
    expect((await app.api.listConversations(ws, { pageToken: waiting })).items).toEqual([]);
    const rank = encodePageToken([0.0607927, uuid]);
    expect((await app.api.searchMessages(ws, { query: 'hello', pageToken: rank })).items).toEqual([]);
  });
});
