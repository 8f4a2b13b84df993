import type { Consumer, KafkaRecord, RecordsBatch } from '@platformatic/kafka';
import { type FetchedPartition, rawRecordsOf, tapFetchedRecords } from './fetched-records.js';

const CONTROL = 1 << 5;

const record = (
  offsetDelta: number,
  value: string,
  headers: [string, string | null][] = [],
): KafkaRecord => ({
  length: 0,
  attributes: 0,
  timestampDelta: 0n,
  offsetDelta,
  key: Buffer.from(`key-${offsetDelta}`),
  value: Buffer.from(value),
  headers: headers.map(([name, v]) => [Buffer.from(name), v === null ? null : Buffer.from(v)]),
});

const batch = (firstOffset: bigint, records: KafkaRecord[], attributes = 0): RecordsBatch => ({
  firstOffset,
  length: 0,
  partitionLeaderEpoch: 0,
  magic: 2,
  crc: 0,
  attributes,
  lastOffsetDelta: records.length - 1,
  firstTimestamp: 0n,
  maxTimestamp: 0n,
  producerId: 1n,
  producerEpoch: 0,
  firstSequence: 0,
  records,
});

interface FakeResponse {
  responses: { topicId: string; partitions: { partitionIndex: number; records?: RecordsBatch[] }[] }[];
}

/** A consumer whose fetches answer what the test queues, and whose metadata names topic ids. */
function fakeConsumer(topicIds: Record<string, string>) {
  const answers: [Error | null, FakeResponse | undefined][] = [];
  let metadataCalls = 0;
  const consumer = {
    topics: { current: Object.keys(topicIds) },
    fetch(_options: unknown, callback: (error: Error | null, response?: FakeResponse) => void) {
      const [error, response] = answers.shift()!;
      setImmediate(() => callback(error, response));
    },
    metadata(_options: unknown, callback: (error: Error | null, metadata?: unknown) => void) {
      metadataCalls += 1;
      const topics = new Map(Object.entries(topicIds).map(([name, id]) => [name, { id }]));
      setImmediate(() => callback(null, { topics }));
    },
  };
  return {
    consumer: consumer as unknown as Consumer,
    answer: (error: Error | null, response?: FakeResponse) => answers.push([error, response]),
    metadataCalls: () => metadataCalls,
  };
}

const fetchOptions = (fetchOffset: bigint) => ({
  node: 1,
  topics: [
    {
      topicId: 'id-a',
      partitions: [
        { partition: 3, fetchOffset, currentLeaderEpoch: 0, lastFetchedEpoch: 0, partitionMaxBytes: 1 },
      ],
    },
  ],
});

const fetchThrough = (consumer: Consumer, fetchOffset: bigint) =>
  new Promise<[Error | null, FakeResponse | undefined]>((resolve) =>
    (consumer.fetch as unknown as (o: unknown, cb: (e: Error | null, r?: FakeResponse) => void) => void)(
      fetchOptions(fetchOffset),
      (error, response) => resolve([error, response]),
    ),
  );

