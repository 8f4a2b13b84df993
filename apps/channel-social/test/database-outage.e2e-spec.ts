import { randomBytes, randomUUID } from 'node:crypto';
import {
  type AppProcess,
  type BotApiServer,
  type TcpProxy,
  type TestDatabase,
  createTestDatabase,
  postMetaWebhook,
  postTelegramUpdate,
  settle,
  startAppProcess,
  startBotApiServer,
  startTcpProxy,
  telegramMessage,
  testRunId,
  waitFor,
  whatsAppInbound,
} from '@switchboard/testing';
import pg from 'pg';

const APP_SECRET = randomBytes(16).toString('hex');
const PHONE_NUMBER_ID = String(100_000_000_000_000 + Math.floor(Math.random() * 1e9));
const BOT_ID = 7_000_000_000 + Math.floor(Math.random() * 1e6);
const BOT_TOKEN = `${BOT_ID}:AA${randomBytes(16).toString('hex')}`;

/** One inbound message as its provider delivers it, and delivers it again until it gets a 200. */
interface ProviderMessage {
  readonly providerMessageId: string;
  send(): Promise<Response>;
}

/**
 * PostgreSQL goes away under channel-social (its connection runs through a TCP proxy the test
 * cuts, as a network partition would) while signed Meta and Telegram webhooks arrive. The receipts
 * that say what was acknowledged live there: a webhook that cannot be checked against them or
 * recorded is answered 5xx, so the provider retries; nothing is acknowledged that is not on the
 * log. Once the proxy is restored the providers' retries are acknowledged, and history (its own
 * process, on the same broker, its database reachable) holds every message exactly once.
 */
