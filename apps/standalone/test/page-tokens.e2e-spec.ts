import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { credentials } from '@grpc/grpc-js';
import { createSwitchboardClients, type SwitchboardClients } from '@switchboard/contracts';
import {
  type AppProcess,
  type TestDatabase,
  createTestDatabase,
  rpcFailure,
  startAppProcess,
  unary,
} from '@switchboard/testing';

const execFileAsync = promisify(execFile);
const token = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');

/**
 * Crafted page tokens at the edges the standalone serves (the inbox's HTTP API and the gRPC API):
 * a token that does not decode to a position is 400 / INVALID_ARGUMENT, and no log line carries
 * the SQL it would have run or that SQL's parameters.
 */
describe('standalone: crafted page tokens', () => {
  let database: TestDatabase;
  let app: AppProcess;
  let clients: SwitchboardClients;
  let cookie: string;
  const crafted = [
    token(['not a time', 'not a uuid']),
    token(['2026-02-31 00:00:00+00', randomUUID()]),
    token(['2026-12-05 10:00:00+00', "x' OR 1=1 --"]),
    'bm90IGpzb24',
  ];

  beforeAll(async () => {
    database = await createTestDatabase('standalone_page_tokens');
    app = await startAppProcess('standalone', {
      DATABASE_URL: database.url,
      SWITCHBOARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ADMIN_EMAIL: 'owner@example.test',
      ADMIN_PASSWORD: 'correct horse battery',
    });
    await app.waitUntilReady(90_000);
    const key = (
      await execFileAsync(
        process.execPath,
        ['dist/apps/grpc-api/src/api-keys/api-key.cli.js', 'create', '--name', 'crm', '--scope', 'read'],
        { env: { PATH: process.env.PATH ?? '', DATABASE_URL: database.url } },
      )
    ).stdout.trim();
    clients = createSwitchboardClients({
      address: app.grpcAddress,
      apiKey: key,
      credentials: credentials.createInsecure(),
    });
    const login = await fetch(`${app.url}/api/inbox/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: app.url },
      body: JSON.stringify({ email: 'owner@example.test', password: 'correct horse battery' }),
    });
    expect(login.status).toBe(200);
    cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
  }, 150_000);

  afterAll(async () => {
    clients?.close();
    await app?.stop('SIGTERM');
    await database?.drop();
  });

  it('answers 400 over the inbox API', async () => {
    for (const pageToken of crafted) {
      for (const path of [
        `/api/inbox/conversations?view=all&pageToken=${pageToken}`,
        `/api/inbox/customers/${randomUUID()}/timeline?pageToken=${pageToken}`,
      ]) {
        const response = await fetch(`${app.url}${path}`, { headers: { cookie } });
        expect({ path, status: response.status }).toEqual({ path, status: 400 });
        const body = (await response.json()) as { error: { code: string } };
        expect(body.error.code).toBe('INVALID_ARGUMENT');
      }
    }
  });

  it('answers INVALID_ARGUMENT over gRPC, naming page_token', async () => {
    for (const pageToken of crafted) {
      const failures = [
        await rpcFailure(unary(clients.conversations, 'ListConversations', { pageToken })),
        await rpcFailure(unary(clients.customers, 'FindCustomers', { text: 'al', pageToken })),
        await rpcFailure(unary(clients.customers, 'GetTimeline', { customerId: randomUUID(), pageToken })),
      ];
      for (const failure of failures) {
        expect(failure.codeName).toBe('INVALID_ARGUMENT');
        expect(failure.status?.fieldViolations.map((v) => v.field)).toEqual(['page_token']);
      }
    }
  });

  it('logs no SQL and none of its parameters for them', () => {
    const output = app.output();
    // A slow query's warning names its statement by design, never its parameters: on a loaded
    // machine one of the app's own (its migrations' advisory lock at start) can be slow. Nothing
    // else may carry SQL; nothing at all may carry what the tokens held.
    const besidesSlowQueries = output
      .split('\n')
      .filter((line) => !line.includes('"msg":"slow query"'))
      .join('\n');
    expect(besidesSlowQueries).not.toMatch(/SELECT|QueryFailedError/);
    expect(output).not.toContain('not a uuid');
    expect(output).not.toContain('OR 1=1');
  });
});
