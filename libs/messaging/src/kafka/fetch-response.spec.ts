import {
  IS_CONTROL,
  type KafkaRecord,
  Reader,
  ResponseError,
  Writer,
  createRecordsBatch,
  readRecordsBatches,
} from '@platformatic/kafka';
import {
  type FetchedRecordsBatch,
  type TextRecord,
  parseFetchResponse,
  readRecordBatches,
} from './fetch-response.js';

interface Message {
  key: string | null;
  value: Buffer | null;
  headers?: [string, string | null][];
  timestamp?: bigint;
}

/** One record batch as a producer writes it (the client's own encoder), at the offset the broker would give it. */
function batchBytes(firstOffset: bigint, messages: Message[], compression: 'none' | 'gzip' = 'none'): Buffer {
  const encoded = createRecordsBatch(
    messages.map((m) => ({
      topic: 'orders',
      key: (m.key === null ? null : Buffer.from(m.key)) as Buffer,
      value: m.value as Buffer,
      headers: new Map(
        (m.headers ?? []).map(([name, v]) => [Buffer.from(name), v === null ? null : Buffer.from(v)]),
      ) as Map<Buffer, Buffer>,
      timestamp: m.timestamp ?? 1_765_000_000_000n,
    })),
    { compression, producerId: 7n, producerEpoch: 1, firstSequence: 3 },
  ).buffer;
  encoded.writeBigInt64BE(firstOffset, 0);
  return encoded;
}

/** What the bus takes of a record, whichever reader read it. */
function asText(record: KafkaRecord | TextRecord): TextRecord {
  if (!Array.isArray(record.headers)) return record as TextRecord;
  const client = record as KafkaRecord;
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of client.headers) if (name !== null) headers[name.toString()] = value?.toString();
  return {
    offsetDelta: client.offsetDelta,
    key: client.key === null ? null : client.key.toString(),
    value: client.value,
    headers,
  };
}

/** Both readers on the same bytes: the batches' fields, and their records as the bus takes them. */
function bothReaders(bytes: Buffer) {
  const strip = (batches: readonly FetchedRecordsBatch[]) =>
    batches.map(({ records, ...fields }) => ({ fields, records: records.map(asText) }));
  return {
    ours: strip(readRecordBatches(bytes)),
    client: strip(readRecordsBatches(Reader.from(bytes))),
  };
}

describe('readRecordBatches', () => {
  it("reads uncompressed batches as the client's reader does, records straight to text", () => {
    const messages: Message[] = [
      {
        key: 'sender-1',
        value: Buffer.from('{"a":1}'),
        headers: [['event-type', 'inbound.message.received@1']],
      },
      { key: null, value: Buffer.from('no key') },
      { key: 'nothing', value: null, headers: [['gone', null]] },
      { key: 'ünïcødé ✓', value: Buffer.from('ünïcødé value ✓'), headers: [['naïve', 'café']] },
      // A value and a header long enough for varints of several bytes.
      { key: 'big', value: Buffer.alloc(20_000, 'x'), headers: [['long', 'y'.repeat(300)]] },
      { key: 'later', value: Buffer.from('later'), timestamp: 1_765_000_999_999n },
    ];
    const bytes = Buffer.concat([
      batchBytes(0n, messages.slice(0, 3)),
      batchBytes(3n, messages.slice(3)),
      batchBytes(2n ** 60n, [{ key: 'far', value: Buffer.from('far') }]),
    ]);

    const { ours, client } = bothReaders(bytes);

    expect(ours).toEqual(client);
    expect(ours.map((b) => b.records.length)).toEqual([3, 3, 1]);
    expect(ours[1]!.records[1]!.value!.length).toBe(20_000);
    expect(ours[2]!.fields.firstOffset).toBe(2n ** 60n);
    expect(readRecordBatches(bytes)[0]!.records[0]).toEqual({
      offsetDelta: 0,
      key: 'sender-1',
      value: Buffer.from('{"a":1}'),
      headers: { 'event-type': 'inbound.message.received@1' },
    });
  });

  it("leaves a compressed batch to the client's reader", () => {
    const bytes = Buffer.concat([
      batchBytes(10n, [{ key: 'plain', value: Buffer.from('plain') }]),
      batchBytes(
        11n,
        [
          { key: 'zipped-1', value: Buffer.from('z'.repeat(1_000)) },
          { key: 'zipped-2', value: Buffer.from('second') },
        ],
        'gzip',
      ),
    ]);

    const { ours, client } = bothReaders(bytes);

    expect(ours).toEqual(client);
    expect(ours[1]!.records.map((r) => r.key)).toEqual(['zipped-1', 'zipped-2']);
    expect(Array.isArray(readRecordBatches(bytes)[1]!.records[0]!.headers)).toBe(true);
  });

  it("leaves a control batch to the client's reader, as the stream reads its markers", () => {
    const control = batchBytes(20n, [
      { key: '\u0000\u0000\u0000\u0001', value: Buffer.from([0, 0, 0, 0, 0, 0]) },
    ]);
    control.writeInt16BE(control.readInt16BE(21) | IS_CONTROL, 21);

    const [batch] = readRecordBatches(control);

    expect(batch!.attributes & IS_CONTROL).toBe(IS_CONTROL);
    expect(Buffer.isBuffer(batch!.records[0]!.key)).toBe(true);
  });

  it('leaves out a last batch the fetch cut short, as the client does', () => {
    const whole = batchBytes(0n, [{ key: 'a', value: Buffer.from('whole') }]);
    const cut = batchBytes(1n, [{ key: 'b', value: Buffer.from('cut short by the size limit') }]);
    const bytes = Buffer.concat([whole, cut.subarray(0, cut.length - 5)]);

    const { ours, client } = bothReaders(bytes);

    expect(ours).toEqual(client);
    expect(ours).toHaveLength(1);
  });

  it('refuses a record that claims more than its batch holds rather than read past it', () => {
    const bytes = batchBytes(0n, [{ key: 'a', value: Buffer.from('value') }]);
    // The first record's length (a zigzag varint at the batch's byte 61) made far too long.
    bytes.writeUInt8(0x7e, 61);

    expect(() => readRecordBatches(bytes)).toThrow(RangeError);
  });

  it("refuses a field that runs past its record's length, or one of a negative length other than null's", () => {
    const record = (mutate: (bytes: Buffer) => void) => {
      const bytes = batchBytes(0n, [
        { key: 'k', value: Buffer.from('value') },
        { key: 'n', value: Buffer.from('x') },
      ]);
      mutate(bytes);
      return () => readRecordBatches(bytes);
    };
    // The first record: its length at 61 (12 bytes, zigzag 0x18), attributes at 62, timestamp
    // delta at 63, offset delta at 64, the key's length at 65. Said to be 6 bytes, its fields run on.
    expect(record((b) => b.writeUInt8(0x0c, 61))).toThrow(/run past its length/);
    // A key of length -3 (zigzag 0x05).
    expect(record((b) => b.writeUInt8(0x05, 65))).toThrow(/negative length -3/);
    expect(record(() => undefined)).not.toThrow();
  });
});