describe('channel-social while its database is unreachable', () => {
  const topicPrefix = `${testRunId()}.social-db-outage-${randomUUID().slice(0, 8)}.`;
  let database: TestDatabase;
  let db: pg.Pool;
  let proxy: TcpProxy;
  let botApi: BotApiServer;
  let history: AppProcess;
  let social: AppProcess;
  let telegram: { channelId: string; secret: string };
  let updateId = 900_000;

  const whatsApp = (text: string): ProviderMessage => {
    const id = `wamid.${randomBytes(24).toString('base64url')}`;
    const body = whatsAppInbound({
      phoneNumberId: PHONE_NUMBER_ID,
      from: '14155550123',
      messages: [{ id, type: 'text', text: { body: text } }],
    });
    return { providerMessageId: id, send: () => postMetaWebhook(social.url, body, APP_SECRET) };
  };
  const telegramUpdate = (text: string): ProviderMessage => {
    const update = { update_id: (updateId += 1), message: telegramMessage(4_242_424, { text }) };
    return {
      providerMessageId: String(update.update_id),
      send: () => postTelegramUpdate(social.url, telegram.channelId, update, telegram.secret),
    };
  };
  /** Both providers' messages, in turn. */
  const messages = (n: number, label: string) =>
    Array.from({ length: n }, (_, i) => (i % 2 === 0 ? whatsApp : telegramUpdate)(`${label} ${i}`));
  /** How many times history stored each of these messages. */
  const stored = async (list: readonly ProviderMessage[]) => {
    const { rows } = await db.query<{ id: string; n: string }>(
      `SELECT provider_message_id AS id, count(*) AS n FROM history.messages
       WHERE provider_message_id = ANY($1) GROUP BY provider_message_id`,
      [list.map((m) => m.providerMessageId)],
    );
    const counts = new Map(rows.map((r) => [r.id, Number(r.n)]));
    return list.map((m) => counts.get(m.providerMessageId) ?? 0);
  };
  /** The provider retrying a message until it is acknowledged. */
  const retriedUntilAcknowledged = (message: ProviderMessage) =>
    waitFor(async () => (await message.send()).status === 200, {
      what: `the retry of ${message.providerMessageId} acknowledged`,
      intervalMs: 500,
      timeoutMs: 60_000,
    });

  beforeAll(async () => {
    database = await createTestDatabase('social_db_outage');
    db = new pg.Pool({ connectionString: database.url, max: 2 });
    const url = new URL(database.url);
    [proxy, botApi] = await Promise.all([
      startTcpProxy(Number(url.port || 5432)),
      startBotApiServer(BOT_TOKEN),
    ]);
    url.host = `127.0.0.1:${proxy.port}`;
    const kafka = {
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '',
      KAFKA_TOPIC_PREFIX: topicPrefix,
      KAFKA_PARTITIONS: '2',
    };
    // One after the other: two apps migrating one database at once on a busy machine is slow.
    // History reaches PostgreSQL directly: only the channel loses it.
    history = await startAppProcess('history', { DATABASE_URL: database.url, ...kafka });
    await history.waitUntilReady(120_000);
    social = await startAppProcess('channel-social', {
      DATABASE_URL: url.toString(),
      ...kafka,
      META_APP_SECRET: APP_SECRET,
      META_VERIFY_TOKEN: randomBytes(12).toString('hex'),
      WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
      WHATSAPP_ACCESS_TOKEN: `EAAG${randomBytes(20).toString('hex')}`,
      PUBLIC_BASE_URL: 'https://social.example.test',
      TELEGRAM_API_BASE_URL: botApi.url,
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      SWITCHBOARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    });
    await social.waitUntilReady(120_000);
    const [setWebhook] = botApi.callsOf('setWebhook');
    telegram = {
      channelId: String(setWebhook!.params.get('url')).split('/').pop()!,
      secret: String(setWebhook!.params.get('secret_token')),
    };
  }, 300_000);

  afterAll(async () => {
    await Promise.all([social?.stop('SIGTERM'), history?.stop('SIGTERM')]);
    await proxy?.close();
    await botApi?.close();
    await db?.end();
    await database?.drop();
  });

  it('answers 5xx for what it could not make durable, and stores every retried message once', async () => {
    const before = messages(2, 'before');
    // A fresh topic's leader may still be moving: the very first webhook can get a 503 too.
    for (const message of before) await retriedUntilAcknowledged(message);

    // 1. Cut while webhooks are in flight: whatever was acknowledged is on the log; the rest is 5xx.
    const racing = messages(16, 'racing');
    const answers = racing.map(async (message, i) => {
      await settle(i * 40);
      return (await message.send()).status;
    });
    await settle(300);
    proxy.cut();
    const raced = await Promise.all(answers);
    for (const status of raced) expect([200, 500, 502, 503]).toContain(status);

    // 2. While it stays cut, nothing is acknowledged.
    const during = messages(8, 'during');
    const refused = await Promise.all(during.map((m) => m.send()));
    for (const answer of refused) expect(answer.status).toBeGreaterThanOrEqual(500);
    const acknowledgedInRace = racing.filter((_, i) => raced[i] === 200);
    // What was acknowledged before or during the cut reached history with the database cut.
    await waitFor(async () => (await stored([...before, ...acknowledgedInRace])).every((n) => n === 1), {
      what: 'every acknowledged message in history',
      timeoutMs: 30_000,
    });

    // 3. Restored: the providers retry what was not acknowledged (and, once, what was).
    proxy.restore();
    const retried = [...racing.filter((_, i) => raced[i] !== 200), ...during];
    for (const message of retried) await retriedUntilAcknowledged(message);
    for (const message of [...before, ...racing, ...during]) expect((await message.send()).status).toBe(200);

    const all = [...before, ...racing, ...during];
    await waitFor(async () => (await stored(all)).every((n) => n >= 1), {
      what: 'every message in history',
      timeoutMs: 30_000,
    });
    await settle(1_000);
    expect(await stored(all)).toEqual(all.map(() => 1));
    // Two app starts and a cut database: past jest's default minute on a busy machine.
  }, 240_000);
});