describe('tapFetchedRecords', () => {
  it("delivers each partition's data batches and leaves the stream the batches without their records", async () => {
    const fake = fakeConsumer({ 'sb.inbound': 'id-a' });
    const delivered: FetchedPartition[] = [];
    tapFetchedRecords(fake.consumer, (fetched) => delivered.push(fetched));
    const data = batch(40n, [record(0, 'a'), record(1, 'b')]);
    const marker = batch(42n, [record(0, '')], CONTROL);
    fake.answer(null, {
      responses: [{ topicId: 'id-a', partitions: [{ partitionIndex: 3, records: [data, marker] }] }],
    });

    const [error, response] = await fetchThrough(fake.consumer, 41n);

    expect(error).toBeNull();
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({ topic: 'sb.inbound', partition: 3, fetchOffset: 41n });
    expect(delivered[0]!.batches.map((b) => b.records.length)).toEqual([2]);
    const [left, control] = response!.responses[0]!.partitions[0]!.records!;
    // The stream still tracks where to fetch next (first offset, last delta), with nothing to push.
    expect(left).toMatchObject({ firstOffset: 40n, lastOffsetDelta: 1, records: [] });
    expect(control!.records).toHaveLength(1);
    // Topic ids named once, from the metadata; the next fetch needs no lookup.
    fake.answer(null, { responses: [{ topicId: 'id-a', partitions: [{ partitionIndex: 3, records: [] }] }] });
    await fetchThrough(fake.consumer, 42n);
    expect(fake.metadataCalls()).toBe(1);
  });

  it('delivers nothing of a fetch that failed, and passes its error on', async () => {
    const fake = fakeConsumer({ 'sb.inbound': 'id-a' });
    const delivered: FetchedPartition[] = [];
    tapFetchedRecords(fake.consumer, (fetched) => delivered.push(fetched));
    const failure = new Error('broker gone');
    fake.answer(failure, undefined);

    const [error] = await fetchThrough(fake.consumer, 0n);

    expect(error).toBe(failure);
    expect(delivered).toEqual([]);
  });

  it('fails a fetch of a topic its metadata does not name rather than drop its records', async () => {
    const fake = fakeConsumer({ 'sb.inbound': 'id-a' });
    const delivered: FetchedPartition[] = [];
    tapFetchedRecords(fake.consumer, (fetched) => delivered.push(fetched));
    const data = batch(0n, [record(0, 'a')]);
    fake.answer(null, {
      responses: [{ topicId: 'id-z', partitions: [{ partitionIndex: 0, records: [data] }] }],
    });

    const [error] = await fetchThrough(fake.consumer, 0n);

    expect(error?.message).toMatch(/id-z/);
    expect(delivered).toEqual([]);
    expect(data.records).toHaveLength(1);
  });
});

describe('rawRecordsOf', () => {
  it('gives keys and headers as strings, values as the fetched bytes, offsets in decimal', () => {
    const value = 'x'.repeat(10);
    const records = rawRecordsOf(
      {
        topic: 'sb.inbound',
        partition: 2,
        fetchOffset: 7n,
        batches: [
          batch(7n, [
            record(0, value, [
              ['x-event-type', 'a@1'],
              ['empty', null],
            ]),
            record(1, 'y'),
          ]),
        ],
      },
      'inbound',
    );
    expect(records).toEqual([
      {
        topic: 'inbound',
        partition: 2,
        offset: '7',
        key: 'key-0',
        value: Buffer.from(value),
        headers: { 'x-event-type': 'a@1', empty: undefined },
      },
      { topic: 'inbound', partition: 2, offset: '8', key: 'key-1', value: Buffer.from('y'), headers: {} },
    ]);
  });

  it('skips the records of a batch that come before the offset fetched', () => {
    const records = rawRecordsOf(
      {
        topic: 't',
        partition: 0,
        fetchOffset: 12n,
        batches: [batch(10n, [record(0, 'a'), record(1, 'b'), record(2, 'c')])],
      },
      't',
    );
    expect(records.map((r) => r.offset)).toEqual(['12']);
  });

  it('keeps offsets exact beyond what a Number holds', () => {
    const base = 2n ** 60n;
    const records = rawRecordsOf(
      {
        topic: 't',
        partition: 0,
        fetchOffset: base,
        batches: [batch(base, [record(0, 'a'), record(3, 'b')])],
      },
      't',
    );
    expect(records.map((r) => r.offset)).toEqual([String(base), String(base + 3n)]);
  });

  it('takes a record without a key as null', () => {
    const keyless = { ...record(0, 'a'), key: null };
    const [only] = rawRecordsOf(
      { topic: 't', partition: 0, fetchOffset: 0n, batches: [batch(0n, [keyless])] },
      't',
    );
    expect(only!.key).toBeNull();
  });

  it('takes the records read from the response (fetch-response.ts) as they are, text already', () => {
    const value = Buffer.from('{"id":1}');
    const records = rawRecordsOf(
      {
        topic: 'switchboard.inbound',
        partition: 2,
        fetchOffset: 41n,
        batches: [
          {
            ...batch(40n, []),
            records: [
              { offsetDelta: 0, key: 'old', value, headers: {} },
              { offsetDelta: 1, key: 'sender', value, headers: { 'event-type': 'x@1' } },
              { offsetDelta: 2, key: null, value: null, headers: {} },
            ],
          },
        ],
      },
      'inbound',
    );
    expect(records).toEqual([
      {
        topic: 'inbound',
        partition: 2,
        offset: '41',
        key: 'sender',
        value,
        headers: { 'event-type': 'x@1' },
      },
      { topic: 'inbound', partition: 2, offset: '42', key: null, value: null, headers: {} },
    ]);
  });
});
