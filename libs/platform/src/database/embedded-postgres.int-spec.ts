import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { configureLogging, startEmbeddedPostgres, type EmbeddedPostgres } from '@switchboard/platform';

async function sql<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

async function accepts(port: number): Promise<boolean> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.end();
    return true;
  } catch (error) {
    // Refused means nothing listens; an auth error still means a server answered.
    return (error as { code?: string }).code !== 'ECONNREFUSED';
  }
}

// As root, PostgreSQL runs as `postgres`: a stand-in process must be that user's to fool its check.
function spawnAsPostgresUser(command: string, args: string[]): ChildProcess {
  if (process.getuid?.() !== 0) return spawn(command, args, { stdio: 'ignore' });
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return spawn(command, args, { stdio: 'ignore', uid, gid });
}

describe('startEmbeddedPostgres', () => {
  let dataDir: string;
  const running: EmbeddedPostgres[] = [];
  const lines: string[] = [];

  beforeAll(async () => {
    configureLogging({ level: 'debug', destination: { write: (line: string) => void lines.push(line) } });
    dataDir = await mkdtemp(join(tmpdir(), 'sb-embedded-pg-'));
    // mkdtemp makes it 0700; the postgres user (when we are root) must be able to enter it.
    await chmod(dataDir, 0o755);
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((server) => server.stop()));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  async function start(port?: number): Promise<EmbeddedPostgres> {
    const server = await startEmbeddedPostgres({ dataDir, port });
    running.push(server);
    return server;
  }

  it('initialises on first start and keeps the data across a restart', async () => {
    const signalListeners = process.listenerCount('SIGTERM');
    const first = await start();
    expect(first.url).toMatch(/^postgres:\/\/postgres:[\w-]+@127\.0\.0\.1:\d+\/switchboard$/);
    expect(process.listenerCount('SIGTERM')).toBe(signalListeners);
    await sql(first.url, 'CREATE TABLE notes (body text)');
    await sql(first.url, "INSERT INTO notes VALUES ('survives restarts')");
    await first.stop();
    await first.stop();
    expect(await accepts(first.port)).toBe(false);

    const second = await start();
    expect(await sql(second.url, 'SELECT body FROM notes')).toEqual([{ body: 'survives restarts' }]);
    expect(await readFile(join(dataDir, 'postgres', 'owner.pid'), 'utf8')).toBe(`${process.pid}\n`);
  });

  it("sends PostgreSQL's own output to the logger at debug", () => {
    const records = lines.map((line) => JSON.parse(line) as { level: string; name: string; msg: string });
    const ready = records.find((record) =>
      record.msg.includes('database system is ready to accept connections'),
    );
    expect(ready).toMatchObject({ level: 'debug', name: 'embedded-postgres' });
  });

  it('starts despite a stale postmaster.pid whose PID now belongs to another process', async () => {
    // After a crash, the PID in the lock file can be reused by an unrelated process;
    // PostgreSQL alone would refuse to start ("lock file already exists").
    const impostor = spawnAsPostgresUser('sleep', ['60']);
    try {
      const lockFile = join(dataDir, 'postgres', 'cluster', 'postmaster.pid');
      await writeFile(
        lockFile,
        `${impostor.pid}\n${join(dataDir, 'postgres', 'cluster')}\n1700000000\n5432\n\n\n`,
      );
      const server = await start();
      expect(await sql(server.url, 'SELECT body FROM notes')).toEqual([{ body: 'survives restarts' }]);
    } finally {
      impostor.kill();
    }
  });

  it('stops a PostgreSQL orphaned by a run whose Node process died', async () => {
    const orphaned = await startEmbeddedPostgres({ dataDir });
    // What a SIGKILLed Node leaves behind: a running postmaster and an owner that is gone.
    const dead = spawnSync('true');
    await writeFile(join(dataDir, 'postgres', 'owner.pid'), `${dead.pid}\n`);

    const server = await start();
    expect(await accepts(orphaned.port)).toBe(false);
    expect(await sql(server.url, 'SELECT body FROM notes')).toEqual([{ body: 'survives restarts' }]);
  });

  it('refuses data that another live process is using', async () => {
    await start();
    await expect(startEmbeddedPostgres({ dataDir })).rejects.toThrow(/is in use by another process/);
  });

  it('starts on a requested port', async () => {
    const probe = await start();
    const port = probe.port;
    await probe.stop();
    const server = await start(port);
    expect(server.port).toBe(port);
    expect(await sql(server.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });
});
