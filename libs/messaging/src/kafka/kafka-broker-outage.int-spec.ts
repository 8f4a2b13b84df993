import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InboundMessageReceivedV1, Topics } from '@switchboard/contracts';
import { freeStablePort, inboundMessageEvent, settle, waitFor } from '@switchboard/testing';
// deploy/ holds plain-JS scripts outside the @switchboard/* aliases.
// eslint-disable-next-line no-restricted-imports
import { type RunningBroker, startBroker } from '../../../../deploy/local/kafka/kafka-broker.mjs';
import type { BusLogger } from '../bus-logger.js';
import { EventBusUnavailableError } from '../event-bus.js';
import { KafkaEventBus, type KafkaEventBusOptions } from './kafka-event-bus.js';
import { PlatformaticKafkaEventBus } from './platformatic-kafka-event-bus.js';

interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly msg: string;
  readonly obj: object;
}

function recordingLogger(lines: LogLine[]): BusLogger {
  const at =
    (level: LogLine['level']) =>
    (obj: object, msg = '') =>
      void lines.push({ level, msg, obj });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** How long a publish takes to settle, and how. */
async function timedPublish(bus: KafkaEventBus): Promise<{ ms: number; error: unknown }> {
  const started = Date.now();
  const error = await bus
    .emit(inboundMessageEvent())
    .then(() => undefined)
    .catch((e: unknown) => e);
  return { ms: Date.now() - started, error };
}

/**
 * The broker of the test's own, stopped and started again on the same port and data: what a
 * publisher and a consumer see while it is away, and how soon after its return they work again.
 */
const adapters: [string, (options: KafkaEventBusOptions) => KafkaEventBus][] = [
  ['kafkajs', (options) => new KafkaEventBus(options)],
  ['@platformatic/kafka', (options) => new PlatformaticKafkaEventBus(options)],
];

describe.each(adapters)('the Kafka event bus (%s) across a broker outage', (_name, openBus) => {
  let dataDir: string;
  let port: number;
  let broker: RunningBroker | undefined;
  let bus: KafkaEventBus;
  const lines: LogLine[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'switchboard-bus-outage-'));
    // The broker restarts on it: none from the ephemeral range (see freeStablePort).
    port = await freeStablePort();
    broker = await startBroker({ dataDir, port });
    bus = openBus({
      brokers: [broker.brokers],
      clientId: 'outage-test',
      topicPrefix: `outage-${randomUUID().slice(0, 8)}.`,
      partitions: 1,
      replicationFactor: 1,
      logger: recordingLogger(lines),
    });
  }, 120_000);

  afterAll(async () => {
    await bus?.close();
    await broker?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  async function restartBroker(outageMs: number): Promise<void> {
    await broker!.stop();
    broker = undefined;
    await settle(outageMs);
    broker = await startBroker({ dataDir, port });
  }

  it('fails a publish it cannot make durable within 5 s, one queued behind it too', async () => {
    // A fresh broker's coordinator may still be loading: the first publish can fail.
    await waitFor(async () => (await timedPublish(bus)).error === undefined, {
      what: 'a publish acknowledged while Kafka is up',
      intervalMs: 500,
      timeoutMs: 60_000,
    });
    await broker!.stop();
    broker = undefined;

    try {
      const first = timedPublish(bus);
      await settle(2_000);
      // Same key, same lane: it waits behind the first one's produce request.
      const second = timedPublish(bus);
      const outcomes = await Promise.all([first, second]);
      process.stdout.write(`publishes failed after ${outcomes.map((o) => o.ms).join(' and ')} ms\n`);
      for (const { error } of outcomes) expect(error).toBeInstanceOf(EventBusUnavailableError);
      // Twilio waits 15 s for the webhook; the publish gets at most a third of it.
      for (const { ms } of outcomes) expect(ms).toBeLessThan(5_500);
    } finally {
      broker = await startBroker({ dataDir, port });
    }
  }, 180_000);

  it('resumes delivery within about a second of the broker’s return, with no error logged', async () => {
    const seen: string[] = [];
    const handle = await bus.subscribe({
      groupId: 'resumes',
      topics: [Topics.inbound],
      accepts: [InboundMessageReceivedV1],
      handleBatch: (batch) => Promise.resolve(void seen.push(...batch.map((c) => c.event.id))),
    });
    const before = inboundMessageEvent();
    await waitFor(
      async () =>
        (await bus.emit(before).then(
          () => true,
          () => false,
        )) || null,
      { what: 'a publish before the outage', intervalMs: 500, timeoutMs: 60_000 },
    );
    await waitFor(() => seen.includes(before.id), { what: 'delivery before the outage', timeoutMs: 60_000 });
    const linesBefore = lines.length;

    // Long enough for kafkajs to give up on the broker (it retries for about ten seconds).
    await restartBroker(25_000);

    const after = inboundMessageEvent();
    await waitFor(
      async () =>
        (await bus.emit(after).then(
          () => true,
          () => false,
        )) || null,
      { what: 'a publish after the outage', intervalMs: 250, timeoutMs: 60_000 },
    );
    const published = Date.now();
    await waitFor(() => seen.includes(after.id), {
      what: 'delivery after the outage',
      timeoutMs: 60_000,
      intervalMs: 20,
    });
    const resumedMs = Date.now() - published;
    process.stdout.write(`delivery resumed ${resumedMs} ms after the first publish the broker took back\n`);
    // Today's kafkajs restart waited ~10 s, then the group held the new member ~30 s more.
    expect(resumedMs).toBeLessThan(3_000);

    // An outage is warnings (the bus reports it by failing publishes and readiness), not errors.
    const errors = lines.slice(linesBefore).filter((l) => l.level === 'error');
    expect(errors).toEqual([]);
    await handle.stop();
  }, 240_000);
});
