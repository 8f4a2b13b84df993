import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { waitFor } from '../async/wait-for.util.js';

export interface AppProcess {
  readonly url: string;
  /** `127.0.0.1:<GRPC_PORT>` given to the process (only apps with a gRPC server listen on it). */
  readonly grpcAddress: string;
  /**
   * `tcp://127.0.0.1:<INTERNAL_RPC_PORT>` given to the process: where an app that serves a port
   * answers internal RPC (ADR 0004), the value for the callers' `*_API_URL`.
   */
  readonly rpcUrl: string;
  readonly child: ChildProcess;
  /** What the process printed (JSON log lines), for assertions and for failure messages. */
  output(): string;
  waitUntilReady(timeoutMs?: number): Promise<void>;
  /** Sends the signal and resolves with the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * A free port below the kernel's ephemeral range, for a server that listens on it some time after
 * it was chosen (a child process booting) or restarts on it (a pod, a database, a broker): a port
 * from that range may meanwhile become the local port of some other process's outgoing connection,
 * and the listen then fails with EADDRINUSE for as long as that connection lives (seen in
 * test:faults: a channel-sms pod unable to bind its metrics port for four minutes; in npm test:
 * history unable to bind the HTTP port a parallel suite's connection had taken). Each jest worker
 * draws from its own residue class, so two workers never hand out the same port.
 */
export async function freeStablePort(): Promise<number> {
  const low = ephemeralRangeStart();
  if (low - STABLE_PORT_MIN < 1_000) return freePort();
  const worker = Number(process.env.JEST_WORKER_ID ?? 0) % WORKER_CLASSES;
  const slots = Math.floor((low - STABLE_PORT_MIN) / WORKER_CLASSES);
  for (let attempt = 0; attempt < 500; attempt++) {
    const port = STABLE_PORT_MIN + Math.floor(Math.random() * slots) * WORKER_CLASSES + worker;
    if (stablePortsHandedOut.has(port) || !(await canListenOn(port))) continue;
    stablePortsHandedOut.add(port);
    return port;
  }
  throw new Error(`no free port between ${STABLE_PORT_MIN} and ${low}`);
}

const STABLE_PORT_MIN = 20_000;
/** More than jest ever runs workers here (`--maxWorkers` is at most the core count). */
const WORKER_CLASSES = 16;
const stablePortsHandedOut = new Set<number>();

function ephemeralRangeStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    return Number(low) || 32_768;
  } catch {
    return 32_768;
  }
}

/** Whether a server may listen on the port on every address (as the apps do). */
function canListenOn(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once('error', () => resolveFree(false));
    server.listen({ port, exclusive: true }, () => server.close(() => resolveFree(true)));
  });
}

/**
 * Every process this test file started and has not stopped. A failed assertion skips the test's
 * own `stop()`; a process left running would keep jest from exiting (and CI waiting for it).
 */
const running = new Set<ChildProcess>();

// Jest's globals exist when a test file imports this; plain scripts (benchmarks) have none.
const jestAfterAll = (globalThis as { afterAll?: (fn: () => void) => void }).afterAll;
if (typeof jestAfterAll === 'function') {
  jestAfterAll(() => {
    for (const child of running) child.kill('SIGKILL');
    running.clear();
  });
}

/**
 * Runs a built app (`dist/apps/<app>/main.js`) as its own process, as it runs in production:
 * end-to-end tests can then kill it for real. `npm test` builds first (its `pretest`).
 */
export async function startAppProcess(
  app: string,
  env: Record<string, string>,
  /** Node's own flags for the child (e.g. `--cpu-prof`, which NODE_OPTIONS refuses). */
  nodeArgs: readonly string[] = [],
): Promise<AppProcess> {
  const entry = resolve('dist/apps', app, 'main.js');
  if (!existsSync(entry))
    throw new Error(`${entry} is missing: run \`npm run build\` first (npm test does).`);
  // The process listens seconds later, once booted: none from the ephemeral range (see freeStablePort).
  const port = await freeStablePort();
  // Apps with a gRPC server (grpc-api, standalone) would all want 50051: give each its own.
  const grpcPort = env.GRPC_PORT ?? String(await freeStablePort());
  // Likewise the internal RPC port of the apps that serve one (3001 by default).
  const rpcPort = env.INTERNAL_RPC_PORT ?? String(await freeStablePort());
  const child = spawn(process.execPath, [...nodeArgs, entry], {
    env: {
      PATH: process.env.PATH ?? '',
      LOG_LEVEL: 'warn',
      GRPC_PORT: grpcPort,
      INTERNAL_RPC_PORT: rpcPort,
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    grpcAddress: `127.0.0.1:${grpcPort}`,
    rpcUrl: `tcp://127.0.0.1:${rpcPort}`,
    child,
    output: () => output,
    waitUntilReady: async (timeoutMs = 30_000) => {
      await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`${app} exited with ${child.exitCode}:\n${output}`);
          const response = await fetch(`${url}/readyz`).catch(() => undefined);
          return response?.status === 200;
        },
        { timeoutMs, intervalMs: 100, what: `${app} to be ready` },
      );
    },
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
