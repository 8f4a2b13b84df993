import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { localSwitchboardClients, startAppProcess, unary } from '@switchboard/testing';

const execFileAsync = promisify(execFile);
const CLI = 'dist/apps/grpc-api/src/api-keys/api-key.cli.js';
const WORKSPACE_CLI = 'dist/apps/inbox/src/workspaces/workspace.cli.js';

/**
 * `npm run apikey` while `npm start` runs on the embedded PostgreSQL (issue 17, item 4): it used to
 * refuse ("in use by another process") and then crash ("TypeError: done is not a function"). It now
 * works through the running platform's database, and the key it prints works on that platform's
 * gRPC port at once; once the platform is stopped it starts the database for itself, as before.
 */
describe('npm run apikey and npm run workspace beside a running npm start', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'switchboard-apikey-'));
    // As root, PostgreSQL runs as the `postgres` user, which must be able to enter the directory.
    await chmod(dataDir, 0o755);
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  const cli = (...args: string[]) => run(CLI, ...args);
  const run = (script: string, ...args: string[]) =>
    execFileAsync(process.execPath, [script, ...args], {
      // No DATABASE_URL: the embedded database under the data directory, as a newcomer runs it.
      env: { PATH: process.env.PATH ?? '', SWITCHBOARD_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    });

  it('creates a key the running platform accepts, and still works once it is stopped', async () => {
    const app = await startAppProcess('standalone', { SWITCHBOARD_DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
    try {
      await app.waitUntilReady(90_000);
      const created = await cli('create', '--name', 'Beside start', '--scope', 'read');
      const key = created.stdout.trim();
      expect(key).toMatch(/^sbk_/);
      expect(created.stderr).toContain('Created API key');
      expect(created.stderr).not.toMatch(/TypeError|in use by another process/);

      const clients = localSwitchboardClients(Number(app.grpcAddress.split(':')[1]), key);
      try {
        const queues = await unary<typeof clients.queues, 'ListQueues', object, { queues: unknown[] }>(
          clients.queues,
          'ListQueues',
          {},
        );
        expect(queues.queues).toEqual([]);
      } finally {
        clients.close();
      }
      // `npm run workspace` beside it too: a new workspace whose admin signs in to the running inbox,
      // and the operator's list.
      const workspace = await run(
        WORKSPACE_CLI,
        'create',
        '--name',
        'Second Business',
        '--admin-email',
        'boss@second.example',
        '--time-zone',
        'Europe/Berlin',
      );
      expect(workspace.stderr).toContain('Created workspace "Second Business"');
      const password = workspace.stdout.trim();
      expect(password.length).toBeGreaterThanOrEqual(12);
      const login = await fetch(`${app.url}/api/inbox/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: app.url },
        body: JSON.stringify({ email: 'boss@second.example', password }),
      });
      expect(login.status).toBe(200);
      const workspaces = JSON.parse((await run(WORKSPACE_CLI, 'list')).stdout) as {
        name: string;
        timeZone: string;
        admins: string[];
      }[];
      expect(workspaces.map((w) => w.name)).toEqual(['Default workspace', 'Second Business']);
      expect(workspaces[1]).toMatchObject({ timeZone: 'Europe/Berlin', admins: ['boss@second.example'] });
      const refused = await run(WORKSPACE_CLI, 'create', '--name', 'X', '--admin-email', 'nope').catch(
        (error: { code: number; stderr: string }) => error,
      );
      expect(refused).toMatchObject({ code: 2, stderr: expect.stringContaining('--admin-email') as unknown });

      // The platform went on running: still ready.
      expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
    } finally {
      const code = await app.stop('SIGTERM');
      if (code !== 0) process.stderr.write(app.output().slice(-4000));
      expect(code).toBe(0);
    }

    // Nothing runs it now: the CLI starts the embedded database for itself, and exits cleanly.
    const listed = await cli('list');
    const keys = JSON.parse(listed.stdout) as { name: string; lastUsedAt: string | null }[];
    expect(keys.map((k) => k.name)).toEqual(['Beside start']);
    expect(keys[0]!.lastUsedAt).not.toBeNull();
    expect(listed.stderr).not.toMatch(/TypeError/);
  }, 240_000);
});
