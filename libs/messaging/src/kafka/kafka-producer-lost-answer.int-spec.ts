import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { jest } from '@jest/globals';
import { Topics } from '@switchboard/contracts';
import { inboundMessageEvent, testRunId, waitFor } from '@switchboard/testing';
import { EventBusUnavailableError } from '../event-bus.js';
import { readTopic } from '../testing/kafka-inspection.util.js';
import { KafkaEventBus, type KafkaEventBusOptions } from './kafka-event-bus.js';
import { loadPlatformaticKafkaEventBus } from './load-platformatic.js';

const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
const brokerPorts = new Set(brokers.map((b) => Number(b.slice(b.lastIndexOf(':') + 1))));

/**
 * Between the clients and the broker: passes everything, but while `failing` is on, answers each
 * produce request (the broker wrote its records) with an error instead of the broker's success.
 * What a client sees when a leader dies, or a connection breaks, after the write and before the
 * answer, once its retries run out; here at once and every time: MESSAGE_TOO_LARGE, which no
 * client retries.
 */
class ProduceAnswerFailer {
  failing = false;
  failed = 0;
  private readonly servers: net.Server[] = [];
  private readonly sockets = new Set<net.Socket>();
  /** Broker port → this proxy's port for it. */
  readonly ports = new Map<number, number>();

  async start(targets: Iterable<number>): Promise<void> {
    for (const target of targets) {
      const server = net.createServer((client) => this.relay(client, target));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      this.ports.set(target, (server.address() as net.AddressInfo).port);
      this.servers.push(server);
    }
  }

  private relay(client: net.Socket, target: number): void {
    const upstream = originalConnect({ host: '127.0.0.1', port: target });
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        this.sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    // Kafka frames: a 4-byte size, then (requests) api key, api version, correlation id, or
    // (responses) the correlation id.
    const toFail = new Map<number, number>();
    frames(client, (frame) => {
      if (this.failing && frame.readInt16BE(4) === 0) toFail.set(frame.readInt32BE(8), frame.readInt16BE(6));
      upstream.write(frame);
    });
    frames(upstream, (frame) => {
      const version = toFail.get(frame.readInt32BE(4));
      toFail.delete(frame.readInt32BE(4));
      // Produce v0–v2 answers are passed as they are (and not counted): no client here sends them.
      if (version !== undefined && version >= 3) {
        frame.writeInt16BE(MESSAGE_TOO_LARGE, produceErrorCodeAt(frame, version));
        this.failed += 1;
      }
      client.write(frame);
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.servers.map((s) => new Promise((r) => s.close(r))));
  }
}

const MESSAGE_TOO_LARGE = 10;

/**
 * Where a Produce answer (its frame, size first) holds its first partition's error code: after the
 * correlation id, the first topic's name and its partition index. v3–v8 (kafkajs): int16-sized
 * name, int32 counts. v9 on (@platformatic/kafka): a response header with tagged fields, then
 * compact arrays and strings, whose lengths are unsigned varints of the length plus one.
 */
function produceErrorCodeAt(frame: Buffer, version: number): number {
  if (version <= 8) return 4 + 4 + 4 + 2 + frame.readInt16BE(12) + 4 + 4;
  let at = 4 + 4;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = frame[at++]!;
      value |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value;
    }
  };
  for (let fields = varint(); fields > 0; fields -= 1) {
    varint(); // its tag
    const size = varint();
    at += size;
  }
  varint(); // topics
  const nameLength = varint() - 1;
  at += nameLength; // the first one's name
  varint(); // its partitions
  return at + 4; // after the first one's index
}

function frames(socket: net.Socket, onFrame: (frame: Buffer) => void): void {
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      const size = 4 + pending.readInt32BE(0);
      onFrame(pending.subarray(0, size));
      pending = pending.subarray(size);
    }
  });
}

/**
 * Connections to the test broker go through the proxy, by the port the broker advertises. kafkajs
 * opens every connection through `net.connect` (its default socket factory), which it reads from
 * the module when it connects: replaced on the module. @platformatic/kafka calls `createConnection`,
 * which it imports from `node:net`; under jest a core module's named imports are copies made when
 * the first module importing it links (this file, before any test runs), and neither replacing
 * `net.createConnection` nor `syncBuiltinESMExports()` reaches them. So `node:net` is mocked,
 * with `createConnection` through the proxy, for the modules loaded after that: the adapter and
 * @platformatic/kafka, which nothing loads before `loadPlatformaticKafkaEventBus()`.
 */
