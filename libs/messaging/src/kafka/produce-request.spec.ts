import { jest } from '@jest/globals';
import { type Producer, kGetApi, produceV11 } from '@platformatic/kafka';
import {
  type ProduceMessage,
  type ProduceOptions,
  encodeProduceRequest,
  encodeProduceRequestsHere,
} from './produce-request.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

/** Messages as the producer hands them over: several topics and partitions, interleaved. */
function messages(): ProduceMessage[] {
  const at = 1_765_000_000_000n;
  return [
    {
      topic: 'sb.conversations',
      partition: 3,
      timestamp: at,
      key: bytes('c-1'),
      value: bytes('{"a":1}'),
      headers: new Map([[bytes('event-type'), bytes('x@1')]]),
    },
    {
      topic: 'sb.inbound',
      partition: 0,
      timestamp: at + 2n,
      key: null,
      value: bytes('é'.repeat(300)),
      headers: new Map(),
    },
    {
      topic: 'sb.conversations',
      partition: 1,
      timestamp: at + 1n,
      key: bytes('c-2'),
      value: bytes('x'.repeat(20_000)),
      headers: new Map([
        [bytes('traceparent'), bytes('00-ab-cd-01')],
        [bytes('empty'), null],
      ]),
    },
    {
      topic: 'sb.conversations',
      partition: 3,
      timestamp: at + 130n,
      key: bytes('c-1'),
      value: null,
      headers: null,
    },
    { topic: 'sb.conversations', partition: 3, timestamp: at - 5n, key: bytes(''), value: bytes('') },
  ];
}

const sequences = new Map([
  ['sb.conversations:3', 41],
  ['sb.inbound:0', 2_000_000],
]);
const options: ProduceOptions = {
  compression: 'none',
  producerId: 123_456_789_012n,
  producerEpoch: 7,
  sequences: { getWithDefault: (key, fallback) => sequences.get(key) ?? fallback },
};

describe('encodeProduceRequest', () => {
  it("writes the same bytes as the client's own Produce v11 encoder", () => {
    const ours = encodeProduceRequest(-1, 30_000, messages(), options);
    const theirs = produceV11.createRequest(-1, 30_000, messages() as never, options as never).buffer;
    expect(ours.toString('hex')).toBe(theirs.toString('hex'));
  });

  it('writes a key or value given as a string as its UTF-8 bytes', () => {
    const asStrings = messages().map((m) => ({
      ...m,
      key: Buffer.isBuffer(m.key) ? m.key.toString('utf8') : m.key,
      value: Buffer.isBuffer(m.value) ? m.value.toString('utf8') : m.value,
    }));
    expect(encodeProduceRequest(-1, 30_000, asStrings, options)).toEqual(
      encodeProduceRequest(-1, 30_000, messages(), options),
    );
  });

  it('matches it for one message without a timestamp, partition or producer, as the client defaults them', () => {
    const one = (): ProduceMessage[] => [{ topic: 't', key: bytes('k'), value: bytes('v') }];
    // "Now" is the timestamp on both sides.
    const now = jest.spyOn(Date, 'now').mockReturnValue(1_765_000_000_000);
    try {
      const ours = encodeProduceRequest(1, 0, one(), {});
      const theirs = produceV11.createRequest(1, 0, one() as never, {}).buffer;
      expect(ours.toString('hex')).toBe(theirs.toString('hex'));
    } finally {
      now.mockRestore();
    }
  });
});

describe('encodeProduceRequestsHere', () => {
  type Api = ((...args: unknown[]) => void) & { key: number; version: number };
  /** A producer whose API lookup answers the given Produce version, recording the client's own encoder's calls. */
  function producerWith(version: number) {
    const clientCalls: unknown[][] = [];
    const api = Object.assign((...args: unknown[]) => void clientCalls.push(args), {
      key: 0,
      version,
    }) as Api;
    const producer = {
      [kGetApi]: (name: string, callback: (error: Error | null, found?: unknown) => void) =>
        callback(null, name === 'Produce' ? api : 'another api'),
    };
    encodeProduceRequestsHere(producer as unknown as Producer<string, string, Buffer, Buffer>);
    const lookup = (name: string) =>
      new Promise<Api | string>((resolve) =>
        (producer[kGetApi] as (n: string, cb: (e: Error | null, a?: Api | string) => void) => void)(
          name,
          (_, a) => resolve(a!),
        ),
      );
    return { api, lookup, clientCalls };
  }

  it('sends Produce v11 requests it encoded itself, with the API version and the response parser of v11', async () => {
    const { api, lookup, clientCalls } = producerWith(11);
    const ours = (await lookup('Produce')) as Api;
    expect(ours).not.toBe(api);
    expect(ours.version).toBe(11);
    const sent: unknown[][] = [];
    const connection = { send: (...args: unknown[]) => void sent.push(args) };
    ours(connection, -1, 30_000, messages(), options, () => undefined);
    expect(clientCalls).toEqual([]);
    const [key, version, createPayload, parser] = sent[0]! as [
      number,
      number,
      () => { buffer: Buffer },
      unknown,
    ];
    expect([key, version, parser]).toEqual([0, 11, produceV11.parseResponse]);
    expect(createPayload().buffer).toEqual(encodeProduceRequest(-1, 30_000, messages(), options));
    expect(await lookup('Metadata')).toBe('another api');
  });

  it("leaves a compressed request to the client's encoder, its strings made bytes, and a request of another version", async () => {
    const { lookup, clientCalls } = producerWith(11);
    const ours = (await lookup('Produce')) as Api;
    const withStrings: ProduceMessage[] = [{ topic: 't', partition: 0, key: 'k', value: 'v' }];
    ours({}, -1, 30_000, withStrings, { ...options, compression: 'gzip' }, () => undefined);
    expect(clientCalls).toHaveLength(1);
    expect((clientCalls[0]![3] as ProduceMessage[])[0]).toMatchObject({ key: bytes('k'), value: bytes('v') });

    const old = producerWith(8);
    const v8 = (await old.lookup('Produce')) as Api;
    v8({}, -1, 30_000, withStrings, options, () => undefined);
    expect((old.clientCalls[0]![3] as ProduceMessage[])[0]).toMatchObject({
      key: bytes('k'),
      value: bytes('v'),
    });
  });
});
