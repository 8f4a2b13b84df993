import type { AddressInfo } from 'node:net';
import { Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  type ServicePort,
  UnavailableError,
} from '@switchboard/contracts';
import {
  createInternalRpcClient,
  defineConfig,
  InternalRpcModule,
  internalRpcVariables,
  PlatformConfigModule,
} from '@switchboard/platform';

/** A small port of the test's own: the transport is what is under test, over real HTTP. */
interface GreeterApi {
  greet(
    workspaceId: string,
    name: string | undefined,
    options?: { shout?: boolean },
  ): Promise<{ text: string }>;
  find(workspaceId: string, id: string): Promise<{ id: string }>;
  fail(kind: string): Promise<void>;
  nothing(): Promise<void>;
}
const GREETER_API = Symbol('GreeterApi');
const greeterPort: ServicePort<GreeterApi> = {
  name: 'greeter',
  token: GREETER_API,
  methods: ['greet', 'find', 'fail', 'nothing'],
};

const calls: unknown[][] = [];
const greeter: GreeterApi & { secret(): Promise<string> } = {
  greet: (workspaceId, name, options) => {
    calls.push([workspaceId, name, options]);
    const text = `hello ${name ?? 'stranger'} from ${workspaceId}`;
    return Promise.resolve({ text: options?.shout ? text.toUpperCase() : text });
  },
  find: (workspaceId, id) => {
    if (workspaceId !== 'w1') return Promise.reject(new NotFoundError(`Thing ${id}`));
    return Promise.resolve({ id });
  },
  fail: (kind) => {
    switch (kind) {
      case 'invalid':
        return Promise.reject(
          new InvalidArgumentError('bad input', [{ field: 'steps.0', description: 'empty' }]),
        );
      case 'precondition':
        return Promise.reject(new FailedPreconditionError('opted out'));
      case 'database':
        return Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
      default:
        return Promise.reject(new Error('a secret stack detail'));
    }
  },
  nothing: () => Promise.resolve(),
  // Not in the port's method list: must not be callable over RPC.
  secret: () => Promise.resolve('the secret'),
};

@Module({ providers: [{ provide: GREETER_API, useValue: greeter }], exports: [GREETER_API] })
class GreeterModule {}

const TOKEN = 'a-test-token-that-is-at-least-32-characters-long';
const RpcTestConfig = defineConfig(internalRpcVariables, 'RpcTestConfig');

async function startServer(token: string | undefined): Promise<{ app: INestApplication; baseUrl: string }> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      PlatformConfigModule.forRoot(RpcTestConfig, { overrides: { INTERNAL_API_TOKEN: token } }),
      InternalRpcModule.serve(greeterPort, [GreeterModule]),
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as import('node:http').Server).address() as AddressInfo;
  return { app, baseUrl: `http://127.0.0.1:${port}` };
}

describe('internal RPC', () => {
  let app: INestApplication;
  let client: GreeterApi;
  let baseUrl: string;

  beforeAll(async () => {
    ({ app, baseUrl } = await startServer(TOKEN));
    client = createInternalRpcClient(greeterPort, { baseUrl, token: TOKEN });
  });
  afterAll(async () => {
    await app.close();
  });

  it('calls the implementation with the arguments as given, undefined ones included', async () => {
    calls.length = 0;
    await expect(client.greet('w1', undefined, { shout: true })).resolves.toEqual({
      text: 'HELLO STRANGER FROM W1',
    });
    await expect(client.greet('w1', 'Ada')).resolves.toEqual({ text: 'hello Ada from w1' });
    expect(calls).toEqual([
      ['w1', undefined, { shout: true }],
      ['w1', 'Ada', undefined],
    ]);
    await expect(client.nothing()).resolves.toBeUndefined();
  });

  it('throws the same ApiError classes across the wire, field violations included', async () => {
    await expect(client.find('w2', 'x')).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.find('w2', 'x')).rejects.toThrow('Thing x not found');
    const invalid = await client.fail('invalid').catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(InvalidArgumentError);
    expect((invalid as InvalidArgumentError).fieldViolations).toEqual([
      { field: 'steps.0', description: 'empty' },
    ]);
    await expect(client.fail('precondition')).rejects.toBeInstanceOf(FailedPreconditionError);
  });

  it('answers a database outage as UNAVAILABLE and hides other errors behind a generic one', async () => {
    await expect(client.fail('database')).rejects.toBeInstanceOf(UnavailableError);
    const other = await client.fail('boom').catch((error: unknown) => error);
    expect(other).toBeInstanceOf(Error);
    expect((other as Error).message).toBe('greeter.fail failed: HTTP 500 internal error');
  });

  it('refuses a wrong or missing token, and methods outside the port', async () => {
    const wrong = createInternalRpcClient(greeterPort, { baseUrl, token: `${TOKEN}x` });
    await expect(wrong.nothing()).rejects.toThrow(/shared service token/);
    const anonymous = await fetch(`${baseUrl}/internal/rpc/greeter/nothing`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ argc: 0, args: {} }),
    });
    expect(anonymous.status).toBe(401);
    const secret = await fetch(`${baseUrl}/internal/rpc/greeter/secret`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ argc: 0, args: {} }),
    });
    expect(secret.status).toBe(404);
    expect(JSON.stringify(await secret.json())).not.toContain('the secret');
  });

  it('refuses malformed bodies with INVALID_ARGUMENT', async () => {
    for (const body of [{ args: {} }, { argc: 1, args: { 3: 'x' } }, { argc: 99, args: {} }, [1, 2]]) {
      const response = await fetch(`${baseUrl}/internal/rpc/greeter/nothing`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
    }
  });

  it('is UnavailableError when the service cannot be reached or is too slow', async () => {
    const unreachable = createInternalRpcClient(greeterPort, { baseUrl: 'http://127.0.0.1:1', token: TOKEN });
    await expect(unreachable.nothing()).rejects.toBeInstanceOf(UnavailableError);
    const impatient = createInternalRpcClient(greeterPort, { baseUrl, token: TOKEN, timeoutMs: 1 });
    const slow = greeter.nothing;
    greeter.nothing = () => new Promise((resolve) => setTimeout(resolve, 200));
    try {
      await expect(impatient.nothing()).rejects.toThrow(/timed out/);
    } finally {
      greeter.nothing = slow;
    }
  });

  it('serves nothing when no token is configured', async () => {
    const unconfigured = await startServer(undefined);
    try {
      const anyToken = createInternalRpcClient(greeterPort, { baseUrl: unconfigured.baseUrl, token: TOKEN });
      await expect(anyToken.nothing()).rejects.toThrow(/shared service token/);
    } finally {
      await unconfigured.app.close();
    }
  });
});
