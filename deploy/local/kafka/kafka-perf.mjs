// @ts-check
/**
 * Kafka's own perf tools (kafka-tools 4.1.1: ProducerPerformance, EndToEndLatency), run with the
 * jars kafka-broker.mjs caches, against a running broker. A baseline to hold our own producer
 * and consumer figures against: the producer side runs with acks=all and idempotence on, as ours.
 *
 *   const { brokers, stop } = await startBroker();
 *   const produce = await runProducerPerformance({ brokers, topic: 'perf', numRecords: 50_000, recordSize: 512 });
 *   const e2e = await runEndToEndLatency({ brokers, topic: 'perf-e2e', numMessages: 1_000, recordSize: 512 });
 */
import { spawn } from 'node:child_process';
import { clearTimeout, setTimeout } from 'node:timers';
import kafkajs from 'kafkajs';
import { classpath, ensureJars, findJava } from './kafka-broker.mjs';

const { Kafka, logLevel } = kafkajs;

// -Duser.language=en: the tools print with String.format, whose decimal separator follows the locale.
const TOOL_JVM = ['-Xmx512m', '-Duser.language=en', '-Duser.country=US', '-Djava.awt.headless=true'];
const DEFAULT_TIMEOUT_MS = 5 * 60_000;

/**
 * @typedef {object} ProducerPerformanceResult
 * @property {number} recordsPerSec
 * @property {number} mbPerSec
 * @property {number} avgLatencyMs
 * @property {number} maxLatencyMs
 * @property {number} p50Ms
 * @property {number} p95Ms
 * @property {number} p99Ms
 * @property {number} p999Ms
 */

/**
 * `org.apache.kafka.tools.ProducerPerformance` (kafka-producer-perf-test). Latency here is send to
 * acknowledgement.
 * @param {object} options
 * @param {string} options.brokers bootstrap servers, `host:port[,host:port]`
 * @param {string} options.topic created (1 partition) if missing: the broker does not auto-create
 * @param {number} options.numRecords
 * @param {number} options.recordSize bytes
 * @param {number} [options.throughput] records/s cap; -1 for none
 * @param {Record<string, string | number | boolean>} [options.producerProps] on top of (and
 *   overriding) `acks=all`, `enable.idempotence=true`
 * @param {number} [options.timeoutMs] kill the tool after this long
 * @returns {Promise<ProducerPerformanceResult>}
 */
export async function runProducerPerformance({
  brokers,
  topic,
  numRecords,
  recordSize,
  throughput = -1,
  producerProps = {},
  timeoutMs = DEFAULT_TIMEOUT_MS,
}) {
  await ensureTopic(brokers, topic);
  const props = {
    'bootstrap.servers': brokers,
    acks: 'all',
    'enable.idempotence': true,
    ...producerProps,
  };
  const output = await runTool(
    'org.apache.kafka.tools.ProducerPerformance',
    [
      '--topic',
      topic,
      '--num-records',
      String(numRecords),
      '--record-size',
      String(recordSize),
      '--throughput',
      String(throughput),
      '--producer-props',
      ...Object.entries(props).map(([key, value]) => `${key}=${String(value)}`),
    ],
    timeoutMs,
  );
  return parseProducerPerformance(output);
}

/**
 * The final summary line of ProducerPerformance (the periodic lines before it lack percentiles):
 * `N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency, P ms 50th,
 * P ms 95th, P ms 99th, P ms 99.9th.`
 * @param {string} output
 * @returns {ProducerPerformanceResult}
 */
export function parseProducerPerformance(output) {
  const summary = [
    ...output.matchAll(
      /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th/g,
    ),
  ].at(-1);
  if (!summary) throw new Error(`No ProducerPerformance summary in its output:\n${output.slice(-4000)}`);
  const [, , recordsPerSec, mbPerSec, avgLatencyMs, maxLatencyMs, p50Ms, p95Ms, p99Ms, p999Ms] =
    summary.map(Number);
  return { recordsPerSec, mbPerSec, avgLatencyMs, maxLatencyMs, p50Ms, p95Ms, p99Ms, p999Ms };
}

/**
 * @typedef {object} EndToEndLatencyResult
 * @property {number} avgMs
 * @property {number} p50Ms whole milliseconds (the tool truncates percentiles)
 * @property {number} p99Ms
 * @property {number} p999Ms
 */

/**
 * `org.apache.kafka.tools.EndToEndLatency`: sends one message at a time (acks=all, linger 0) and
 * polls it back with a consumer (fetch.max.wait.ms=0) before sending the next; latency is send to
 * receipt. CLI in 4.1.1: `broker_list topic num_messages producer_acks message_size_bytes
 * [properties_file]`.
 * @param {object} options
 * @param {string} options.brokers
 * @param {string} options.topic created (1 partition) if missing
 * @param {number} options.numMessages
 * @param {number} options.recordSize bytes
 * @param {number} [options.timeoutMs] kill the tool after this long
 * @returns {Promise<EndToEndLatencyResult>}
 */
export async function runEndToEndLatency({
  brokers,
  topic,
  numMessages,
  recordSize,
  timeoutMs = DEFAULT_TIMEOUT_MS,
}) {
  await ensureTopic(brokers, topic);
  const output = await runTool(
    'org.apache.kafka.tools.EndToEndLatency',
    [brokers, topic, String(numMessages), 'all', String(recordSize)],
    timeoutMs,
  );
  return parseEndToEndLatency(output);
}

/**
 * `Avg latency: 1.2345 ms` then `Percentiles: 50th = 1, 99th = 3, 99.9th = 7`.
 * @param {string} output
 * @returns {EndToEndLatencyResult}
 */
export function parseEndToEndLatency(output) {
  const avg = /Avg latency: ([\d.]+) ms/.exec(output);
  const percentiles = /Percentiles: 50th = (\d+), 99th = (\d+), 99\.9th = (\d+)/.exec(output);
  if (!avg || !percentiles)
    throw new Error(`No EndToEndLatency summary in its output:\n${output.slice(-4000)}`);
  const [, p50Ms, p99Ms, p999Ms] = percentiles.map(Number);
  return { avgMs: Number(avg[1]), p50Ms, p99Ms, p999Ms };
}

/** @param {string} brokers @param {string} topic */
async function ensureTopic(brokers, topic) {
  const kafka = new Kafka({
    clientId: 'switchboard-kafka-perf',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    // Resolves false, without throwing, when the topic exists already.
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
    });
  } finally {
    await admin.disconnect();
  }
}

/**
 * @param {string} mainClass @param {string[]} args @param {number} timeoutMs
 * @returns {Promise<string>} stdout and stderr, interleaved
 */
async function runTool(mainClass, args, timeoutMs) {
  const libs = await ensureJars();
  const java = findJava();
  return new Promise((resolve, reject) => {
    const child = spawn(java, [...TOOL_JVM, '-cp', classpath(libs), mainClass, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${mainClass} failed (exit ${code}, signal ${signal}):\n${output.slice(-4000)}`));
    });
  });
}
