import { Module, type INestApplication } from '@nestjs/common';
import { ClientTCP } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import {
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  type ServicePort,
  UnavailableError,
} from '@switchboard/contracts';
import {
  configureLogging,
  createInternalRpcClient,
  defineConfig,
  DependencyUnavailableError,
  type InternalRpcClient,
  InternalRpcModule,
  internalRpcVariables,
  listenInternalRpc,
  PlatformConfigModule,
} from '@switchboard/platform';
import { firstValueFrom } from 'rxjs';

/** A small port of the test's own: the transport is what is under test, over real TCP. */
interface GreeterApi {
  greet(
    workspaceId: string,
    name: string | undefined,
    options?: { shout?: boolean },
  ): Promise<{ text: string }>;
  find(workspaceId: string, id: string): Promise<{ id: string } | null>;
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
let secretCalls = 0;
const greeter: GreeterApi & { secret(): Promise<string> } = {
  greet: (workspaceId, name, options) => {
    calls.push([workspaceId, name, options]);
    const text = `hello ${name ?? 'stranger'} from ${workspaceId}`;
    return Promise.resolve({ text: options?.shout ? text.toUpperCase() : text });
  },
  find: (workspaceId, id) => {
    if (workspaceId === 'w0') return Promise.resolve(null);
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
      case 'event-log':
        return Promise.reject(new DependencyUnavailableError('rpc-spec-event-log', 'the broker is down'));
      default:
        return Promise.reject(new Error('a secret stack detail'));
    }
  },
  nothing: () => Promise.resolve(),
  // Not in the port's method list: must not be callable over RPC.
  secret: () => {
    secretCalls += 1;
    return Promise.resolve('the secret');
  },
};

@Module({ providers: [{ provide: GREETER_API, useValue: greeter }], exports: [GREETER_API] })
class GreeterModule {}

const TOKEN = 'a-test-token-that-is-at-least-32-characters-long';
const RpcTestConfig = defineConfig(internalRpcVariables, 'RpcTestConfig');

/** The greeter served as an app alone serves its port: Nest app, TCP transport beside it. */
async function startServer(
  token: string | undefined,
  port = 0,
): Promise<{ app: INestApplication; url: string; port: number }> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      PlatformConfigModule.forRoot(RpcTestConfig, { overrides: { INTERNAL_API_TOKEN: token } }),
      InternalRpcModule.serve(greeterPort, [GreeterModule]),
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  const url = await listenInternalRpc(app, { port });
  await app.init();
  if (url === undefined) throw new Error('the greeter app serves no internal RPC');
  return { app, url, port: Number(new URL(url).port) };
}

/** A raw client of the library, to send what the typed client never would. */
async function rawSend(port: number, pattern: object, payload: unknown): Promise<unknown> {
  const raw = new ClientTCP({ host: '127.0.0.1', port });
  try {
    return await firstValueFrom(raw.send(pattern, payload)).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
  } finally {
    raw.close();
  }
}

const lines: Record<string, unknown>[] = [];

