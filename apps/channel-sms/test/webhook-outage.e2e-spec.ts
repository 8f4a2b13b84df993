import { randomBytes, randomUUID } from 'node:crypto';
import {
  type AppProcess,
  type TcpProxy,
  type TestDatabase,
  createTestDatabase,
  signedTwilioWebhook,
  startAppProcess,
  startTcpProxy,
  testRunId,
  settle,
  twilioInboundSmsParams,
  waitFor,
} from '@switchboard/testing';

const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');
const OUR_NUMBER = '+14155550100';
const PUBLIC_BASE_URL = 'https://sms.example.test';

/** The JSON log lines the app printed, parsed. */
function logLines(app: AppProcess): { level: string; msg?: string; [key: string]: unknown }[] {
  return app
    .output()
    .split('\n')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as { level: string; msg?: string }];
      } catch {
        return [];
      }
    });
}

/**
 * Twilio's webhooks when something goes wrong: the app as it runs in production (its own process),
 * its PostgreSQL behind a TCP proxy the test cuts as a network partition would. Errors are plain
 * text under a matching Content-Type (never JSON under text/xml, which Nest warns about each
 * time); a database down is 503 with Retry-After, logged once for the outage, not per request.
 */
describe('channel-sms webhooks when something is wrong', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let app: AppProcess;

  beforeAll(async () => {
    database = await createTestDatabase('sms_webhook_outage');
    const url = new URL(database.url);
    proxy = await startTcpProxy(Number(url.port || 5432));
    url.host = `127.0.0.1:${proxy.port}`;
    app = await startAppProcess('channel-sms', {
      DATABASE_URL: url.toString(),
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '',
      KAFKA_TOPIC_PREFIX: `${testRunId()}.sms-webhook-outage-${randomUUID().slice(0, 8)}.`,
      KAFKA_PARTITIONS: '1',
      PUBLIC_BASE_URL,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_PHONE_NUMBER: OUR_NUMBER,
      SWITCHBOARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    });
    await app.waitUntilReady(60_000);
  }, 120_000);

  afterAll(async () => {
    await app?.stop('SIGTERM');
    await proxy?.close();
    await database?.drop();
  });

  const post = (path: string, init: { headers: Record<string, string>; body: string }) =>
    fetch(`${app.url}${path}`, { method: 'POST', ...init });
  const sendSigned = (params: Record<string, string>) =>
    post(
      '/webhooks/twilio/sms',
      signedTwilioWebhook(AUTH_TOKEN, `${PUBLIC_BASE_URL}/webhooks/twilio/sms`, params),
    );
  const inbound = () => twilioInboundSmsParams(ACCOUNT_SID, OUR_NUMBER, '+14155550123', { Body: 'hi' });
  // A text needs no database once its account is cached (ADR 0037); STOP records the opt-out first.
  const stop = () => twilioInboundSmsParams(ACCOUNT_SID, OUR_NUMBER, '+14155550123', { Body: 'STOP' });

  it('answers a refused request in plain text under text/plain, without a warning', async () => {
    const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
    const unsigned = await post('/webhooks/twilio/sms', { headers: form, body: 'From=%2B1' });
    expect(unsigned.status).toBe(400);
    expect(unsigned.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await unsigned.text()).toBe('X-Twilio-Signature is missing');

    const forged = await post('/webhooks/twilio/status', {
      headers: { ...form, 'X-Twilio-Signature': 'forged' },
      body: new URLSearchParams({ AccountSid: ACCOUNT_SID, To: OUR_NUMBER, MessageSid: 'SM1' }).toString(),
    });
    expect(forged.status).toBe(403);
    expect(forged.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await forged.text()).toBe('Twilio signature does not match');

    expect(app.output()).not.toContain("Content-Type doesn't match");
  });

  it('answers a STOP (its opt-out recorded first) 503 with Retry-After while the database is unreachable, logging the outage once', async () => {
    // A fresh broker's coordinator may still be loading: the first webhook can get a 503 too.
    await waitFor(async () => (await sendSigned(inbound())).status === 200, {
      what: 'a webhook acknowledged while everything is up',
      intervalMs: 500,
      timeoutMs: 60_000,
    });
    const linesBefore = logLines(app).length;

    proxy.cut();
    try {
      const answers = await Promise.all(Array.from({ length: 12 }, () => sendSigned(stop())));
      for (const answer of answers) {
        expect(answer.status).toBe(503);
        expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
        expect(await answer.text()).toBe('database is unavailable; try again later');
      }
      const later = await sendSigned(stop());
      expect(later.status).toBe(503);
    } finally {
      proxy.restore();
    }

    // The app's output reaches this process on its own schedule, not with the answers.
    await waitFor(
      () =>
        logLines(app)
          .slice(linesBefore)
          .some((line) => line.level === 'error'),
      {
        what: 'the outage logged',
        timeoutMs: 5_000,
      },
    ).catch(() => undefined);
    await settle(500);
    const during = logLines(app).slice(linesBefore);
    const errors = during.filter((line) => line.level === 'error' || line.level === 'fatal');
    expect(errors.map((line) => line.msg)).toEqual([
      'database unavailable: requests that need it are answered 503 until it is back',
    ]);
    expect(JSON.stringify(during)).not.toContain('"stack"');
    expect(app.output()).not.toContain("Content-Type doesn't match");

    // Twilio's retry once the database is back is acknowledged.
    await waitFor(async () => (await sendSigned(inbound())).status === 200, {
      what: 'a webhook acknowledged once the database is back',
      intervalMs: 500,
      timeoutMs: 30_000,
    });
  }, 120_000);
});
