import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InboundMessageReceivedV1, Topics } from '@switchboard/contracts';
import { KafkaEventBus } from '@switchboard/messaging';
import {
  type AppProcess,
  type TestDatabase,
  createTestDatabase,
  freePort,
  metaJson,
  settle,
  signMetaBody,
  startAppProcess,
  waitFor,
  whatsAppInbound,
} from '@switchboard/testing';
// deploy/ holds plain-JS scripts outside the @switchboard/* aliases.
// eslint-disable-next-line no-restricted-imports
import { type RunningBroker, startBroker } from '../../../deploy/local/kafka/kafka-broker.mjs';

const APP_SECRET = randomBytes(16).toString('hex');
const PHONE_NUMBER_ID = '106540352242922';

/**
 * Kafka goes away under Meta's webhook (a broker of the test's own, stopped and restarted on the
 * same port and data): Meta's POST is answered 503 within the webhook deadline, so Meta retries;
 * the retry, once Kafka is back, is acknowledged and the message is on the log once, however many
 * times Meta sends it again.
 */
describe('channel-social while the event log is down', () => {
  let dataDir: string;
  let port: number;
  let broker: RunningBroker | undefined;
  let database: TestDatabase;
  let app: AppProcess | undefined;
  let observer: KafkaEventBus | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'switchboard-social-outage-'));
    port = await freePort();
    [broker, database] = await Promise.all([
      startBroker({ dataDir, port }),
      createTestDatabase('social_outage'),
    ]);
  }, 120_000);

  afterAll(async () => {
    await app?.stop('SIGKILL');
    await observer?.close();
    await broker?.stop();
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers 503 while Kafka is down, then acknowledges the retry and publishes it once', async () => {
    const topicPrefix = `social-outage-${randomUUID().slice(0, 8)}.`;
    app = await startAppProcess('channel-social', {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: broker!.brokers,
      KAFKA_TOPIC_PREFIX: topicPrefix,
      KAFKA_PARTITIONS: '1',
      META_APP_SECRET: APP_SECRET,
      META_VERIFY_TOKEN: randomBytes(12).toString('hex'),
      WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
      WHATSAPP_ACCESS_TOKEN: `EAAG${randomBytes(20).toString('hex')}`,
      SWITCHBOARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    });
    await app.waitUntilReady();
    const message = (text: string) => {
      const id = `wamid.${randomBytes(24).toString('base64url')}`;
      const body = metaJson(
        whatsAppInbound({
          phoneNumberId: PHONE_NUMBER_ID,
          from: '14155550123',
          messages: [{ id, type: 'text', text: { body: text } }],
        }),
      );
      return { id, body };
    };
    const send = ({ body }: { body: string }) =>
      fetch(`${app!.url}/webhooks/meta`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': signMetaBody(body, APP_SECRET),
        },
        body,
      });
    const before = message('before');
    // A fresh broker's coordinator may still be loading: the first webhook can get a 503 too.
    await waitFor(async () => (await send(before)).status === 200, {
      what: 'a webhook acknowledged while Kafka is up',
      intervalMs: 1_000,
    });

    await broker!.stop();
    broker = undefined;
    const during = message('during');
    expect((await send(during)).status).toBe(503);

    broker = await startBroker({ dataDir, port });
    // Meta retries the same POST; until the producer has reconnected it may still get 503.
    await waitFor(async () => (await send(during)).status === 200, {
      what: 'the retried webhook to be acknowledged',
      timeoutMs: 90_000,
      intervalMs: 1_000,
    });
    expect((await send(during)).status).toBe(200);

    observer = new KafkaEventBus({
      brokers: [broker.brokers],
      clientId: 'social-outage-observer',
      topicPrefix,
      partitions: 1,
      replicationFactor: 1,
    });
    const seen: InboundMessageReceivedV1[] = [];
    await observer.subscribe({
      groupId: 'observer',
      topics: [Topics.inbound],
      accepts: [InboundMessageReceivedV1],
      handleBatch: (batch) => Promise.resolve(void seen.push(...batch.map((c) => c.event))),
    });
    await waitFor(
      () =>
        seen.some((e) => e.payload.providerMessageId === before.id) &&
        seen.some((e) => e.payload.providerMessageId === during.id),
      { what: 'both messages on the log', timeoutMs: 30_000 },
    );
    await settle(2_000);
    // The first attempt may have reached Kafka after its 503 (then the retry found no receipt and
    // published again: history's natural key keeps one); an acknowledged retry never publishes.
    expect(seen.filter((e) => e.payload.providerMessageId === during.id).length).toBeLessThanOrEqual(2);
    expect(seen.filter((e) => e.payload.providerMessageId === before.id)).toHaveLength(1);
  }, 300_000);
});