type Connect = (options: net.NetConnectOpts, connectListener?: () => void) => net.Socket;
const originalConnect = net.connect.bind(net) as Connect;
const proxy = new ProduceAnswerFailer();

function throughProxy(original: Connect): Connect {
  return (options, ...rest) => {
    const target = typeof options === 'object' && 'port' in options ? Number(options.port) : undefined;
    const port = target === undefined ? undefined : proxy.ports.get(target);
    if (port === undefined) return (original as (...args: unknown[]) => net.Socket)(options, ...rest);
    return original({ ...options, host: '127.0.0.1', port }, ...rest);
  };
}

const adapters: [string, (options: KafkaEventBusOptions) => Promise<KafkaEventBus>][] = [
  ['kafkajs', (options) => Promise.resolve(new KafkaEventBus(options))],
  ['@platformatic/kafka', async (options) => new (await loadPlatformaticKafkaEventBus())(options)],
];

beforeAll(async () => {
  await proxy.start(brokerPorts);
  (net as unknown as { connect: Connect }).connect = throughProxy(originalConnect);
  const createConnection = throughProxy(net.createConnection.bind(net));
  jest.unstable_mockModule('node:net', () => ({ ...net, default: net, createConnection }));
});

afterAll(async () => {
  (net as unknown as { connect: Connect }).connect = originalConnect;
  await proxy.close();
}, 60_000);

/**
 * An idempotent producer numbers each partition's batches; the broker takes a batch whose numbers
 * it has already written for that producer for a retry of it, and acknowledges it without writing
 * it again. Both clients take back the numbers of a request that failed: when the broker had
 * written it all the same, the next batch of as many records under that producer gets the same
 * numbers, and is acknowledged and never written. An acknowledged event lost, unless a failed
 * request's producer is never used again (ADR 0125), which both adapters' lanes see to.
 */
describe.each(adapters)('the Kafka event bus (%s): a publish whose answer was lost', (name, openBus) => {
  const topicPrefix = `${testRunId()}.lost-answer-${randomUUID().slice(0, 8)}.`;
  let bus: KafkaEventBus | undefined;

  afterAll(async () => {
    await bus?.close();
  }, 60_000);

  it('does not make the next publish on its producer vanish', async () => {
    bus = await openBus({
      brokers,
      clientId: `lost-answer-${name.replace(/\W/g, '')}`,
      topicPrefix,
      partitions: 1,
      replicationFactor: 1,
      producerLanes: 1,
    });
    const first = inboundMessageEvent();
    await waitFor(
      () =>
        bus!.emit(first).then(
          () => true,
          () => false,
        ),
      {
        timeoutMs: 60_000,
        intervalMs: 500,
        what: 'a publish acknowledged',
      },
    );

    // Written by the broker, but the publisher is told it failed: its caller will publish it
    // again later, as history's outbox relay does.
    const failedBefore = proxy.failed;
    proxy.failing = true;
    const unanswered = inboundMessageEvent();
    const error = await bus.emit(unanswered).catch((e: unknown) => e);
    proxy.failing = false;
    expect(error).toBeInstanceOf(EventBusUnavailableError);
    expect(proxy.failed - failedBefore).toBe(1);

    // The next event, one record on the same partition like the one before: acknowledged…
    const next = inboundMessageEvent();
    await waitFor(
      () =>
        bus!.emit(next).then(
          () => true,
          () => false,
        ),
      {
        timeoutMs: 60_000,
        intervalMs: 500,
        what: 'the next publish acknowledged',
      },
    );
    // …and so in the log. (The unanswered one may be there twice: consumers dedupe by id.)
    const ids = (await readTopic(brokers, `${topicPrefix}${Topics.inbound}`)).map(
      (r) => (JSON.parse(r.value ?? '{}') as { id?: string }).id,
    );
    expect({
      first: ids.includes(first.id),
      unanswered: ids.includes(unanswered.id),
      next: ids.includes(next.id),
    }).toEqual({
      first: true,
      unanswered: true,
      next: true,
    });
  }, 120_000);
});
