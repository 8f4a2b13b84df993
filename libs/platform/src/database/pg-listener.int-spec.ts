import { randomUUID } from 'node:crypto';
import { type TestDatabase, createTestDatabase, settle, waitFor } from '@switchboard/testing';
import pg from 'pg';
import { createLogger } from '../logging/logger.util.js';
import { PgListener } from './pg-listener.util.js';

describe('PgListener', () => {
  let database: TestDatabase;
  let admin: pg.Client;
  const channel = 'pg_listener_test';

  beforeAll(async () => {
    database = await createTestDatabase('pg_listener');
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
    await database.drop();
  });

  function listener(applicationName: string, connectionString = database.url) {
    const received: string[] = [];
    const listens: boolean[] = [];
    let lost = 0;
    const subject = new PgListener({
      connectionString,
      applicationName,
      channel,
      logger: createLogger('test'),
      reconnectMs: 100,
      onNotification: (payload) => received.push(payload),
      onListening: (reconnected) => listens.push(reconnected),
      onLost: () => (lost += 1),
    });
    return { subject, received, listens, lost: () => lost };
  }

  const notify = (payload: string) => admin.query('SELECT pg_notify($1, $2)', [channel, payload]);

  it('hears notifications, and listens again by itself after losing its connection', async () => {
    const name = `test-listener-${randomUUID().slice(0, 8)}`;
    const { subject, received, listens, lost } = listener(name);
    await subject.start();
    expect(subject.listening()).toBe(true);
    expect(listens).toEqual([false]);
    await notify('one');
    await waitFor(() => received.includes('one'), { what: 'the first notification' });

    const killed = await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
      [name],
    );
    expect(killed.rowCount).toBe(1);
    await waitFor(() => lost() === 1 && listens.length === 2, { what: 'listening again' });
    expect(listens).toEqual([false, true]);
    await notify('two');
    await waitFor(() => received.includes('two'), { what: 'a notification after the reconnect' });

    await subject.close();
    expect(subject.listening()).toBe(false);
    await notify('three');
    await settle(300);
    expect(received).toEqual(['one', 'two']);
    const left = await admin.query('SELECT 1 FROM pg_stat_activity WHERE application_name = $1', [name]);
    expect(left.rowCount).toBe(0);
  });

  it('starts while the database cannot be reached, without throwing, and stops cleanly', async () => {
    const { subject, listens } = listener('test-listener-away', 'postgres://postgres@127.0.0.1:9/nowhere');
    await subject.start();
    expect(subject.listening()).toBe(false);
    expect(listens).toEqual([]);
    await subject.close();
  });

  it('refuses a channel name it would have to quote', () => {
    expect(
      () =>
        new PgListener({
          connectionString: database.url,
          applicationName: 'x',
          channel: 'x; DROP TABLE y',
          logger: createLogger('test'),
          onNotification: () => undefined,
        }),
    ).toThrow(/invalid notification channel/);
  });
});
