import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { Topics } from '@switchboard/contracts';
import { inboundMessageEvent, testRunId, waitFor } from '@switchboard/testing';
import { EventBusUnavailableError } from '../event-bus.js';
import { readTopic } from '../testing/kafka-inspection.util.js';
import { KafkaEventBus } from './kafka-event-bus.js';

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
      // Produce v3–v8 answers: correlation id, topics (count, name), partitions (count, index,
      // error code). Later versions are encoded otherwise: passed as they are (and not counted).
      if (version !== undefined && version >= 3 && version <= 8) {
        const errorAt = 4 + 4 + 4 + 2 + frame.readInt16BE(12) + 4 + 4;
        frame.writeInt16BE(MESSAGE_TOO_LARGE, errorAt);
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

// kafkajs opens every connection through `net.connect` (its default socket factory): connections
// to the test broker go through the proxy, by the port the broker advertises.
const originalConnect = net.connect.bind(net) as (options: net.NetConnectOpts) => net.Socket;
const proxy = new ProduceAnswerFailer();

/**
 * An idempotent producer numbers each partition's batches; the broker takes a batch whose numbers
 * it has already written for that producer for a retry of it, and acknowledges it without writing
 * it again. kafkajs takes back the numbers of a request that failed: when the broker had written
 * it all the same, the next batch of as many records under that producer gets the same numbers,
 * and is acknowledged and never written. An acknowledged event lost, unless a failed request's
 * producer is never used again.
 */
describe('KafkaEventBus (kafkajs): a publish whose answer was lost', () => {
  const topicPrefix = `${testRunId()}.lost-answer-${randomUUID().slice(0, 8)}.`;
  let bus: KafkaEventBus | undefined;

  beforeAll(async () => {
    await proxy.start(brokerPorts);
    (net as unknown as { connect: unknown }).connect = (
      options: net.NetConnectOpts | number,
      ...rest: unknown[]
    ): net.Socket => {
      if (typeof options === 'object' && 'port' in options && proxy.ports.has(Number(options.port))) {
        const socket = originalConnect({
          ...options,
          host: '127.0.0.1',
          port: proxy.ports.get(Number(options.port))!,
        });
        if (typeof rest[0] === 'function') socket.once('connect', rest[0] as () => void);
        return socket;
      }
      return (originalConnect as (...args: unknown[]) => net.Socket)(options, ...rest);
    };
  });

  afterAll(async () => {
    await bus?.close();
    (net as unknown as { connect: unknown }).connect = originalConnect;
    await proxy.close();
  }, 60_000);

  it('does not make the next publish on its producer vanish', async () => {
    bus = new KafkaEventBus({
      brokers,
      clientId: 'lost-answer',
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
    proxy.failing = true;
    const unanswered = inboundMessageEvent();
    const error = await bus.emit(unanswered).catch((e: unknown) => e);
    proxy.failing = false;
    expect(error).toBeInstanceOf(EventBusUnavailableError);
    expect(proxy.failed).toBe(1);

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
