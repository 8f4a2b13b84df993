import { randomBytes, randomUUID } from 'node:crypto';
import { InboundMessageReceivedV1, Topics, inboundEventId } from '@switchboard/contracts';
import { type ConsumedEvent, KafkaEventBus } from '@switchboard/messaging';
import {
  type AppProcess,
  type TestDatabase,
  createTestDatabase,
  metaJson,
  signMetaBody,
  startAppProcess,
  testRunId,
  waitFor,
  whatsAppInbound,
} from '@switchboard/testing';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';

const APP_SECRET = randomBytes(16).toString('hex');
const PHONE_NUMBER_ID = String(100_000_000_000_000 + Math.floor(Math.random() * 1e9));

/**
 * ADR 0036: a WhatsApp text is acknowledged once its event is on Kafka, with no receipt looked up
 * before nor written after; Meta's retries (one racing the first delivery, more after its 200)
 * publish the same event again under the same id, and history, in its own process on the same
 * log, stores the message once.
 */
describe('channel-social: Meta retries of a text, deduplicated downstream', () => {
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');
  const topicPrefix = `${testRunId()}.social-retry-${randomUUID().slice(0, 8)}.`;
  let database: TestDatabase;
  let db: pg.Pool;
  let observer: KafkaEventBus;
  const apps: AppProcess[] = [];
  const inbound: ConsumedEvent<InboundMessageReceivedV1>[] = [];

  const caughtUp = async () => {
    const admin = new Kafka({ clientId: 'lag-probe', brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const topic = topicPrefix + Topics.inbound;
      const [ends, [committed]] = await Promise.all([
        admin.fetchTopicOffsets(topic),
        admin.fetchOffsets({ groupId: `${topicPrefix}history.inbound`, topics: [topic] }),
      ]);
      return ends.every((end) => {
        const c = committed!.partitions.find((p) => p.partition === end.partition);
        return Number(end.high) === 0 || (c !== undefined && Number(c.offset) >= Number(end.high));
      });
    } finally {
      await admin.disconnect();
    }
  };

  beforeAll(async () => {
    database = await createTestDatabase('channel_social_retry');
    db = new pg.Pool({ connectionString: database.url, max: 2 });
    observer = new KafkaEventBus({
      brokers,
      clientId: 'social-retry',
      topicPrefix,
      partitions: 2,
      replicationFactor: 1,
    });
    const env = {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_TOPIC_PREFIX: topicPrefix,
      KAFKA_PARTITIONS: '2',
      SWITCHBOARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    };
    apps.push(
      await startAppProcess('channel-social', {
        ...env,
        META_APP_SECRET: APP_SECRET,
        META_VERIFY_TOKEN: randomBytes(12).toString('hex'),
        WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
        WHATSAPP_ACCESS_TOKEN: `EAAG${randomBytes(20).toString('hex')}`,
      }),
      await startAppProcess('history', env),
    );
    await Promise.all(apps.map((a) => a.waitUntilReady(60_000)));
    const subscription = await observer.subscribe({
      groupId: 'observer.inbound',
      topics: [Topics.inbound],
      accepts: [InboundMessageReceivedV1],
      handleBatch: (batch) => Promise.resolve(void inbound.push(...batch)),
    });
    await subscription.assigned;
  }, 120_000);

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop('SIGTERM')));
    await observer?.close();
    await db?.end();
    await database?.drop();
  });

  it('answers every delivery 200 and stores the message once, every copy on the log one event', async () => {
    const wamid = `wamid.${randomBytes(24).toString('base64url')}`;
    const raw = metaJson(
      whatsAppInbound({
        phoneNumberId: PHONE_NUMBER_ID,
        from: '14155550177',
        messages: [{ id: wamid, type: 'text', text: { body: 'Is my parcel on its way?' } }],
      }),
    );
    const deliver = () =>
      fetch(`${apps[0]!.url}/webhooks/meta`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaBody(raw, APP_SECRET) },
        body: raw,
      }).then((r) => r.status);

    // Meta gave up waiting on the first and sent it again at once; then retried twice more.
    expect(await Promise.all([deliver(), deliver()])).toEqual([200, 200]);
    expect(await deliver()).toBe(200);
    expect(await deliver()).toBe(200);

    const copies = await waitFor(
      () => {
        const found = inbound.filter((c) => c.event.payload.providerMessageId === wamid);
        return found.length === 4 ? found : null;
      },
      { what: 'the four deliveries on the log' },
    );
    const { rows: accounts } = await db.query<{ id: string }>(
      "SELECT id FROM channels.social_accounts WHERE channel = 'whatsapp'",
    );
    const expectedId = inboundEventId(accounts[0]!.id, wamid);
    expect(new Set(copies.map((c) => c.event.id))).toEqual(new Set([expectedId]));

    const stored = () =>
      db
        .query<{ n: string }>('SELECT count(*) AS n FROM history.messages WHERE provider_message_id = $1', [
          wamid,
        ])
        .then((r) => Number(r.rows[0]!.n));
    await waitFor(async () => (await stored()) > 0 || null, { what: 'history to store the message' });
    // History has consumed every copy: its group committed to the end of the topic.
    await waitFor(async () => (await caughtUp()) || null, {
      what: 'history past every copy',
      intervalMs: 500,
    });
    expect(await stored()).toBe(1);
    const { rows: events } = await db.query<{ event_id: string }>(
      'SELECT event_id FROM history.messages WHERE provider_message_id = $1',
      [wamid],
    );
    expect(events[0]!.event_id).toBe(expectedId);
  });
});
