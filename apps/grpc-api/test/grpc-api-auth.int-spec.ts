import {
  credentials,
  Metadata,
  status,
  type ChannelCredentials,
  type Client,
  type ClientDuplexStream,
} from '@grpc/grpc-js';
import { fileURLToPath } from 'node:url';
import { loadSwitchboardPackageDefinition, type SwitchboardClients } from '@switchboard/contracts';
import { localSwitchboardClients, rpcFailure, unary, unreachablePorts } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { startGrpcApiTestApp, type GrpcApiTestApp } from './grpc-api-test-app.js';

/**
 * Every call's way in, on the real PostgreSQL and Kafka with a real grpc-js client: API keys
 * (UNAUTHENTICATED), scopes (PERMISSION_DENIED), rate limits (RESOURCE_EXHAUSTED), deadlines,
 * INVALID_ARGUMENT with google.rpc.BadRequest details, and the standard health and reflection
 * services. History and routing are unreachable here: their RPCs answer UNAVAILABLE, which is tested too.
 */
describe('gRPC API: keys, scopes, limits, health and reflection', () => {
  let api: GrpcApiTestApp;
  const workspace = randomUUID();
  let readKey: string;
  let writeKey: string;
  const open: SwitchboardClients[] = [];
  const clients = (key: string) => {
    const c = localSwitchboardClients(api.port, key);
    open.push(c);
    return c;
  };

  beforeAll(async () => {
    api = await startGrpcApiTestApp('grpc_auth', { providers: unreachablePorts() });
    readKey = (
      await api.keys.createApiKey(workspace, { name: 'reporting', scope: 'read', createdBy: 'test' })
    ).key;
    writeKey = (
      await api.keys.createApiKey(workspace, { name: 'crm', scope: 'read-write', createdBy: 'test' })
    ).key;
  });

  afterAll(async () => {
    for (const c of open) c.close();
    await api?.close();
  });

  it('stores only a SHA-256 of each key, never the key', async () => {
    const db = new pg.Client({ connectionString: api.database.url });
    await db.connect();
    try {
      const rows = await db.query<{ key_hash: Buffer; key_prefix: string }>(
        'SELECT key_hash, key_prefix FROM api.api_keys WHERE workspace_id = $1',
        [workspace],
      );
      expect(rows.rows).toHaveLength(2);
      const dump = JSON.stringify(rows.rows) + rows.rows.map((r) => r.key_hash.toString('latin1')).join('');
      expect(dump).not.toContain(readKey.slice(4));
      expect(rows.rows.every((r) => r.key_hash.length === 32)).toBe(true);
      expect(rows.rows.map((r) => r.key_prefix).sort()).toEqual(
        [readKey.slice(0, 12), writeKey.slice(0, 12)].sort(),
      );
    } finally {
      await db.end();
    }
  });

  it('answers UNAUTHENTICATED without a key, with a malformed, unknown or revoked key', async () => {
    const conversationId = randomUUID();
    const bare = await rpcFailure(unaryWithoutAuth(api.port, conversationId));
    expect(bare.codeName).toBe('UNAUTHENTICATED');
    expect(bare.details).toMatch(/authorization: Bearer/);

    for (const key of ['not-a-key', `sbk_${'A'.repeat(43)}`]) {
      const failure = await rpcFailure(
        unary(clients(key).conversations, 'GetConversation', { conversationId }),
      );
      expect(failure.codeName).toBe('UNAUTHENTICATED');
    }
    const revocable = await api.keys.createApiKey(workspace, {
      name: 'old',
      scope: 'read',
      createdBy: 'test',
    });
    const c = clients(revocable.key);
    expect((await rpcFailure(unary(c.conversations, 'GetConversation', { conversationId }))).codeName).toBe(
      'UNAVAILABLE',
    );
    await api.keys.revokeApiKey(workspace, revocable.apiKey.id);
    const revoked = await rpcFailure(unary(c.conversations, 'GetConversation', { conversationId }));
    expect(revoked.codeName).toBe('UNAUTHENTICATED');
    // Another workspace cannot revoke (or even see) the key.
    await expect(api.keys.revokeApiKey(randomUUID(), revocable.apiKey.id)).rejects.toThrow(/not found/);
  });

  it('answers PERMISSION_DENIED to a read key calling a write RPC, before looking at the request', async () => {
    const failure = await rpcFailure(
      unary(clients(readKey).conversations, 'SendMessage', {
        requestId: 'r1',
        customerId: randomUUID(),
        text: 'hi',
      }),
    );
    expect(failure.codeName).toBe('PERMISSION_DENIED');
    const agents = await rpcFailure(
      unary(clients(readKey).agents, 'SetPresence', { agentId: 'a', presence: 'PRESENCE_AWAY' }),
    );
    expect(agents.codeName).toBe('PERMISSION_DENIED');
  });

  it('answers INVALID_ARGUMENT with one google.rpc.BadRequest field violation per problem', async () => {
    const c = clients(writeKey);
    const failure = await rpcFailure(
      unary(c.conversations, 'SendMessage', {
        requestId: '',
        identity: { kind: 'IDENTITY_KIND_UNSPECIFIED', value: '' },
        text: '',
      }),
    );
    expect(failure.codeName).toBe('INVALID_ARGUMENT');
    expect(failure.status?.code).toBe(status.INVALID_ARGUMENT);
    expect(failure.status?.fieldViolations.map((v) => v.field).sort()).toEqual(
      ['identity.kind', 'identity.value', 'request_id', 'text'].sort(),
    );
    expect(failure.details).toContain('request_id: is required');

    const queue = await rpcFailure(
      unary(c.queues, 'CreateQueue', {
        queue: { name: 'Billing', steps: [{ expression: 'billing >= 4' }, { expression: '' }] },
      }),
    );
    expect(queue.status?.fieldViolations).toEqual([
      {
        field: 'queue.steps[0].expires_after_seconds',
        description: 'is required on every step but the last',
      },
      { field: 'queue.steps[1].expression', description: 'is required' },
    ]);
    const uuid = await rpcFailure(unary(c.customers, 'GetCustomer', { customerId: 'nope' }));
    expect(uuid.status?.fieldViolations).toEqual([{ field: 'customer_id', description: 'must be a UUID' }]);
  });

  it('answers UNAVAILABLE where history or routing is not reachable from the process', async () => {
    const failure = await rpcFailure(unary(clients(readKey).agents, 'ListAgents', {}));
    expect(failure.codeName).toBe('UNAVAILABLE');
    expect(failure.details).toMatch(/routing service/);
  });

  it('limits each key to its rate with RESOURCE_EXHAUSTED and a RetryInfo', async () => {
    const limited = await api.keys.createApiKey(workspace, {
      name: 'slow',
      scope: 'read',
      createdBy: 'test',
      rateLimitPerSecond: 2,
    });
    const c = clients(limited.key);
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) {
      codes.push((await rpcFailure(unary(c.customers, 'GetCustomer', { customerId: 'x' }))).codeName);
    }
    // A burst of twice the rate passes (to validation), then the limit bites.
    expect(codes.slice(0, 4)).toEqual(Array(4).fill('INVALID_ARGUMENT'));
    const exhausted = await rpcFailure(unary(c.customers, 'GetCustomer', { customerId: 'x' }));
    expect(exhausted.codeName).toBe('RESOURCE_EXHAUSTED');
    expect(exhausted.status?.retryDelayMs).toBeGreaterThan(0);
    // Another key of the same workspace is not affected.
    expect(
      (await rpcFailure(unary(clients(readKey).customers, 'GetCustomer', { customerId: 'x' }))).codeName,
    ).toBe('INVALID_ARGUMENT');
  });

  it('honours deadlines: a call whose deadline has passed does no work and fails DEADLINE_EXCEEDED', async () => {
    const failure = await rpcFailure(
      unary(
        clients(readKey).customers,
        'GetCustomer',
        { customerId: randomUUID() },
        { deadline: Date.now() - 1 },
      ),
    );
    expect(failure.codeName).toBe('DEADLINE_EXCEEDED');
  });

  it('serves grpc.health.v1 (SERVING once ready) and server reflection', async () => {
    const address = `127.0.0.1:${api.port}`;
    const health = loadPackageDefinition(loadSync(healthProtoPath, { enums: String })) as unknown as {
      grpc: { health: { v1: { Health: new (address: string, creds: ChannelCredentials) => HealthClient } } };
    };
    const healthClient = new health.grpc.health.v1.Health(address, credentials.createInsecure());
    try {
      for (const service of ['', 'switchboard.v1.ConversationService', 'switchboard.v1.EventService']) {
        const response = await unary<HealthClient, 'Check', object, { status: string }>(
          healthClient,
          'Check',
          {
            service,
          },
        );
        expect(response.status).toBe('SERVING');
      }
    } finally {
      healthClient.close();
    }

    const reflectionProto = loadPackageDefinition(
      loadSync('grpc/reflection/v1/reflection.proto', {
        includeDirs: [
          fileURLToPath(new URL('../../../node_modules/@grpc/reflection/build/proto', import.meta.url)),
        ],
      }),
    ) as unknown as {
      grpc: {
        reflection: {
          v1: { ServerReflection: new (address: string, creds: ChannelCredentials) => ReflectionClient };
        };
      };
    };
    const reflection = new reflectionProto.grpc.reflection.v1.ServerReflection(
      address,
      credentials.createInsecure(),
    );
    try {
      const services = await new Promise<string[]>((resolve, reject) => {
        const call = reflection.ServerReflectionInfo();
        call.on('data', (response: { listServicesResponse: { service: { name: string }[] } }) => {
          resolve(response.listServicesResponse.service.map((s) => s.name));
          call.end();
        });
        call.on('error', reject);
        call.write({ listServices: '' });
      });
      expect(services).toEqual(
        expect.arrayContaining([
          'switchboard.v1.ConversationService',
          'switchboard.v1.CustomerService',
          'switchboard.v1.AgentService',
          'switchboard.v1.QueueService',
          'switchboard.v1.EventService',
          'switchboard.v1.KnowledgeBaseService',
          'switchboard.v1.BotService',
          'grpc.health.v1.Health',
        ]),
      );
    } finally {
      reflection.close();
    }
  });
});

type HealthClient = Client & { Check: (...args: unknown[]) => unknown };
type ReflectionClient = Client & { ServerReflectionInfo(): ClientDuplexStream<object, unknown> };
type ConversationClient = Client & { GetConversation: (...args: unknown[]) => unknown };

/** A GetConversation with no `authorization` metadata at all. */
async function unaryWithoutAuth(port: number, conversationId: string): Promise<unknown> {
  const proto = loadPackageDefinition(loadSwitchboardPackageDefinition()) as unknown as {
    switchboard: {
      v1: { ConversationService: new (address: string, creds: ChannelCredentials) => ConversationClient };
    };
  };
  const client = new proto.switchboard.v1.ConversationService(
    `127.0.0.1:${port}`,
    credentials.createInsecure(),
  );
  try {
    return await unary<ConversationClient, 'GetConversation', object, unknown>(
      client,
      'GetConversation',
      { conversationId },
      { metadata: new Metadata() },
    );
  } finally {
    client.close();
  }
}