describe('internal RPC over @nestjs/microservices TCP', () => {
  let server: { app: INestApplication; url: string; port: number };
  let client: InternalRpcClient<GreeterApi>;
  let api: GreeterApi;

  beforeAll(async () => {
    configureLogging({
      level: 'info',
      destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    server = await startServer(TOKEN);
    client = createInternalRpcClient(greeterPort, { url: server.url, token: TOKEN });
    api = client.api;
  });
  afterAll(async () => {
    client.close();
    await server.app.close();
    configureLogging({ destination: undefined });
  });

  it('calls the implementation with the arguments as given, undefined ones included', async () => {
    calls.length = 0;
    await expect(api.greet('w1', undefined, { shout: true })).resolves.toEqual({
      text: 'HELLO STRANGER FROM W1',
    });
    await expect(api.greet('w1', 'Ada')).resolves.toEqual({ text: 'hello Ada from w1' });
    expect(calls).toEqual([
      ['w1', undefined, { shout: true }],
      ['w1', 'Ada', undefined],
    ]);
    await expect(api.nothing()).resolves.toBeUndefined();
    await expect(api.find('w0', 'x')).resolves.toBeNull();
    await expect(api.find('w1', 'x')).resolves.toEqual({ id: 'x' });
  });

  it('throws the same ApiError classes across the wire, field violations included', async () => {
    await expect(api.find('w2', 'x')).rejects.toBeInstanceOf(NotFoundError);
    await expect(api.find('w2', 'x')).rejects.toThrow('Thing x not found');
    const invalid = await api.fail('invalid').catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(InvalidArgumentError);
    expect((invalid as InvalidArgumentError).fieldViolations).toEqual([
      { field: 'steps.0', description: 'empty' },
    ]);
    await expect(api.fail('precondition')).rejects.toBeInstanceOf(FailedPreconditionError);
  });

  it('answers a dependency down as UNAVAILABLE, logged once per outage, and hides other errors', async () => {
    await expect(api.fail('database')).rejects.toBeInstanceOf(UnavailableError);
    for (let i = 0; i < 5; i++) {
      const down = await api.fail('event-log').catch((error: unknown) => error);
      expect(down).toBeInstanceOf(UnavailableError);
      expect((down as Error).message).toBe('greeter: rpc-spec-event-log is unavailable; retry');
    }
    expect(lines.filter((line) => line.dependency === 'rpc-spec-event-log')).toEqual([
      expect.objectContaining({
        level: 'error',
        msg: expect.stringMatching(/^rpc-spec-event-log unavailable/),
      }),
    ]);
    const other = await api.fail('boom').catch((error: unknown) => error);
    expect(other).toBeInstanceOf(Error);
    expect(other).not.toBeInstanceOf(UnavailableError);
    expect((other as Error).message).toBe('greeter.fail failed: internal error');
    expect(JSON.stringify(other)).not.toContain('secret stack');
  });

  it('refuses a wrong or missing token, methods outside the port and malformed payloads', async () => {
    const wrong = createInternalRpcClient(greeterPort, { url: server.url, token: `${TOKEN}x` });
    try {
      await expect(wrong.api.nothing()).rejects.toBeInstanceOf(PermissionDeniedError);
      await expect(wrong.api.nothing()).rejects.toThrow(/shared service token/);
    } finally {
      wrong.close();
    }
    const nothing = { port: 'greeter', method: 'nothing' };
    expect(await rawSend(server.port, nothing, { argc: 0, args: {} })).toEqual({
      error: expect.objectContaining({ code: 'PERMISSION_DENIED' }),
    });
    const secret = await rawSend(
      server.port,
      { port: 'greeter', method: 'secret' },
      { token: TOKEN, argc: 0, args: {} },
    );
    expect(secret).toEqual({ error: expect.stringMatching(/no matching message handler/) });
    expect(secretCalls).toBe(0);
    for (const payload of [
      { args: {} },
      { argc: 1, args: { 3: 'x' } },
      { argc: 99, args: {} },
      { argc: 0, args: [1] },
    ]) {
      expect(await rawSend(server.port, nothing, { token: TOKEN, ...payload })).toEqual({
        error: expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      });
    }
  });

  it('is UnavailableError when the service cannot be reached, logged once for the outage', async () => {
    const before = lines.length;
    const refused = await startServer(TOKEN);
    await refused.app.close();
    const unreachable = createInternalRpcClient(greeterPort, { url: refused.url, token: TOKEN });
    try {
      for (let i = 0; i < 5; i++) {
        const error = await unreachable.api.nothing().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UnavailableError);
        expect((error as Error).message).toBe('greeter is unreachable (ECONNREFUSED)');
      }
    } finally {
      unreachable.close();
    }
    const outage = lines.slice(before).filter((line) => line.dependency === 'greeter');
    expect(outage).toEqual([
      expect.objectContaining({
        level: 'error',
        msg: 'greeter unavailable: requests that need it are answered 503 until it is back',
      }),
    ]);
    expect(JSON.stringify(lines.slice(before))).not.toContain('"stack"');
  });

  it('is UnavailableError when the answer is later than the deadline, and the next call goes through', async () => {
    const impatient = createInternalRpcClient(greeterPort, { url: server.url, token: TOKEN, timeoutMs: 50 });
    const slow = greeter.nothing;
    greeter.nothing = () => new Promise((resolve) => setTimeout(resolve, 300));
    try {
      const started = Date.now();
      await expect(impatient.api.nothing()).rejects.toThrow('greeter.nothing timed out after 50 ms');
      expect(Date.now() - started).toBeLessThan(400);
      greeter.nothing = slow;
      await expect(impatient.api.greet('w1', 'again')).resolves.toEqual({ text: 'hello again from w1' });
    } finally {
      greeter.nothing = slow;
      impatient.close();
    }
  });

  it('reconnects once the serving app is back after a restart', async () => {
    const restartable = await startServer(TOKEN);
    const caller = createInternalRpcClient(greeterPort, { url: restartable.url, token: TOKEN });
    try {
      await expect(caller.api.greet('w1', 'before')).resolves.toEqual({ text: 'hello before from w1' });
      // A call in flight when the server goes away fails as unavailable, not forever pending.
      const slow = greeter.nothing;
      greeter.nothing = () => new Promise((resolve) => setTimeout(resolve, 300));
      const inFlight = caller.api.nothing().catch((error: unknown) => error);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await restartable.app.close();
      greeter.nothing = slow;
      expect(await inFlight).toBeInstanceOf(UnavailableError);
      await expect(caller.api.greet('w1', 'down')).rejects.toBeInstanceOf(UnavailableError);

      const again = await startServer(TOKEN, restartable.port);
      try {
        await expect(caller.api.greet('w1', 'after')).resolves.toEqual({ text: 'hello after from w1' });
      } finally {
        await again.app.close();
      }
    } finally {
      caller.close();
    }
  });

  it('serves nothing when no token is configured', async () => {
    const unconfigured = await startServer(undefined);
    const anyToken = createInternalRpcClient(greeterPort, { url: unconfigured.url, token: TOKEN });
    try {
      await expect(anyToken.api.nothing()).rejects.toThrow(/shared service token/);
    } finally {
      anyToken.close();
      await unconfigured.app.close();
    }
  });

  it('listens on no port in an app that serves none', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [GreeterModule] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    try {
      await expect(listenInternalRpc(app)).resolves.toBeUndefined();
    } finally {
      await app.close();
    }
  });

  it('refuses URLs other than tcp://host:port', () => {
    for (const url of ['http://history:3000', 'tcp://history', 'tcp://history:3001/x', 'history:3001']) {
      expect(() => createInternalRpcClient(greeterPort, { url, token: TOKEN })).toThrow(/tcp:\/\/host:port/);
    }
  });
});
