/**
 * `npm run bench:grpc`: the gRPC API in the built standalone process on the real Kafka broker and
 * PostgreSQL, driven by a grpc-js client in this process over one HTTP/2 connection.
 *
 * - Unary at 50 concurrent callers (closed loop, each caller issues its next call when the last
 *   answers), for SECONDS each: the standard `grpc.health.v1.Health/Check` first (baseline: the
 *   same server, connection and callers, no work), then `GetConversation` and `SendMessage` (to
 *   SMS customers, each caller its own, then all to one conversation: durable in history, with its
 *   events in history's outbox, before it answers; Twilio is a loopback).
 * - Events per second through one `EventService.Subscribe` stream: live (published to Kafka while
 *   subscribed: bus → feed → stream) and replay (the same events again from the start: stream only).
 *
 * `npm run bench:grpc -- <seconds> <events>` changes the durations (defaults 5 s, 5,000 events).
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import {
  credentials,
  loadPackageDefinition,
  status,
  type ChannelCredentials,
  type Client,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { createSwitchboardClients, type grpcV1 } from '@switchboard/contracts';
import { KafkaEventBus } from '@switchboard/messaging';
import {
  collectStream,
  createTestDatabase,
  startAppProcess,
  startTwilioApiServer,
  unary,
  workspaceEvent,
} from '@switchboard/testing';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { fmt, formatTable, percentile, useBroker } from './bench.util.js';

const SECONDS = Number(process.argv[2] ?? 5);
const EVENTS = Number(process.argv[3] ?? 5_000);
const CALLERS = 50;
const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');
const OUR_NUMBER = '+14155550100';

type HealthClient = Client & { Check: (...args: unknown[]) => unknown };
interface Outcome {
  readonly calls: number;
  readonly errors: Map<string, number>;
  readonly latencies: number[];
  readonly seconds: number;
}

const broker = await useBroker();
const database = await createTestDatabase('bench_grpc');
const twilio = await startTwilioApiServer({ [ACCOUNT_SID]: AUTH_TOKEN });
const topicPrefix = `bench-grpc-${randomUUID().slice(0, 8)}.`;
const app = await startAppProcess('standalone', {
  DATABASE_URL: database.url,
  KAFKA_BROKERS: broker.brokers,
  KAFKA_TOPIC_PREFIX: topicPrefix,
  TWILIO_API_BASE_URL: twilio.url,
  TWILIO_ACCOUNT_SID: ACCOUNT_SID,
  TWILIO_AUTH_TOKEN: AUTH_TOKEN,
  TWILIO_PHONE_NUMBER: OUR_NUMBER,
  SWITCHBOARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  LOG_LEVEL: 'warn',
});
const rows: string[][] = [['RPC', 'calls/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors']];
const notes: string[] = [];

try {
  await app.waitUntilReady(90_000);
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      'dist/apps/grpc-api/src/api-keys/api-key.cli.js',
      'create',
      '--name',
      'bench',
      '--scope',
      'read-write',
      '--rate',
      '100000',
    ],
    { env: { PATH: process.env.PATH ?? '', DATABASE_URL: database.url } },
  );
  const insecure = credentials.createInsecure();
  const clients = createSwitchboardClients({
    address: app.grpcAddress,
    apiKey: stdout.trim(),
    credentials: insecure,
  });
  // The health client rides the API clients' channel: one connection for every phase.
  const health = loadPackageDefinition(loadSync(healthProtoPath)) as unknown as {
    grpc: {
      health: {
        v1: { Health: new (a: string, c: ChannelCredentials, o: object) => HealthClient };
      };
    };
  };
  const healthClient = new health.grpc.health.v1.Health(app.grpcAddress, insecure, {
    channelOverride: clients.conversations.getChannel(),
  });

  await closedLoop(() => unary(healthClient, 'Check', { service: '' }), 1); // warm-up
  rows.push(
    row(
      'grpc.health.v1.Health/Check (baseline)',
      await closedLoop(() => unary(healthClient, 'Check', { service: '' }), SECONDS),
    ),
  );

  // A customer and a conversation to read and write to, made through the API itself.
  const first = await unary<
    typeof clients.conversations,
    'SendMessage',
    object,
    grpcV1.SendMessageResponse__Output
  >(clients.conversations, 'SendMessage', {
    requestId: randomUUID(),
    identity: { kind: 'IDENTITY_KIND_PHONE', value: '+14155550123' },
    channel: 'CHANNEL_SMS',
    text: 'Welcome',
  }).catch((error: ServiceError) => {
    notes.push(`GetConversation and SendMessage not measured: ${status[error.code]} ${error.details}`);
    return undefined;
  });
  if (first) {
    const conversationId = first.conversationId;
    rows.push(
      row(
        'ConversationService/GetConversation',
        await closedLoop(() => unary(clients.conversations, 'GetConversation', { conversationId }), SECONDS),
      ),
    );
    // Integrators notify many customers at once: each caller writes to its own customer's
    // conversation (one conversation takes its messages in turn; that case is the second row).
    const customers: string[] = [];
    for (let i = 0; i < CALLERS; i++) {
      const welcomed = await unary<
        typeof clients.conversations,
        'SendMessage',
        object,
        grpcV1.SendMessageResponse__Output
      >(clients.conversations, 'SendMessage', {
        requestId: randomUUID(),
        identity: { kind: 'IDENTITY_KIND_PHONE', value: `+1415555${String(1000 + i)}` },
        channel: 'CHANNEL_SMS',
        text: 'Welcome',
      });
      customers.push(welcomed.customerId);
    }
    let next = 0;
    rows.push(
      row(
        `ConversationService/SendMessage (${CALLERS} customers)`,
        await closedLoop(
          () =>
            unary(clients.conversations, 'SendMessage', {
              requestId: randomUUID(),
              customerId: customers[next++ % customers.length],
              channel: 'CHANNEL_SMS',
              text: 'Your order has shipped',
            }),
          SECONDS,
        ),
      ),
    );
    rows.push(
      row(
        'ConversationService/SendMessage (one conversation)',
        await closedLoop(
          () =>
            unary(clients.conversations, 'SendMessage', {
              requestId: randomUUID(),
              customerId: first.customerId,
              channel: 'CHANNEL_SMS',
              text: 'Your order has shipped',
            }),
          SECONDS,
        ),
      ),
    );
  }

  // Events through one stream, in a workspace of their own so only these arrive.
  const workspace = randomUUID();
  const { stdout: eventsKey } = await promisify(execFile)(
    process.execPath,
    [
      'dist/apps/grpc-api/src/api-keys/api-key.cli.js',
      'create',
      '--workspace',
      workspace,
      '--name',
      'bench',
      '--scope',
      'read',
    ],
    { env: { PATH: process.env.PATH ?? '', DATABASE_URL: database.url } },
  );
  const reader = createSwitchboardClients({
    address: app.grpcAddress,
    apiKey: eventsKey.trim(),
    credentials: insecure,
  });
  const bus = new KafkaEventBus({
    brokers: broker.brokers.split(','),
    clientId: 'bench-grpc',
    topicPrefix,
    partitions: 12,
    replicationFactor: 1,
  });
  const events = Array.from({ length: EVENTS }, (_, i) => workspaceEvent(workspace, randomUUID(), i));
  const live = collectStream<grpcV1.Event__Output>(reader.events.Subscribe({}));
  await new Promise((resolve) => setTimeout(resolve, 500));
  const liveStart = performance.now();
  for (let i = 0; i < events.length; i += 500) await bus.emit(events.slice(i, i + 500));
  await until(() => live.items.length >= EVENTS);
  const liveSeconds = (performance.now() - liveStart) / 1000;
  live.cancel();
  const replayStart = performance.now();
  const replay = collectStream<grpcV1.Event__Output>(
    reader.events.Subscribe({ startAt: 'START_AT_EARLIEST' }),
  );
  await until(() => replay.items.length >= EVENTS);
  const replaySeconds = (performance.now() - replayStart) / 1000;
  replay.cancel();
  await bus.close();
  reader.close();
  healthClient.close();
  clients.close();

  process.stdout.write(
    `\nbench:grpc — ${CALLERS} concurrent callers, ${SECONDS} s per RPC, one HTTP/2 connection\n\n`,
  );
  process.stdout.write(`${formatTable(rows)}\n\n`);
  process.stdout.write(
    formatTable([
      ['EventService/Subscribe, one stream', 'events', 'seconds', 'events/s'],
      [
        'live (publish to Kafka → feed → stream)',
        fmt(EVENTS, 0),
        fmt(liveSeconds, 2),
        fmt(EVENTS / liveSeconds, 0),
      ],
      [
        'replay (from the start of the feed)',
        fmt(EVENTS, 0),
        fmt(replaySeconds, 2),
        fmt(EVENTS / replaySeconds, 0),
      ],
    ]) + '\n',
  );
  for (const note of notes) process.stdout.write(`\nnote: ${note}\n`);
  process.stdout.write(
    `\nload average: ${(await import('node:os'))
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
  );
} finally {
  await app.stop('SIGTERM');
  await twilio.close();
  await database.drop();
  await broker.stop();
}

async function closedLoop(call: () => Promise<unknown>, seconds: number): Promise<Outcome> {
  const latencies: number[] = [];
  const errors = new Map<string, number>();
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        try {
          await call();
          latencies.push(performance.now() - t);
        } catch (error) {
          const code = String((error as { code?: number }).code ?? 'error');
          errors.set(code, (errors.get(code) ?? 0) + 1);
        }
      }
    }),
  );
  return {
    calls: latencies.length,
    errors,
    latencies: latencies.sort((a, b) => a - b),
    seconds: (performance.now() - start) / 1000,
  };
}

function row(name: string, o: Outcome): string[] {
  return [
    name,
    fmt(o.calls / o.seconds, 0),
    fmt(percentile(o.latencies, 50)),
    fmt(percentile(o.latencies, 90)),
    fmt(percentile(o.latencies, 99)),
    fmt(o.latencies.at(-1) ?? Number.NaN),
    o.errors.size === 0 ? '0' : [...o.errors].map(([code, n]) => `${n}×${code}`).join(' '),
  ];
}

async function until(done: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the stream');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
