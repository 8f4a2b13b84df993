import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InboundMessageReceivedV1, Topics } from '@switchboard/contracts';
import { KafkaEventBus } from '@switchboard/messaging';
// deploy/ holds plain-JS scripts outside the @switchboard/* aliases.
// eslint-disable-next-line no-restricted-imports
import { type RunningBroker, startBroker } from '../../../../deploy/local/kafka/kafka-broker.mjs';
import { settle, waitFor } from '../async/wait-for.util.js';
import { type TestDatabase, createTestDatabase } from '../database/test-database.util.js';
import { type AppProcess, freeStablePort, startAppProcess } from '../process/app-process.util.js';

/** One inbound message as a provider delivers it: the id it gives the message, and its POST. */
export interface ProviderMessage {
  readonly providerMessageId: string;
  /** Sends (or re-sends, as the provider retries) the signed webhook to the app at `baseUrl`. */
  send(baseUrl: string): Promise<Response>;
}

export interface WebhookOutageScenario {
  /** `sms` for channel-sms: names the database, the topic prefix and the observer. */
  readonly label: string;
  /** The built channel app and the provider variables it needs. */
  readonly app: string;
  readonly env: Record<string, string>;
  /** A new inbound message with `text`, as the provider would deliver it. */
  readonly message: (text: string) => ProviderMessage;
  /** What an acknowledged webhook's body must say (TwiML's `<Response/>`); unchecked when absent. */
  readonly acknowledgement?: RegExp;
}

/**
 * The webhook under an event-log outage, as the channel e2e tests (`bus-outage`, `meta-outage`)
 * hold each channel to it: a broker of the test's own is stopped under the running app and
 * restarted on the same port and data. The provider's POST meanwhile is answered 503 and not
 * acknowledged; its retry, once Kafka is back, is acknowledged and the message is on the log — as
 * at most two distinct events (the first attempt may have reached Kafka after its 503; history's natural key keeps
 * one), and a message acknowledged before the outage exactly once. Registers its own
 * beforeAll/afterAll and one test.
 */
export function describeWebhookOutage(scenario: WebhookOutageScenario): void {
  let dataDir: string;
  let port: number;
  let broker: RunningBroker | undefined;
  let database: TestDatabase;
  let app: AppProcess | undefined;
  let observer: KafkaEventBus | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), `switchboard-${scenario.label}-outage-`));
    // The broker restarts on it: none from the ephemeral range (see freeStablePort).
    port = await freeStablePort();
    [broker, database] = await Promise.all([
      startBroker({ dataDir, port }),
      createTestDatabase(`${scenario.label}_outage`),
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
    const topicPrefix = `${scenario.label}-outage-${randomUUID().slice(0, 8)}.`;
    app = await startAppProcess(scenario.app, {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: broker!.brokers,
      KAFKA_TOPIC_PREFIX: topicPrefix,
      KAFKA_PARTITIONS: '1',
      SWITCHBOARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ...scenario.env,
    });
    await app.waitUntilReady();
    const url = app.url;
    const before = scenario.message('before');
    // A fresh broker's coordinator may still be loading: the first webhook can get a 503 too.
    await waitFor(async () => (await before.send(url)).status === 200, {
      what: 'a webhook acknowledged while Kafka is up',
      intervalMs: 1_000,
    });

    await broker!.stop();
    broker = undefined;
    const during = scenario.message('during');
    expect((await during.send(url)).status).toBe(503);

    broker = await startBroker({ dataDir, port });
    // The provider retries the same request; until the producer has reconnected it may still get 503.
    const retried = await waitFor(
      async () => {
        const response = await during.send(url);
        return response.status === 200 ? response : null;
      },
      { what: 'the retried webhook to be acknowledged', timeoutMs: 90_000, intervalMs: 1_000 },
    );
    if (scenario.acknowledgement) expect(await retried.text()).toMatch(scenario.acknowledgement);
    expect((await during.send(url)).status).toBe(200);

    observer = new KafkaEventBus({
      brokers: [broker.brokers],
      clientId: `${scenario.label}-outage-observer`,
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
    // Distinct events: a channel that names a message's event by the message (ADR 0036) publishes
    // a retry as the same event again, which is one message downstream.
    const published = (message: ProviderMessage) =>
      new Set(seen.filter((e) => e.payload.providerMessageId === message.providerMessageId).map((e) => e.id))
        .size;
    await waitFor(() => published(before) > 0 && published(during) > 0, {
      what: 'both messages on the log',
      timeoutMs: 30_000,
    });
    await settle(2_000);
    expect(published(during)).toBeLessThanOrEqual(2);
    expect(published(before)).toBe(1);
    // A broker start, a stop and a restart on one test: well past jest's default minute on a busy machine.
  }, 300_000);
}
