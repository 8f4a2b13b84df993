#!/usr/bin/env node
// @ts-check
/**
 * A real single-node Apache Kafka broker (KRaft, combined broker + controller, loopback only) for
 * local runs and integration tests, started from Maven Central jars with `java`: this machine has
 * no Docker and cannot reach the Apache download site. See /work/shared/notes/kafka-broker.md.
 *
 * Library:
 *   const { brokers, pid, stop } = await startBroker();   // brokers = '127.0.0.1:PORT'
 *   await stop();
 *
 * CLI:
 *   node deploy/local/kafka/kafka-broker.mjs start   # prints KAFKA_BROKERS=…, leaves it running
 *   node deploy/local/kafka/kafka-broker.mjs stop
 *   node deploy/local/kafka/kafka-broker.mjs status
 *   node deploy/local/kafka/kafka-broker.mjs jars    # only fetch the jars into the cache
 *
 * Plain JavaScript on purpose: it runs before (and without) a TypeScript build.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

export const KAFKA_VERSION = '4.1.1';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const POM = path.join(HERE, 'pom.xml');
const STAMP_FILE = '.pom-sha256';
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;
// The machine has 2 cores and the test suite runs beside the broker.
const BROKER_HEAP = ['-Xms128m', '-Xmx512m'];
const TOOL_JVM = ['-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1'];

/** `${XDG_CACHE_HOME:-~/.cache}/switchboard/kafka-4.1.1`: outside the clone, shared by all clones. */
export function cacheRoot() {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'switchboard', `kafka-${KAFKA_VERSION}`);
}

/** Classpath entry for the cached jars; java expands the quoted `*` itself. */
export function classpath(libsDir) {
  return path.join(libsDir, '*');
}

// ---------------------------------------------------------------------------------------------
// Jars
// ---------------------------------------------------------------------------------------------

/**
 * Fetches the broker, tools and logging jars with Maven into the cache unless they are there
 * already, and returns the directory that holds them. Safe against concurrent runs: one fetch at
 * a time under a lock directory, and the result appears only by an atomic rename.
 * @returns {Promise<string>} the libs directory
 */
export async function ensureJars() {
  const root = cacheRoot();
  const libs = path.join(root, 'libs');
  const stamp = createHash('sha256').update(fs.readFileSync(POM)).digest('hex');
  if (isComplete(libs, stamp)) return libs;

  await fsp.mkdir(root, { recursive: true });
  const release = await acquireLock(path.join(root, 'fetch.lock'));
  try {
    if (isComplete(libs, stamp)) return libs;
    const staging = await fsp.mkdtemp(path.join(root, 'libs.staging-'));
    try {
      process.stderr.write(`kafka-broker: fetching Kafka ${KAFKA_VERSION} jars with Maven into ${libs}\n`);
      await runMaven(staging);
      fs.writeFileSync(path.join(staging, STAMP_FILE), stamp);
      if (fs.existsSync(libs)) {
        // The pom changed since the last fetch: move the old set aside, then drop it.
        const old = path.join(root, `libs.old-${process.pid}-${Date.now()}`);
        await fsp.rename(libs, old);
        await fsp.rm(old, { recursive: true, force: true });
      }
      await fsp.rename(staging, libs);
    } finally {
      await fsp.rm(staging, { recursive: true, force: true });
    }
  } finally {
    await release();
  }
  return libs;
}

/** @param {string} libs @param {string} stamp */
function isComplete(libs, stamp) {
  try {
    return (
      fs.readFileSync(path.join(libs, STAMP_FILE), 'utf8') === stamp &&
      fs.existsSync(path.join(libs, `kafka_2.13-${KAFKA_VERSION}.jar`))
    );
  } catch {
    return false;
  }
}

/** @param {string} outputDir */
async function runMaven(outputDir) {
  const args = [
    '-q',
    '-B',
    '-f',
    POM,
    'dependency:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${outputDir}`,
  ];
  const { code, output } = await run('mvn', args, { cwd: HERE });
  if (code !== 0) {
    throw new Error(`mvn ${args.join(' ')} failed (exit ${code}):\n${output.slice(-4000)}`);
  }
}

/**
 * A lock directory (mkdir is atomic) with the owner's pid inside; a lock whose owner is gone, or
 * that is older than the longest fetch we would wait for, is broken.
 * @param {string} lockDir
 * @returns {Promise<() => Promise<void>>} release
 */
