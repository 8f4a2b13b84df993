import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

// The CLI's run state, in a cache of its own: the machine's brokers (other checkouts') are never
// read or stopped here. A "broker" is a process whose command line names `kafka.Kafka` and its
// directory, which is all the CLI checks before it signals a pid.
const SCRIPT = path.resolve('deploy/local/kafka/kafka-broker.mjs');
const RUN_DIR_OF = (cache: string) => path.join(cache, 'switchboard', 'kafka-4.1.1', 'run');

describe('kafka-broker CLI: one run state per port', () => {
  let cache: string;
  const fakes: ChildProcess[] = [];

  beforeEach(() => {
    cache = mkdtempSync(path.join(tmpdir(), 'kafka-broker-cli-'));
    mkdirSync(RUN_DIR_OF(cache), { recursive: true });
  });

  afterEach(() => {
    for (const fake of fakes.splice(0)) fake.kill('SIGKILL');
    rmSync(cache, { recursive: true, force: true });
  });

  /** A process that passes for the CLI's broker on `port`, recorded as the CLI records one. */
  function fakeBroker(port: number, { legacy = false } = {}): ChildProcess {
    const dir = mkdtempSync(path.join(cache, 'broker-'));
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'kafka.Kafka', dir], {
      stdio: 'ignore',
    });
    fakes.push(child);
    const stem = legacy ? 'broker' : `broker-${port}`;
    writeFileSync(path.join(RUN_DIR_OF(cache), `${stem}.pid`), `${child.pid}\n`);
    writeFileSync(
      path.join(RUN_DIR_OF(cache), `${stem}.json`),
      JSON.stringify({ brokers: `127.0.0.1:${port}`, dir }),
    );
    return child;
  }

  function cli(...args: string[]): Promise<{ code: number | null; out: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [SCRIPT, ...args], {
        env: { ...process.env, XDG_CACHE_HOME: cache },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.on('close', (code) => resolve({ code, out }));
    });
  }

  /** `runningBrokerPid(port)` as another process sees it with this cache: the pid, or 'none'. */
  function runningBrokerPid(port: number): Promise<string> {
    return new Promise((resolve) => {
      const child = spawn(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { runningBrokerPid } from ${JSON.stringify(pathToFileURL(SCRIPT).href)};` +
            `console.log(runningBrokerPid(${port}) ?? 'none');`,
        ],
        { env: { ...process.env, XDG_CACHE_HOME: cache }, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.on('close', () => resolve(out.trim()));
    });
  }

  const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;
  const exited = (child: ChildProcess) =>
    alive(child) ? new Promise<void>((resolve) => child.once('exit', () => resolve())) : Promise.resolve();

  it('with several running, `stop` stops none and lists them; `stop --port N` stops that one', async () => {
    const a = fakeBroker(21001);
    const b = fakeBroker(21002);

    const refused = await cli('stop');
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('2 brokers running');
    expect(refused.out).toContain('--port 21001');
    expect(refused.out).toContain('--port 21002');
    expect(alive(a)).toBe(true);
    expect(alive(b)).toBe(true);

    const stopped = await cli('stop', '--port', '21002');
    expect(stopped.code).toBe(0);
    expect(stopped.out).toContain('stopped 127.0.0.1:21002');
    await exited(b);
    expect(alive(a)).toBe(true);
    expect(readdirSync(RUN_DIR_OF(cache)).sort()).toEqual(['broker-21001.json', 'broker-21001.pid']);

    const status = await cli('status');
    expect(status).toEqual({ code: 0, out: 'KAFKA_BROKERS=127.0.0.1:21001\n' });
  });

  it('with exactly one running, `stop` stops it', async () => {
    const only = fakeBroker(21003);
    const stopped = await cli('stop');
    expect(stopped.code).toBe(0);
    await exited(only);
    expect(readdirSync(RUN_DIR_OF(cache))).toEqual([]);
    expect((await cli('stop')).code).toBe(1);
  });

  it('forgets brokers that are gone and answers for a port none runs on', async () => {
    const gone = fakeBroker(21004);
    gone.kill('SIGKILL');
    await exited(gone);
    const live = fakeBroker(21005);

    const missing = await cli('stop', '--port=21004');
    expect(missing.code).toBe(1);
    expect(missing.out).toContain('none running on port 21004');
    expect(missing.out).toContain('--port 21005');
    expect(readdirSync(RUN_DIR_OF(cache)).sort()).toEqual(['broker-21005.json', 'broker-21005.pid']);
    expect(alive(live)).toBe(true);
  });

  it('still finds a broker recorded in the one-per-user file of older versions', async () => {
    const old = fakeBroker(21006, { legacy: true });
    const current = fakeBroker(21007);
    expect((await cli('status')).out).toContain('--port 21006');

    expect((await cli('stop', '--port', '21006')).code).toBe(0);
    await exited(old);
    expect(alive(current)).toBe(true);
    expect(readdirSync(RUN_DIR_OF(cache)).sort()).toEqual(['broker-21007.json', 'broker-21007.pid']);
  });

  it('names the JVM of a broker it started on a port while it runs, and only reads the run state', async () => {
    const live = fakeBroker(21008);
    const gone = fakeBroker(21009);
    gone.kill('SIGKILL');
    await exited(gone);

    expect(await runningBrokerPid(21008)).toBe(String(live.pid));
    expect(await runningBrokerPid(21009)).toBe('none');
    expect(await runningBrokerPid(21010)).toBe('none');
    expect(readdirSync(RUN_DIR_OF(cache)).sort()).toEqual([
      'broker-21008.json',
      'broker-21008.pid',
      'broker-21009.json',
      'broker-21009.pid',
    ]);
  });
});
