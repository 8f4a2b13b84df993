import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { credentials, type ChannelCredentials, type Client, loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import {
  createSwitchboardClients,
  type grpcV1,
  historyApiPort,
  InvalidArgumentError,
  PermissionDeniedError,
} from '@switchboard/contracts';
import { createInternalRpcClient } from '@switchboard/platform';
import { KafkaEventBus } from '@switchboard/messaging';
import {
  type AppProcess,
  type TestDatabase,
  collectStream,
  createTestDatabase,
  rpcFailure,
  startAppProcess,
  testRunId,
  unary,
  waitFor,
  workspaceEvent,
} from '@switchboard/testing';
import { protoPath as healthProtoPath } from 'grpc-health-check';

const execFileAsync = promisify(execFile);
const INTERNAL_TOKEN = randomUUID() + randomUUID();
type HealthClient = Client & { Check: (...args: unknown[]) => unknown };

/**
 * `npm run start:grpc-api`: the built app alone in its own process on Kafka and PostgreSQL, with
 * history alone in another, reached over internal RPC (TCP, ADR 0004). A key made with the CLI opens the
 * event stream; a read goes through to history (its NOT_FOUND comes back as gRPC's); routing, not
 * running, is UNAVAILABLE; events published to the bus arrive; SIGTERM ends the stream with
 * UNAVAILABLE (resume by cursor) and the process exits cleanly.
 */
describe('grpc-api alone', () => {
  const topicPrefix = `${testRunId()}.grpc-alone-${randomUUID().slice(0, 8)}.`;
  let database: TestDatabase;
  let app: AppProcess;
  let history: AppProcess;
  let bus: KafkaEventBus;

  beforeAll(async () => {
    database = await createTestDatabase('grpc_alone');
    const common = {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '',
      KAFKA_TOPIC_PREFIX: topicPrefix,
      KAFKA_PARTITIONS: '2',
      INTERNAL_API_TOKEN: INTERNAL_TOKEN,
    };
    history = await startAppProcess('history', common);
    await history.waitUntilReady(60_000);
    app = await startAppProcess('grpc-api', {
      ...common,
      HISTORY_API_URL: history.rpcUrl,
      // Nothing listens there: routing's RPCs must answer UNAVAILABLE, not hang or crash.
      ROUTING_API_URL: 'tcp://127.0.0.1:9',
    });
    await app.waitUntilReady(60_000);
    bus = new KafkaEventBus({
      brokers: (process.env.KAFKA_BROKERS ?? '').split(','),
      clientId: 'grpc-alone-test',
      topicPrefix,
      partitions: 2,
      replicationFactor: 1,
    });
  }, 120_000);

  afterAll(async () => {
    await app?.stop('SIGKILL');
    await history?.stop('SIGTERM');
    await bus?.close();
    await database?.drop();
  });

  it('serves health, keys from the CLI, and the event stream until SIGTERM', async () => {
    const health = loadPackageDefinition(loadSync(healthProtoPath, { enums: String })) as unknown as {
      grpc: { health: { v1: { Health: new (address: string, creds: ChannelCredentials) => HealthClient } } };
    };
    const healthClient = new health.grpc.health.v1.Health(app.grpcAddress, credentials.createInsecure());
    try {
      await waitFor(
        async () =>
          (
            await unary<HealthClient, 'Check', object, { status: string }>(healthClient, 'Check', {
              service: '',
            })
          ).status === 'SERVING',
        { what: 'grpc.health.v1 SERVING' },
      );
    } finally {
      healthClient.close();
    }

    const workspace = randomUUID();
    const { stdout, stderr } = await execFileAsync(
      process.execPath,
      [
        'dist/apps/grpc-api/src/api-keys/api-key.cli.js',
        'create',
        '--workspace',
        workspace,
        '--name',
        'BI',
        '--scope',
        'read',
      ],
      { env: { PATH: process.env.PATH ?? '', DATABASE_URL: database.url } },
    );
    const key = stdout.trim();
    expect(key).toMatch(/^sbk_[A-Za-z0-9_-]{43}$/);
    expect(stderr).toMatch(/printed once/);
    expect(stderr).not.toContain(key);

    const clients = createSwitchboardClients({
      address: app.grpcAddress,
      apiKey: key,
      credentials: credentials.createInsecure(),
    });
    try {
      expect(
        (await rpcFailure(unary(clients.conversations, 'SendMessage', { requestId: 'r' }))).codeName,
      ).toBe('PERMISSION_DENIED');
      expect(
        (await rpcFailure(unary(clients.conversations, 'GetConversation', { conversationId: randomUUID() })))
          .codeName,
      ).toBe('NOT_FOUND');
      expect((await rpcFailure(unary(clients.agents, 'ListAgents', {}))).codeName).toBe('UNAVAILABLE');
      const stream = collectStream<grpcV1.Event__Output>(
        clients.events.Subscribe({ startAt: 'START_AT_EARLIEST' }),
      );
      const events = Array.from({ length: 6 }, (_, i) => workspaceEvent(workspace, randomUUID(), i));
      await bus.emit(events);
      await waitFor(() => stream.items.length === 6, { what: 'the events on the stream', timeoutMs: 30_000 });
      expect(stream.items.map((e) => e.id).sort()).toEqual(events.map((e) => e.id).sort());

      expect(await app.stop('SIGTERM')).toBe(0);
      const ended = await stream.ended;
      expect(ended?.code).toBe(14);
      expect(ended?.details).toMatch(/resubscribe with your last cursor/);
    } finally {
      clients.close();
    }
  });

  it('history alone refuses a malformed query over internal RPC, naming the field', async () => {
    const historyClient = createInternalRpcClient(historyApiPort, {
      url: history.rpcUrl,
      token: INTERNAL_TOKEN,
    });
    const stranger = createInternalRpcClient(historyApiPort, { url: history.rpcUrl, token: 'x'.repeat(64) });
    try {
      const historyApi = historyClient.api;
      // JSON that does not match the port's types, as a buggy or hostile caller would send.
      const untyped = <T>(value: unknown) => value as T;
      const error = await historyApi.listConversations(randomUUID(), untyped({ pageSize: 'ten' })).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).fieldViolations.map((v) => v.field)).toEqual(['pageSize']);
      // A wrong token is refused before anything is read.
      await expect(stranger.api.listConversations(randomUUID(), {})).rejects.toBeInstanceOf(
        PermissionDeniedError,
      );
      expect((await historyApi.listConversations(randomUUID(), {})).items).toEqual([]);
    } finally {
      historyClient.close();
      stranger.close();
    }
  });
});
