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
  signedTwilioWebhook,
  startAppProcess,
  twilioInboundSmsParams,
  waitFor,
} from '@switchboard/testing';
// deploy/ holds plain-JS scripts outside the @switchboard/* aliases.
// eslint-disable-next-line no-restricted-imports
import { type RunningBroker, startBroker } from '../../../deploy/local/kafka/kafka-broker.mjs';

const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');
const OUR_NUMBER = '+14155550100';
const PUBLIC_BASE_URL = 'https://sms.example.test';

/**
 * Kafka goes away under the SMS webhook (a broker of the test's own, stopped and restarted on the
 * same port and data): Twilio's request is answered 503 and not acknowledged; Twilio's retry of
 * the same MessageSid, once Kafka is back, is acknowledged and the message is on the log.
 */
describe('channel-sms while the event log is down', () => {
  let dataDir: string;
  let port: number;
  let broker: RunningBroker | undefined;
  let database: TestDatabase;
  let app: AppProcess | undefined;
  let observer: KafkaEventBus | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'switchboard-sms-outage-'));
    port = await freePort();
    [broker, database] = await Promise.all([
      startBroker({ dataDir, port }),
      createTestDatabase('sms_outage'),
    ]);
  }, 120_000);

  afterAll(async () => {
    await app?.stop('SIGKILL');
    await observer?.close();
    await broker?.stop();
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers 503 while Kafka is down, then acknowledges the retry and publishes it', async () => {
    const topicPrefix = `sms-outage-${randomUUID().slice(0, 8)}.`;
    app = await startAppProcess('channel-sms', {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: broker!.brokers,
      KAFKA_TOPIC_PREFIX: topicPrefix,
      KAFKA_PARTITIONS: '1',
      PUBLIC_BASE_URL,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_PHONE_NUMBER: OUR_NUMBER,
      SWITCHBOARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    });
    await app.waitUntilReady();
    const send = (params: Record<string, string>) => {
      const { headers, body } = signedTwilioWebhook(
        AUTH_TOKEN,
        `${PUBLIC_BASE_URL}/webhooks/twilio/sms`,
        params,
      );
      return fetch(`${app!.url}/webhooks/twilio/sms`, { method: 'POST', headers, body });
    };
    const before = twilioInboundSmsParams(ACCOUNT_SID, OUR_NUMBER, '+14155550123', { Body: 'before' });
    // A fresh broker's coordinator may still be loading: the first webhook can get a 503 too.
    await waitFor(async () => (await send(before)).status === 200, {
      what: 'a webhook acknowledged while Kafka is up',
      intervalMs: 1_000,
    });

    await broker!.stop();
    broker = undefined;
    const during = twilioInboundSmsParams(ACCOUNT_SID, OUR_NUMBER, '+14155550123', { Body: 'during' });
    const refused = await send(during);
    expect(refused.status).toBe(503);

    broker = await startBroker({ dataDir, port });
    // Twilio retries the same request; until the producer has reconnected it may still get 503.
    const retried = await waitFor(
      async () => {
        const response = await send(during);
        return response.status === 200 ? response : null;
      },
      { what: 'the retried webhook to be acknowledged', timeoutMs: 90_000, intervalMs: 1_000 },
    );
    expect(await retried.text()).toContain('<Response/>');

    observer = new KafkaEventBus({
      brokers: [broker.brokers],
      clientId: 'sms-outage-observer',
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
        seen.some((e) => e.payload.providerMessageId === before.MessageSid) &&
        seen.some((e) => e.payload.providerMessageId === during.MessageSid),
      { what: 'both messages on the log', timeoutMs: 30_000 },
    );
    // A broker start, a stop and a restart on one test: well past jest's default minute on a busy machine.
  }, 300_000);
});