async function acquireLock(lockDir, { waitMs = 15 * 60_000, staleMs = 15 * 60_000 } = {}) {
  const owner = path.join(lockDir, 'owner');
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(owner, `${process.pid}@${os.hostname()}`);
      return async () => fsp.rm(lockDir, { recursive: true, force: true });
    } catch (error) {
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EEXIST') throw error;
    }
    if (isStaleLock(lockDir, owner, staleMs)) {
      // Re-read just before breaking it, so a lock another waiter has just taken survives.
      if (isStaleLock(lockDir, owner, staleMs)) fs.rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${lockDir}`);
    if (!told) process.stderr.write(`kafka-broker: waiting for another fetch of the jars (${lockDir})\n`);
    told = true;
    await sleep(500);
  }
}

/** @param {string} lockDir @param {string} owner @param {number} staleMs */
function isStaleLock(lockDir, owner, staleMs) {
  try {
    if (Date.now() - fs.statSync(lockDir).mtimeMs > staleMs) return true;
    const [pid, host] = fs.readFileSync(owner, 'utf8').trim().split('@');
    return host === os.hostname() && !isRunning(Number(pid));
  } catch {
    // The owner file is written right after mkdir; give a missing one a moment before breaking.
    try {
      return Date.now() - fs.statSync(lockDir).mtimeMs > 10_000;
    } catch {
      return false;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Broker
// ---------------------------------------------------------------------------------------------

/**
 * @typedef {object} RunningBroker
 * @property {string} brokers bootstrap address, `127.0.0.1:PORT`
 * @property {number} pid the broker's JVM
 * @property {string} dir the broker's directory (config, data, logs)
 * @property {string} logFile the broker's log4j log
 * @property {() => Promise<void>} stop SIGTERM, SIGKILL after a grace period, then remove `dir`
 */

/**
 * Starts a fresh single-node broker and resolves once a client can describe the cluster.
 * @param {{ dataDir?: string, port?: number }} [options] `dataDir`: keep the broker's files there
 *   (created if missing, reused if already formatted, never removed) instead of a fresh temp dir
 *   that `stop()` removes; `port`: the client (PLAINTEXT) port instead of a free one.
 * @returns {Promise<RunningBroker>}
 */
export async function startBroker({ dataDir, port } = {}) {
  return launch({ dataDir, port, detached: false });
}

/**
 * @param {{ dataDir?: string, port?: number, detached: boolean }} options `detached`: the broker
 *   outlives this process (CLI `start`); otherwise it dies with it.
 * @returns {Promise<RunningBroker>}
 */
async function launch({ dataDir, port, detached }) {
  const java = findJava();
  const libs = await ensureJars();
  // Free ports are probed then released, so another process can grab one in between: retry
  // on a bind failure with fresh ports (only when we picked them).
  for (let attempt = 1; ; attempt++) {
    try {
      return await launchOnce({ java, libs, dataDir, port, detached });
    } catch (error) {
      const bindClash = error instanceof BrokerStartError && /Address already in use/.test(error.logTail);
      if (!bindClash || port !== undefined || dataDir !== undefined || attempt >= 3) throw error;
    }
  }
}

class BrokerStartError extends Error {
  /** @param {string} message @param {string} logTail */
  constructor(message, logTail) {
    super(`${message}\n--- broker log (tail) ---\n${logTail}`);
    this.name = 'BrokerStartError';
    this.logTail = logTail;
  }
}

/**
 * @param {{ java: string, libs: string, dataDir?: string, port?: number, detached: boolean }} o
 * @returns {Promise<RunningBroker>}
 */
async function launchOnce({ java, libs, dataDir, port, detached }) {
  const owned = dataDir === undefined;
  const dir = owned ? await fsp.mkdtemp(path.join(os.tmpdir(), 'switchboard-kafka-')) : path.resolve(dataDir);
  const logsDir = path.join(dir, 'logs');
  const logDirs = path.join(dir, 'data');
  const logFile = path.join(logsDir, 'broker.log');
  const outFile = path.join(logsDir, 'broker.out');
  const removeDir = () => (owned ? fsp.rm(dir, { recursive: true, force: true }) : Promise.resolve());

  /** @type {number | undefined} */
  let pid;
  try {
    await fsp.mkdir(logsDir, { recursive: true });
    await fsp.mkdir(logDirs, { recursive: true });
    const ports = await choosePorts(dir, port);
    const brokers = `127.0.0.1:${ports.broker}`;
    const propsFile = path.join(dir, 'server.properties');
    const log4jFile = path.join(dir, 'log4j2.yaml');
    await fsp.writeFile(propsFile, serverProperties({ ...ports, logDirs }));
    await fsp.writeFile(log4jFile, LOG4J2_YAML);

    if (!fs.existsSync(path.join(logDirs, 'meta.properties'))) {
      await formatStorage({ java, libs, propsFile });
    }

    const out = fs.openSync(outFile, 'a');
    const child = spawn(
      java,
      [
        ...BROKER_HEAP,
        '-XX:+UseG1GC',
        '-XX:MaxGCPauseMillis=20',
        '-XX:InitiatingHeapOccupancyPercent=35',
        '-Djava.awt.headless=true',
        `-Dlog4j2.configurationFile=${log4jFile}`,
        `-Dkafka.logs.dir=${logsDir}`,
        '-cp',
        classpath(libs),
        'kafka.Kafka',
        propsFile,
      ],
      { cwd: dir, detached, stdio: ['ignore', out, out] },
    );
    fs.closeSync(out);
    if (child.pid === undefined) {
      throw new Error(`Could not start ${java}`);
    }
    pid = child.pid;
    child.unref();
    /** @type {{ code: number | null, signal: string | null } | undefined} */
    let exited;
    child.on('exit', (code, signal) => (exited = { code, signal }));
    child.on('error', () => (exited = { code: -1, signal: null }));

    const brokerPid = pid;
    /** @type {{ kill(): void } | undefined} */
    let guard;
    if (!detached) guard = guardAgainstParentDeath(brokerPid, owned ? dir : undefined);

    /** @type {Promise<void> | undefined} */
    let stopping;
    const stop = () =>
      (stopping ??= (async () => {
        guard?.kill();
        await terminate(brokerPid);
        await removeDir();
      })());

    try {
      await waitUntilReady(brokers, () => exited, logFile, outFile);
    } catch (error) {
      await stop();
      throw error;
    }
    await fsp.writeFile(path.join(dir, 'broker.json'), JSON.stringify({ pid: brokerPid, brokers, ...ports }));
    return { brokers, pid: brokerPid, dir, logFile, stop };
  } catch (error) {
    if (pid === undefined) await removeDir();
    throw error;
  }
}

/** The `java` of JAVA_HOME, else the first on PATH. */
export function findJava() {
  const candidates = [
    process.env.JAVA_HOME && path.join(process.env.JAVA_HOME, 'bin', 'java'),
    ...(process.env.PATH ?? '').split(path.delimiter).map((p) => p && path.join(p, 'java')),
  ];
  for (const candidate of candidates) {
    if (candidate && isExecutable(candidate)) return candidate;
  }
  throw new Error('java not found (install openjdk-17-jre-headless or set JAVA_HOME)');
}

/** @param {string} file */
function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * A broker reusing a formatted `dataDir` keeps its controller port: the voter's endpoint was
 * written into the metadata log at format time.
 * @param {string} dir @param {number | undefined} port
 */
async function choosePorts(dir, port) {
  /** @type {{ broker?: number, controller?: number }} */
  let previous = {};
  try {
    previous = JSON.parse(fs.readFileSync(path.join(dir, 'broker.json'), 'utf8'));
  } catch {
    // fresh directory
  }
  const [freeA, freeB] = await freePorts(2);
  const controller = previous.controller ?? (freeA === port ? freeB : freeA);
  const broker = port ?? previous.broker ?? (freeA === controller ? freeB : freeA);
  return { broker, controller };
}

/** Distinct free loopback ports: all probes are held open until each has its port. */
async function freePorts(count) {
  /** @type {net.Server[]} */
  const servers = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => resolve(undefined));
      });
    }
    return servers.map((s) => /** @type {net.AddressInfo} */ (s.address()).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(() => resolve(undefined)))));
  }
}

/**
 * @param {{ broker: number, controller: number, logDirs: string }} o
 */
function serverProperties({ broker, controller, logDirs }) {
  return `# Written by deploy/local/kafka/kafka-broker.mjs: one node, broker + controller, loopback only.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:${controller}
listeners=PLAINTEXT://127.0.0.1:${broker},CONTROLLER://127.0.0.1:${controller}
advertised.listeners=PLAINTEXT://127.0.0.1:${broker},CONTROLLER://127.0.0.1:${controller}
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${logDirs}

# One replica of everything.
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1

# Our code creates its topics explicitly; a typo must fail, not create a topic.
auto.create.topics.enable=false
delete.topic.enable=true

# Fast for tests: no wait for more members before the first rebalance, small internal topics
# (created on first use, 50 partitions each by default), short sessions allowed.
group.initial.rebalance.delay.ms=0
offsets.topic.num.partitions=4
transaction.state.log.num.partitions=4
share.coordinator.state.topic.num.partitions=4
group.min.session.timeout.ms=1000

# 2 cores, shared with the tests.
num.network.threads=2
num.io.threads=4
background.threads=4
`;
}

// Broker logs go to a file in the broker's directory, never to our stdout.
const LOG4J2_YAML = `# Written by deploy/local/kafka/kafka-broker.mjs
Configuration:
  status: warn
  name: switchboard-local-kafka
  Appenders:
    File:
      name: BrokerLog
      fileName: "\${sys:kafka.logs.dir}/broker.log"
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: INFO
      AppenderRef:
        ref: BrokerLog
    Logger:
      - name: kafka.request.logger
        level: WARN
      - name: state.change.logger
        level: WARN
      - name: org.apache.kafka.storage.internals.log
        level: WARN
      - name: kafka.log
        level: WARN
      - name: org.apache.kafka.clients
        level: WARN
`;

/** @param {{ java: string, libs: string, propsFile: string }} o */
async function formatStorage({ java, libs, propsFile }) {
  const args = [
    ...TOOL_JVM,
    '-Dlog4j2.rootLevel=WARN',
    '-cp',
    classpath(libs),
    'kafka.tools.StorageTool',
    'format',
    '-t',
    randomClusterId(),
    '-c',
    propsFile,
    '--standalone',
  ];
  const { code, output } = await run(java, args, { cwd: path.dirname(propsFile) });
  if (code !== 0) throw new Error(`kafka.tools.StorageTool format failed (exit ${code}):\n${output}`);
}

/**
 * Same shape as `StorageTool random-uuid` (Kafka's Uuid: 16 random bytes, base64url, never
 * starting with '-'), without paying for a JVM start.
 */
function randomClusterId() {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/**
 * Ready means a client can fetch metadata, not that a log line appeared.
 * @param {string} brokers
 * @param {() => { code: number | null, signal: string | null } | undefined} exited
 * @param {string} logFile @param {string} outFile
 */
async function waitUntilReady(brokers, exited, logFile, outFile) {
  const kafka = new Kafka({
    clientId: 'switchboard-kafka-readiness',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 2000,
    retry: { retries: 0 },
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const status = exited();
    if (status) {
      throw new BrokerStartError(
        `Kafka broker exited before it was ready (code ${status.code}, signal ${status.signal})`,
        tail(outFile, logFile),
      );
    }
    const admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length > 0) return;
    } catch {
      // not up yet
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    if (Date.now() > deadline) {
      throw new BrokerStartError(
        `Kafka broker at ${brokers} not ready after ${READY_TIMEOUT_MS / 1000}s (log: ${logFile})`,
        tail(outFile, logFile),
      );
    }
    await sleep(200);
  }
}

/** @param {...string} files */
function tail(...files) {
  return files
    .map((file) => {
      try {
        const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
        return lines.length > 1 || lines[0] ? `${file}:\n${lines.slice(-40).join('\n')}` : '';
      } catch {
        return '';
      }
    })
    .filter(Boolean)
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------------------------

/** Alive and not a zombie (a child that exited but was not reaped yet still answers kill 0). */
function isRunning(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true;
  }
}

/** @param {number} pid @param {number} timeoutMs @returns {Promise<boolean>} exited in time */
async function waitForExit(pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/** SIGTERM (the broker shuts down cleanly), SIGKILL if it is still there after the grace period. */
async function terminate(pid, graceMs = STOP_GRACE_MS) {
  if (!isRunning(pid)) return;
  signal(pid, 'SIGTERM');
  if (await waitForExit(pid, graceMs)) return;
  signal(pid, 'SIGKILL');
  await waitForExit(pid, 5000);
}

/** @param {number} pid @param {NodeJS.Signals} sig */
function signal(pid, sig) {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/**
 * The broker must not outlive us. A normal exit without stop() kills it synchronously; for a
 * crash or SIGKILL of this process, a small detached watchdog polls our pid and then kills the
 * broker and removes its directory.
 * @param {number} brokerPid @param {string | undefined} dir removed after the broker, if ours
 * @returns {{ kill(): void }}
 */
function guardAgainstParentDeath(brokerPid, dir) {
  const watchdog = spawn(
    process.execPath,
    ['-e', WATCHDOG_SOURCE, String(process.pid), String(brokerPid), dir ?? ''],
    {
      detached: true,
      stdio: 'ignore',
    },
  );
  watchdog.on('error', () => undefined);
  watchdog.unref();
  const onExit = () => {
    signal(brokerPid, 'SIGKILL');
    if (watchdog.pid) signal(watchdog.pid, 'SIGKILL');
    try {
      // The killed broker may still be closing files in it for a moment.
      if (dir) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    } catch {
      // best effort at exit; os.tmpdir() is cleaned eventually
    }
  };
  process.once('exit', onExit);
  return {
    kill() {
      process.removeListener('exit', onExit);
      if (watchdog.pid) signal(watchdog.pid, 'SIGKILL');
    },
  };
}

const WATCHDOG_SOURCE = `
const fs = require('node:fs');
const [parent, broker, dir] = process.argv.slice(1);
const alive = (pid) => { try { process.kill(Number(pid), 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const kill = (sig) => { try { process.kill(Number(broker), sig); } catch {} };
const timer = setInterval(() => {
  if (alive(parent)) return;
  clearInterval(timer);
  kill('SIGTERM');
  const started = Date.now();
  const wait = setInterval(() => {
    if (alive(broker) && Date.now() - started < 5000) return;
    clearInterval(wait);
    kill('SIGKILL');
    setTimeout(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); }, 500);
  }, 100);
}, 1000);
`;

/**
 * @param {string} command @param {string[]} args @param {{ cwd?: string }} [options]
 * @returns {Promise<{ code: number | null, output: string }>}
 */
function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) =>
      reject(
        /** @type {NodeJS.ErrnoException} */ (error).code === 'ENOENT'
          ? new Error(`${command} not found on PATH`)
          : error,
      ),
    );
    child.on('close', (code) => resolve({ code, output }));
  });
}

// ---------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------

function runDir() {
  return path.join(cacheRoot(), 'run');
}

/** @returns {{ pid: number, brokers: string, dir: string } | undefined} */
function readRunState() {
  try {
    const pid = Number(fs.readFileSync(path.join(runDir(), 'broker.pid'), 'utf8').trim());
    const state = JSON.parse(fs.readFileSync(path.join(runDir(), 'broker.json'), 'utf8'));
    return { ...state, pid };
  } catch {
    return undefined;
  }
}

/** Is `pid` still the broker we started (and not a recycled pid)? */
function isOurBroker(pid, dir) {
  if (!isRunning(pid)) return false;
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('kafka.Kafka') && cmdline.includes(dir);
  } catch {
    return false;
  }
}

function clearRunState() {
  fs.rmSync(path.join(runDir(), 'broker.pid'), { force: true });
  fs.rmSync(path.join(runDir(), 'broker.json'), { force: true });
}

async function cliStart() {
  const running = readRunState();
  if (running && isOurBroker(running.pid, running.dir)) {
    process.stderr.write(`kafka-broker: already running (pid ${running.pid})\n`);
    process.stdout.write(`KAFKA_BROKERS=${running.brokers}\n`);
    return;
  }
  if (running) {
    await fsp.rm(running.dir, { recursive: true, force: true });
    clearRunState();
  }
  const started = Date.now();
  const broker = await launch({ detached: true });
  await fsp.mkdir(runDir(), { recursive: true });
  fs.writeFileSync(
    path.join(runDir(), 'broker.json'),
    JSON.stringify({ brokers: broker.brokers, dir: broker.dir }),
  );
  fs.writeFileSync(path.join(runDir(), 'broker.pid'), `${broker.pid}\n`);
  process.stderr.write(
    `kafka-broker: pid ${broker.pid} ready in ${((Date.now() - started) / 1000).toFixed(1)}s; ` +
      `log ${broker.logFile}; pid file ${path.join(runDir(), 'broker.pid')}\n`,
  );
  process.stdout.write(`KAFKA_BROKERS=${broker.brokers}\n`);
}

async function cliStop() {
  const running = readRunState();
  if (!running) {
    process.stderr.write('kafka-broker: not running\n');
    return;
  }
  if (isOurBroker(running.pid, running.dir)) await terminate(running.pid);
  await fsp.rm(running.dir, { recursive: true, force: true });
  clearRunState();
  process.stderr.write(`kafka-broker: stopped (pid ${running.pid})\n`);
}

function cliStatus() {
  const running = readRunState();
  if (running && isOurBroker(running.pid, running.dir)) {
    process.stdout.write(`KAFKA_BROKERS=${running.brokers}\n`);
    return 0;
  }
  process.stderr.write('kafka-broker: not running\n');
  return 1;
}

async function main(command) {
  switch (command) {
    case 'start':
      await cliStart();
      return 0;
    case 'stop':
      await cliStop();
      return 0;
    case 'status':
      return cliStatus();
    case 'jars':
      process.stdout.write(`${await ensureJars()}\n`);
      return 0;
    default:
      process.stderr.write('usage: node deploy/local/kafka/kafka-broker.mjs start|stop|status|jars\n');
      return 2;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv[2]).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`kafka-broker: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
