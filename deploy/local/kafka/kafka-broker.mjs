#!/usr/bin/env node
// @ts-check
/**
 * A real single-node Apache Kafka broker (KRaft, combined broker + controller, loopback only) for
 * local runs and integration tests, started from Maven Central jars with `java`: this machine has
 * no Docker and cannot reach the Apache download site. See notes/kafka-broker.md (shared notes).
 *
 * Jars: `mvn dependency:copy-dependencies` of ./pom.xml into `${XDG_CACHE_HOME:-~/.cache}/
 * switchboard/kafka-4.1.1/libs`, once per machine; class-data sharing archives beside them make
 * later JVM starts faster. Each broker gets a fresh temp dir (config, KRaft data, logs) and free
 * ports, and dies with the process that started it (except the CLI's, which is detached).
 *
 * Library:
 *   const { brokers, pid, stop } = await startBroker();   // brokers = '127.0.0.1:PORT'
 *   await stop();
 *   const cluster = await startCluster({ nodes: 3 });    // RF 3, min.insync.replicas 2
 *   await cluster.nodes[0].kill(); await cluster.nodes[0].start(); await cluster.stop();
 *
 * CLI:
 *   node deploy/local/kafka/kafka-broker.mjs start [--port N]  # prints KAFKA_BROKERS=…, stays up
 *   node deploy/local/kafka/kafka-broker.mjs stop [--port N]   # pid file per port: <cache>/run/broker-<port>.pid
 *   node deploy/local/kafka/kafka-broker.mjs status            # every broker the CLI started
 *   node deploy/local/kafka/kafka-broker.mjs cluster [--nodes=3]  # a KRaft cluster in the foreground
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
/**
 * A cluster's node is ready only once a majority of voters, each a JVM starting at the same time,
 * has elected a controller: on a loaded two-core machine three of them took over a minute, and
 * more than three at a load average of 46 (2026-12-06).
 */
const CLUSTER_READY_TIMEOUT_MS = 300_000;
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
      await fsp.chmod(staging, 0o755);
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
 * @typedef {object} ClusterNode
 * @property {number} nodeId
 * @property {string} brokers this node's bootstrap address
 * @property {() => number | undefined} pid the node's JVM while it runs
 * @property {() => Promise<void>} kill `kill -9`, resolved once the JVM is gone
 * @property {() => Promise<void>} start starts it again on its data (after kill or stop)
 * @property {() => Promise<void>} stop SIGTERM, SIGKILL after a grace period
 */

/**
 * @typedef {object} RunningCluster
 * @property {string} brokers every node's address, comma-separated (KAFKA_BROKERS)
 * @property {ClusterNode[]} nodes
 * @property {() => Promise<void>} stop stops every node and removes the cluster's files
 */

/**
 * A KRaft cluster of `nodes` (default 3) combined broker + controller nodes on loopback, as in
 * production: replication factor 3 and min.insync.replicas 2 for every topic, so that one node
 * may die without losing an acknowledged write or stopping producers. Resolves once every node
 * answers a client; its nodes can be killed and started again on their data.
 * @param {{ nodes?: number }} [options]
 * @returns {Promise<RunningCluster>}
 */