/** A Fetch response (v16/v17) body as the broker writes it, for one topic. */
function fetchResponse(
  partitions: { index: number; errorCode?: number; records?: Buffer; aborted?: [bigint, bigint][] }[],
  errorCode = 0,
): Reader {
  const writer = Writer.create()
    .appendInt32(0)
    .appendInt16(errorCode)
    .appendInt32(0)
    .appendArray([0], (w) => {
      w.appendUUID('6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f').appendArray(partitions, (w, p) => {
        w.appendInt32(p.index)
          .appendInt16(p.errorCode ?? 0)
          .appendInt64(100n)
          .appendInt64(100n)
          .appendInt64(0n)
          .appendArray(p.aborted ?? [], (w, [producerId, firstOffset]) => {
            w.appendInt64(producerId).appendInt64(firstOffset);
          })
          .appendInt32(-1);
        if (p.records === undefined) w.appendUnsignedVarInt(0);
        else w.appendUnsignedVarInt(p.records.length + 1).append(p.records);
      });
    })
    .appendTaggedFields();
  return Reader.from(writer.buffer);
}

describe('parseFetchResponse', () => {
  it("gives the client's response, each partition's batches read here", () => {
    const records = batchBytes(5n, [{ key: 'k', value: Buffer.from('v'), headers: [['h', 'x']] }]);

    const response = parseFetchResponse(
      1,
      17,
      fetchResponse([{ index: 3, records, aborted: [[9n, 4n]] }, { index: 4 }]),
    );

    expect(response.responses).toHaveLength(1);
    const [topic] = response.responses;
    expect(topic!.topicId).toBe('6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f');
    expect(topic!.partitions.map((p) => p.partitionIndex)).toEqual([3, 4]);
    expect(topic!.partitions[0]).toMatchObject({
      errorCode: 0,
      highWatermark: 100n,
      abortedTransactions: [{ producerId: 9n, firstOffset: 4n }],
      preferredReadReplica: -1,
    });
    const batches = topic!.partitions[0]!.records as FetchedRecordsBatch[];
    expect(batches[0]!.firstOffset).toBe(5n);
    expect(batches[0]!.records).toEqual([
      { offsetDelta: 0, key: 'k', value: Buffer.from('v'), headers: { h: 'x' } },
    ]);
    expect(topic!.partitions[1]!.records).toBeUndefined();
  });

  it("throws the client's own error for a partition's error code, as its retries expect", () => {
    let thrown: unknown;
    try {
      parseFetchResponse(1, 17, fetchResponse([{ index: 0, errorCode: 6 }]));
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(ResponseError);
    expect(
      (thrown as ResponseError).errors.map((e) => (e as unknown as { apiCode: number }).apiCode),
    ).toEqual([6]);
  });
});