export async function startCluster({ nodes = 3 } = {}) {
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 9) throw new Error(`nodes: 1 to 9, not ${nodes}`);
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'switchboard-kafka-cluster-'));
  const ports = await freePorts(nodes * 2);
  const clusterId = randomClusterId();
  const all = Array.from({ length: nodes }, (_, i) => ({
    nodeId: i + 1,
    ports: {
      broker: /** @type {number} */ (ports[2 * i]),
      controller: /** @type {number} */ (ports[2 * i + 1]),
    },
  }));
  const voters = all.map((n) => `${n.nodeId}@127.0.0.1:${n.ports.controller}`).join(',');
  /** @type {ClusterNode[]} */
  const clusterNodes = all.map(({ nodeId, ports: nodePorts }) => {
    const dataDir = path.join(root, `node-${nodeId}`);
    /** @type {Quorum} */
    const quorum = { nodeId, clusterId, ports: nodePorts, voters, size: nodes };
    /** @type {RunningBroker | undefined} */
    let running;
    return {
      nodeId,
      brokers: `127.0.0.1:${nodePorts.broker}`,
      pid: () => running?.pid,
      start: async () => {
        if (running) throw new Error(`node ${nodeId} is running`);
        running = await launch({ dataDir, detached: false, quorum });
      },
      kill: async () => {
        if (!running) return;
        signal(running.pid, 'SIGKILL');
        await waitForExit(running.pid, 10_000);
        await running.stop();
        running = undefined;
      },
      stop: async () => {
        await running?.stop();
        running = undefined;
      },
    };
  });
  const stop = async () => {
    await Promise.all(clusterNodes.map((n) => n.stop()));
    await fsp.rm(root, { recursive: true, force: true, maxRetries: 5 });
  };
  // Together: a node is ready only once a majority of the voters has elected a leader. Every
  // start settles before a failed one stops them all: a node still starting would write into the
  // directory being removed (ENOTEMPTY in its place of the start's own error), and run on.
  const started = await Promise.allSettled(clusterNodes.map((n) => n.start()));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await stop().catch(() => undefined);
    throw failed.reason;
  }
  return { brokers: clusterNodes.map((n) => n.brokers).join(','), nodes: clusterNodes, stop };
}

/**
 * @param {{ dataDir?: string, port?: number, detached: boolean, quorum?: Quorum }} options `detached`:
 *   the broker outlives this process (CLI `start`); otherwise it dies with it. `quorum`: one node
 *   of a cluster (startCluster).
 * @returns {Promise<RunningBroker>}
 */
async function launch({ dataDir, port, detached, quorum }) {
  const java = findJava();
  const libs = await ensureJars();
  for (let attempt = 1; ; attempt++) {
    const cds = classDataSharing('broker', java, libs);
    try {
      return await launchOnce({ java, libs, dataDir, port, detached, cds, quorum });
    } catch (error) {
      if (!(error instanceof BrokerStartError) || attempt >= 3) throw error;
      // Free ports are probed then released, so another process can grab one in between: retry
      // with fresh ones (only when we picked them).
      const bindClash = /Address already in use/.test(error.logTail);
      if (bindClash && (port !== undefined || dataDir !== undefined || quorum)) throw error;
      // The JVM rejecting (or, for a damaged file, crashing on) its class-data archive: drop it.
      const archiveTrouble = /shared archive|\[cds\]|FileMapInfo|fatal error has been detected/i.test(
        error.logTail,
      );
      if (!bindClash && !(archiveTrouble && discardArchive(cds))) throw error;
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
 * @param {{ java: string, libs: string, dataDir?: string, port?: number, detached: boolean, cds: ClassDataSharing, quorum?: Quorum }} o
 * @returns {Promise<RunningBroker>}
 */
async function launchOnce({ java, libs, dataDir, port, detached, cds, quorum }) {
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
    const ports = quorum ? quorum.ports : await choosePorts(dir, port);
    const brokers = `127.0.0.1:${ports.broker}`;
    const propsFile = path.join(dir, 'server.properties');
    const log4jFile = path.join(dir, 'log4j2.yaml');
    await fsp.writeFile(
      propsFile,
      quorum ? clusterNodeProperties({ ...ports, logDirs, quorum }) : serverProperties({ ...ports, logDirs }),
    );
    await fsp.writeFile(log4jFile, LOG4J2_YAML);

    const metaProperties = path.join(logDirs, 'meta.properties');
    let clusterId = readClusterId(metaProperties);
    if (!clusterId) {
      clusterId = quorum?.clusterId ?? randomClusterId();
      await formatStorage({ java, libs, propsFile, clusterId, standalone: !quorum });
    }

    const out = fs.openSync(outFile, 'a');
    const child = spawn(
      java,
      [
        ...BROKER_HEAP,
        ...cds.jvmArgs,
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
    /** @type {{ code: number | null, signal: string | null } | undefined} */
    let exited;
    child.on('exit', (code, signal) => (exited = { code, signal }));
    child.on('error', () => (exited = { code: -1, signal: null }));
    if (child.pid === undefined) throw new Error(`Could not start ${java}`);
    pid = child.pid;
    child.unref();

    const brokerPid = pid;
    /** @type {{ kill(): void } | undefined} */
    let guard;
    if (!detached) guard = guardAgainstParentDeath(brokerPid, owned ? dir : undefined);

    /** @type {Promise<void> | undefined} */
    let stopping;
    const stop = () =>
      (stopping ??= (async () => {
        guard?.kill();
        publishArchive(cds, await terminate(brokerPid));
        await removeDir();
      })());

    try {
      await waitUntilReady({
        brokers,
        clusterId,
        exited: () => exited,
        logFile,
        outFile,
        timeoutMs: quorum ? CLUSTER_READY_TIMEOUT_MS : READY_TIMEOUT_MS,
      });
    } catch (error) {
      await stop();
      throw error;
    }
    await fsp.writeFile(
      path.join(dir, 'broker.json'),
      JSON.stringify({
        pid: brokerPid,
        brokers,
        ...ports,
        cds: { archive: cds.archive, pending: cds.pending },
      }),
    );
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
  if (port !== undefined && !(await isFree(port))) {
    throw new Error(`Port 127.0.0.1:${port} is in use; pick another or leave port unset`);
  }
  const [freeA, freeB] = await freePorts(2);
  const controller = previous.controller ?? (freeA === port ? freeB : freeA);
  const broker = port ?? previous.broker ?? (freeA === controller ? freeB : freeA);
  return { broker, controller };
}

/** @param {number} port */
function isFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Distinct free loopback ports: all probes are held open until each has its port. They are taken
 * below the kernel's ephemeral range: a broker restarts on its ports, and a port from that range
 * may meanwhile have become the local port of some outgoing connection (EADDRINUSE until it ends).
 */
async function freePorts(count) {
  /** @type {net.Server[]} */
  const servers = [];
  const low = ephemeralRangeStart();
  try {
    for (let attempt = 0; servers.length < count; attempt++) {
      const port =
        low - 20_000 >= 1_000 && attempt < 500 ? 20_000 + Math.floor(Math.random() * (low - 20_000)) : 0;
      const server = net.createServer();
      const listening = await new Promise((resolve, reject) => {
        server.once('error', (error) => (port === 0 ? reject(error) : resolve(false)));
        server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(true));
      });
      if (listening) servers.push(server);
    }
    return servers.map((s) => /** @type {net.AddressInfo} */ (s.address()).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(() => resolve(undefined)))));
  }
}

/** The first port of the kernel's ephemeral range (32768 where it cannot be read). */
function ephemeralRangeStart() {
  try {
    return (
      Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) ||
      32_768
    );
  } catch {
    return 32_768;
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

/**
 * @typedef {object} Quorum
 * @property {number} nodeId
 * @property {string} clusterId
 * @property {{ broker: number, controller: number }} ports this node's
 * @property {string} voters `1@127.0.0.1:PORT,2@…`: every node's controller endpoint
 * @property {number} size
 */

/**
 * One node of a KRaft cluster on loopback, every node a broker and a voter, replicated as in
 * production: 3 copies of everything, a write acknowledged by at least 2 (so one node may die).
 * @param {{ broker: number, controller: number, logDirs: string, quorum: Quorum }} o
 */
function clusterNodeProperties({ broker, controller, logDirs, quorum }) {
  const replicas = Math.min(3, quorum.size);
  const minIsr = Math.max(1, replicas - 1);
  return `# Written by deploy/local/kafka/kafka-broker.mjs: node ${quorum.nodeId} of ${quorum.size}, loopback only.
process.roles=broker,controller
node.id=${quorum.nodeId}
controller.quorum.voters=${quorum.voters}
listeners=PLAINTEXT://127.0.0.1:${broker},CONTROLLER://127.0.0.1:${controller}
advertised.listeners=PLAINTEXT://127.0.0.1:${broker},CONTROLLER://127.0.0.1:${controller}
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${logDirs}

# As in production: ${replicas} replicas, ${minIsr} in sync to acknowledge (acks=all).
num.partitions=1
default.replication.factor=${replicas}
min.insync.replicas=${minIsr}
offsets.topic.replication.factor=${replicas}
transaction.state.log.replication.factor=${replicas}
transaction.state.log.min.isr=${minIsr}
share.coordinator.state.topic.replication.factor=${replicas}
share.coordinator.state.topic.min.isr=${minIsr}
unclean.leader.election.enable=false

auto.create.topics.enable=false
delete.topic.enable=true

group.initial.rebalance.delay.ms=0
offsets.topic.num.partitions=4
transaction.state.log.num.partitions=4
share.coordinator.state.topic.num.partitions=4
group.min.session.timeout.ms=1000

# 2 cores shared by three JVMs and the tests.
num.network.threads=1
num.io.threads=2
background.threads=2
num.replica.fetchers=1
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

/** @param {string} metaProperties @returns {string | undefined} */
function readClusterId(metaProperties) {
  try {
    return /^cluster\.id=(.+)$/m.exec(fs.readFileSync(metaProperties, 'utf8'))?.[1]?.trim();
  } catch {
    return undefined;
  }
}

/**
 * A single node is its own quorum (`--standalone`); a cluster's nodes name the static voters in
 * their properties (`controller.quorum.voters`) and format without either flag.
 * @param {{ java: string, libs: string, propsFile: string, clusterId: string, standalone?: boolean }} o
 */
async function formatStorage({ java, libs, propsFile, clusterId, standalone = true }) {
  const cds = classDataSharing('storage-tool', java, libs);
  const args = [
    ...TOOL_JVM,
    ...cds.jvmArgs,
    '-Dlog4j2.rootLevel=WARN',
    '-cp',
    classpath(libs),
    'kafka.tools.StorageTool',
    'format',
    '-t',
    clusterId,
    '-c',
    propsFile,
    ...(standalone ? ['--standalone'] : []),
  ];
  const { code, output } = await run(java, args, { cwd: path.dirname(propsFile) });
  publishArchive(cds, code === 0);
  if (code !== 0) {
    discardArchive(cds);
    throw new Error(`kafka.tools.StorageTool format failed (exit ${code}):\n${output}`);
  }
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
 * Ready means a client can fetch metadata, not that a log line appeared; and from this broker:
 * whatever else answers on the port (another broker that took it first) has another cluster id.
 * @param {object} o
 * @param {string} o.brokers
 * @param {string} o.clusterId
 * @param {() => { code: number | null, signal: string | null } | undefined} o.exited
 * @param {string} o.logFile
 * @param {number} o.timeoutMs
 * @param {string} o.outFile
 */
async function waitUntilReady({ brokers, clusterId, exited, logFile, outFile, timeoutMs }) {
  const kafka = new Kafka({
    clientId: 'switchboard-kafka-readiness',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 2000,
    retry: { retries: 0 },
  });
  const deadline = Date.now() + timeoutMs;
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
      if (cluster.clusterId === clusterId && cluster.brokers.length > 0) return;
    } catch {
      // not up yet
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    if (Date.now() > deadline) {
      throw new BrokerStartError(
        `Kafka broker at ${brokers} not ready after ${timeoutMs / 1000}s (log: ${logFile})`,
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
// Class-data sharing
// ---------------------------------------------------------------------------------------------

/**
 * @typedef {object} ClassDataSharing
 * @property {string[]} jvmArgs
 * @property {string} [archive] where the archive is (or will be, once published); none when off
 * @property {string} [pending] where this JVM writes a new archive at exit, when there is none yet
 */

/**
 * AppCDS: an archive of the classes a JVM loaded, mapped by the next JVM instead of loading and
 * verifying thousands of classes again. Halves the broker's start on 2 busy cores (about 10 s to
 * 5 s). The first JVM of each kind writes it when it exits cleanly; later ones use it. Keyed by
 * the java binary and the jar set: the JVM ignores an archive from another JDK or classpath, so a
 * stale one would silently cost the speed-up.
 * @param {'broker' | 'storage-tool'} kind @param {string} java @param {string} libs
 * @returns {ClassDataSharing}
 */
function classDataSharing(kind, java, libs) {
  // Escape hatch, should an archive ever misbehave: SWITCHBOARD_KAFKA_CDS=off.
  if (process.env.SWITCHBOARD_KAFKA_CDS === 'off') return { jvmArgs: [] };
  const realJava = fs.realpathSync(java);
  const libjvm = path.join(path.dirname(path.dirname(realJava)), 'lib', 'server', 'libjvm.so');
  const jvmBuild = [realJava, libjvm].map((file) => {
    try {
      return `${file}@${fs.statSync(file).mtimeMs}`;
    } catch {
      return '';
    }
  });
  const key = createHash('sha256')
    .update([...jvmBuild, fs.readFileSync(path.join(libs, STAMP_FILE), 'utf8')].join('\n'))
    .digest('hex')
    .slice(0, 16);
  const dir = path.join(cacheRoot(), 'cds');
  const archive = path.join(dir, `${kind}-${key}.jsa`);
  if (fs.existsSync(archive)) return { jvmArgs: [`-XX:SharedArchiveFile=${archive}`], archive };
  fs.mkdirSync(dir, { recursive: true });
  removeAbandonedArchives(dir);
  const pending = `${archive}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  return { jvmArgs: [`-XX:ArchiveClassesAtExit=${pending}`], archive, pending };
}

/**
 * Publishes the archive a JVM wrote at exit, atomically; a JVM killed while writing may have left
 * half of one, so only after a clean exit.
 * @param {ClassDataSharing} cds @param {boolean} cleanExit
 */
function publishArchive(cds, cleanExit) {
  if (!cds.pending || !cds.archive) return;
  try {
    if (cleanExit && fs.statSync(cds.pending).size > 0) fs.renameSync(cds.pending, cds.archive);
  } catch {
    // none written
  }
  fs.rmSync(cds.pending, { force: true });
}

/**
 * After a start the archive failed: drop it.
 * @param {ClassDataSharing} cds @returns {boolean} whether there was one to drop
 */
function discardArchive(cds) {
  if (cds.pending || !cds.archive) return false;
  fs.rmSync(cds.archive, { force: true });
  return true;
}

/** Archives half-written by JVMs that were killed (the watchdog, SIGKILL after the grace period). */
function removeAbandonedArchives(dir) {
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    try {
      if (name.endsWith('.tmp') && Date.now() - fs.statSync(file).mtimeMs > 60 * 60_000) fs.rmSync(file);
    } catch {
      // raced with another cleaner
    }
  }
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

/**
 * SIGTERM (the broker shuts down cleanly), SIGKILL if it is still there after the grace period.
 * @returns {Promise<boolean>} whether it exited on SIGTERM
 */
async function terminate(pid, graceMs = STOP_GRACE_MS) {
  if (!isRunning(pid)) return false;
  signal(pid, 'SIGTERM');
  if (await waitForExit(pid, graceMs)) return true;
  signal(pid, 'SIGKILL');
  await waitForExit(pid, 5000);
  return false;
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

/**
 * A CLI broker's run state: `<cache>/run/broker-<port>.pid` and `broker-<port>.json`, one pair per
 * client port, so that every broker started on the machine (several engineers, several checkouts)
 * can be found and stopped by its port. `broker.pid` / `broker.json` (one per user, overwritten by
 * each start) are what older versions of this script wrote: still read, so a broker they started
 * can be stopped.
 * @typedef {{ pid: number, brokers: string, dir: string, files: string[] }} RunState
 */

/** @param {number} port */
function runFiles(port) {
  return [path.join(runDir(), `broker-${port}.pid`), path.join(runDir(), `broker-${port}.json`)];
}

/** @param {string} pidFile @param {string} jsonFile @returns {RunState | undefined} */
function readRunFiles(pidFile, jsonFile) {
  try {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    const state = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
    return { brokers: state.brokers, dir: state.dir, pid, files: [pidFile, jsonFile] };
  } catch {
    return undefined;
  }
}

/** Every recorded CLI broker, live or not, by port (a legacy file's broker under its own port). */
function readRunStates() {
  /** @type {Map<number, RunState>} */
  const states = new Map();
  /** @type {string[]} */
  let names;
  try {
    names = fs.readdirSync(runDir());
  } catch {
    return states;
  }
  for (const name of names) {
    const match = /^broker-(\d+)\.pid$/.exec(name);
    if (!match) continue;
    const [pidFile, jsonFile] = runFiles(Number(match[1]));
    const state = readRunFiles(pidFile, jsonFile);
    if (state) states.set(Number(match[1]), state);
  }
  const legacy = readRunFiles(path.join(runDir(), 'broker.pid'), path.join(runDir(), 'broker.json'));
  if (legacy) {
    const port = portOf(legacy.brokers);
    if (!states.has(port)) states.set(port, legacy);
  }
  return states;
}

/**
 * The JVM of the broker this script started on `port` (`start --port`), while it still runs; read
 * only (a benchmark measuring the broker's CPU, say): the files of a broker that is gone stay.
 * @param {number} port
 * @returns {number | undefined}
 */
export function runningBrokerPid(port) {
  const state = readRunStates().get(port);
  return state !== undefined && isOurBroker(state.pid, state.dir) ? state.pid : undefined;
}

/** @param {string} brokers `127.0.0.1:PORT` */
function portOf(brokers) {
  return Number(brokers.slice(brokers.lastIndexOf(':') + 1));
}

/**
 * The recorded brokers still running; the files of those that are gone (killed, machine
 * restarted) are removed with their directories.
 * @returns {Promise<Map<number, RunState>>}
 */
async function liveRunStates() {
  const live = new Map();
  for (const [port, state] of readRunStates()) {
    if (isOurBroker(state.pid, state.dir)) live.set(port, state);
    else await forget(state);
  }
  return live;
}

/** @param {RunState} state */
async function forget(state) {
  await fsp.rm(state.dir, { recursive: true, force: true });
  for (const file of state.files) fs.rmSync(file, { force: true });
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

/** @param {Map<number, RunState>} live */
function listBrokers(live) {
  return [...live]
    .sort(([a], [b]) => a - b)
    .map(([port, state]) => `  --port ${port}  pid ${state.pid}  KAFKA_BROKERS=${state.brokers}\n`)
    .join('');
}

/**
 * `start`: a new broker on free ports, or on `--port N`; a broker this script started on that port
 * and still running is reused (its address printed again). Without a port, never someone else's:
 * each caller gets a broker of its own, which `stop --port N` stops.
 * @param {number | undefined} port
 */
async function cliStart(port) {
  if (port !== undefined) {
    const running = (await liveRunStates()).get(port);
    if (running) {
      process.stderr.write(`kafka-broker: already running on port ${port} (pid ${running.pid})\n`);
      process.stdout.write(`KAFKA_BROKERS=${running.brokers}\n`);
      return;
    }
  }
  const started = Date.now();
  const broker = await launch({ detached: true, port });
  await fsp.mkdir(runDir(), { recursive: true });
  const [pidFile, jsonFile] = runFiles(portOf(broker.brokers));
  fs.writeFileSync(jsonFile, JSON.stringify({ brokers: broker.brokers, dir: broker.dir }));
  fs.writeFileSync(pidFile, `${broker.pid}\n`);
  process.stderr.write(
    `kafka-broker: pid ${broker.pid} ready in ${((Date.now() - started) / 1000).toFixed(1)}s; ` +
      `log ${broker.logFile}; pid file ${pidFile}\n`,
  );
  process.stdout.write(`KAFKA_BROKERS=${broker.brokers}\n`);
}

/**
 * `stop --port N` stops the broker on that port; `stop` alone stops the only one running, and with
 * several running stops none (it cannot know whose is whose) but lists them. Exit code 1 when
 * nothing was stopped.
 * @param {number | undefined} port
 */
async function cliStop(port) {
  const live = await liveRunStates();
  let target;
  if (port !== undefined) {
    target = live.get(port);
    if (!target) {
      process.stderr.write(`kafka-broker: none running on port ${port}\n${listBrokers(live)}`);
      return 1;
    }
  } else if (live.size === 1) {
    target = [...live.values()][0];
  } else {
    process.stderr.write(
      live.size === 0
        ? 'kafka-broker: not running\n'
        : `kafka-broker: ${live.size} brokers running; stop one with --port N:\n${listBrokers(live)}`,
    );
    return 1;
  }
  /** @type {ClassDataSharing | undefined} */
  let cds;
  try {
    cds = JSON.parse(fs.readFileSync(path.join(target.dir, 'broker.json'), 'utf8')).cds;
  } catch {
    // started by an older version of this script
  }
  const clean = await terminate(target.pid);
  if (cds) publishArchive({ ...cds, jvmArgs: [] }, clean);
  await forget(target);
  process.stderr.write(`kafka-broker: stopped ${target.brokers} (pid ${target.pid})\n`);
  return 0;
}

/** `status`: every running CLI broker; exit code 1 when none runs. */
async function cliStatus() {
  const live = await liveRunStates();
  if (live.size === 0) {
    process.stderr.write('kafka-broker: not running\n');
    return 1;
  }
  if (live.size === 1) process.stdout.write(`KAFKA_BROKERS=${[...live.values()][0].brokers}\n`);
  else process.stdout.write(listBrokers(live));
  return 0;
}

/** `--port N` or `--port=N`: a fixed client port, e.g. to keep KAFKA_BROKERS across restarts. */
function portArgument(args) {
  const index = args.findIndex((arg) => arg === '--port' || arg.startsWith('--port='));
  if (index < 0) return undefined;
  const value = args[index].includes('=') ? args[index].split('=')[1] : args[index + 1];
  const port = Number(value);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`Invalid --port ${value}`);
  return port;
}

async function main(command) {
  switch (command) {
    case 'start': {
      const port = portArgument(process.argv.slice(3));
      await cliStart(port);
      return 0;
    }
    case 'stop':
      return cliStop(portArgument(process.argv.slice(3)));
    case 'status':
      return cliStatus();
    case 'cluster': {
      // Foreground: the nodes live as long as this process (Ctrl-C stops them and removes their files).
      const nodes = Number(
        process.argv
          .slice(3)
          .find((a) => /^--nodes=\d+$/.test(a))
          ?.split('=')[1] ?? 3,
      );
      const cluster = await startCluster({ nodes });
      process.stderr.write(
        `kafka-broker: ${nodes}-node KRaft cluster up (replication factor ${Math.min(3, nodes)}, ` +
          `min.insync.replicas ${Math.max(1, Math.min(3, nodes) - 1)}); Ctrl-C stops it\n`,
      );
      process.stdout.write(`KAFKA_BROKERS=${cluster.brokers}\n`);
      await new Promise((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await cluster.stop();
      return 0;
    }
    case 'jars':
      process.stdout.write(`${await ensureJars()}\n`);
      return 0;
    default:
      process.stderr.write(
        'usage: node deploy/local/kafka/kafka-broker.mjs start [--port N]|stop [--port N]|status|cluster [--nodes=3]|jars\n',
      );
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
