import {
  type Consumer,
  IS_CONTROL,
  type KafkaRecord,
  Reader,
  type RecordsBatch,
  ResponseError,
  fetchV16,
  fetchV17,
  readRecordsBatch,
} from '@platformatic/kafka';
import { type ClientApi, type ClientConnection, asClientApi, replaceClientApi } from './client-api.js';

/**
 * A record read here from a fetch response: its key and headers already text (the bus's records
 * carry text there), its value the fetched bytes, without the client's per-record objects.
 */
export interface TextRecord {
  readonly offsetDelta: number;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string | undefined>>;
}

/** A record batch of a fetch response: the client's fields, its records either the client's or read here. */
export type FetchedRecordsBatch = Omit<RecordsBatch, 'records'> & {
  records: (KafkaRecord | TextRecord)[];
};

type CreateRequest = (...args: never[]) => unknown;
/** Fetch v16 and v17 answer in one layout (v17 changed the request only): the versions read here, with their requests. */
const READ_HERE = new Map<number, CreateRequest>([
  [16, fetchV16.createRequest],
  [17, fetchV17.createRequest],
]);
const IS_COMPRESSED = 0x07;
/** A batch's offset and length, before the length says how much follows. */
const BATCH_HEAD = 12;
/** From a batch's first offset to its first record (magic 2). */
const BATCH_HEADER = 61;

/**
 * Has a consumer read the records of its Fetch responses (v16 and v17) here, straight from the
 * response's bytes, rather than through the client's reader, which builds an object, a BigInt and
 * a Buffer for each field of every record, only for the bus to turn them into text (ADR 0170).
 * Everything else stays the client's: the request, the response's partitions and errors, aborted
 * transactions, and every compressed or control batch, which its own reader reads. Another API
 * version is left to the client whole.
 */
export function readFetchResponsesHere(consumer: Consumer): void {
  replaceClientApi(consumer, 'Fetch', (api) => {
    const createRequest = READ_HERE.get(api.version);
    return createRequest === undefined ? undefined : fetchApi(api, createRequest);
  });
}

function fetchApi(api: ClientApi, createRequest: CreateRequest): ClientApi {
  const ours = (connection: unknown, ...args: unknown[]): void => {
    const callback = typeof args[args.length - 1] === 'function' ? args.pop() : () => undefined;
    (connection as ClientConnection).send(
      api.key,
      api.version,
      () => createRequest(...(args as never[])),
      (_correlationId, apiKey, apiVersion, reader) => parseFetchResponse(apiKey, apiVersion, reader),
      true,
      true,
      callback,
    );
  };
  return asClientApi(api, ours);
}

/** The client's fetch response (v16/v17) field for field, its data batches' records read by `readRecordBatches`. */
export function parseFetchResponse(apiKey: number, apiVersion: number, reader: Reader) {
  const errors: [string, [number, null]][] = [];
  const throttleTimeMs = reader.readInt32();
  const errorCode = reader.readInt16();
  if (errorCode !== 0) errors.push(['', [errorCode, null]]);
  const response = {
    throttleTimeMs,
    errorCode,
    sessionId: reader.readInt32(),
    responses: reader.readArray((r: Reader, i: number) => ({
      topicId: r.readUUID(),
      partitions: r.readArray((r: Reader, j: number) => {
        const partition: Record<string, unknown> & { errorCode: number } = {
          partitionIndex: r.readInt32(),
          errorCode: r.readInt16(),
          highWatermark: r.readInt64(),
          lastStableOffset: r.readInt64(),
          logStartOffset: r.readInt64(),
          abortedTransactions: r.readArray((r: Reader) => ({
            producerId: r.readInt64(),
            firstOffset: r.readInt64(),
          })),
          preferredReadReplica: r.readInt32(),
        };
        if (partition.errorCode !== 0) {
          errors.push([`/responses/${i}/partitions/${j}`, [partition.errorCode, null]]);
        }
        // COMPACT_RECORDS: the length plus one.
        const recordsSize = r.readUnsignedVarInt() - 1;
        if (recordsSize > 0) {
          partition.records = readRecordBatches(r.buffer.slice(r.position, r.position + recordsSize));
          r.skip(recordsSize);
        }
        return partition;
      }),
    })),
  };
  // The client's own error, as its parser throws it: its retries and the stream read its codes.
  if (errors.length > 0) throw new ResponseError(apiKey, apiVersion, Object.fromEntries(errors), response);
  return response;
}

/**
 * The whole record batches (magic 2) in a fetch's records: a batch cut short by the fetch's size
 * limit is left out, as the client leaves it out. Uncompressed data batches are read here; a
 * compressed or control batch by the client's reader.
 */
export function readRecordBatches(buffer: Buffer): FetchedRecordsBatch[] {
  const batches: FetchedRecordsBatch[] = [];
  let at = 0;
  while (buffer.length - at >= BATCH_HEAD && buffer.length - at - BATCH_HEAD >= buffer.readInt32BE(at + 8)) {
    const end = at + BATCH_HEAD + buffer.readInt32BE(at + 8);
    const attributes = buffer.readInt16BE(at + 21);
    if ((attributes & (IS_COMPRESSED | IS_CONTROL)) !== 0) {
      batches.push(readRecordsBatch(Reader.from(buffer.subarray(at, end))));
    } else {
      batches.push(readBatch(buffer, at, end, attributes));
    }
    at = end;
  }
  return batches;
}

function readBatch(buffer: Buffer, start: number, end: number, attributes: number): FetchedRecordsBatch {
  const count = buffer.readInt32BE(start + 57);
  const records: TextRecord[] = new Array<TextRecord>(count);
  const cursor = new Cursor(buffer, start + BATCH_HEADER);
  for (let i = 0; i < count; i++) {
    const length = cursor.varint();
    const next = cursor.at + length;
    if (next > end) throw new RangeError('a record runs past the end of its batch');
    cursor.at += 1; // attributes (unused in magic 2)
    cursor.skipVarint(); // timestamp delta
    const offsetDelta = cursor.varint();
    const key = cursor.text();
    const value = cursor.bytes();
    const headerCount = cursor.varint();
    const headers: Record<string, string | undefined> = {};
    for (let h = 0; h < headerCount; h++) {
      const name = cursor.text();
      const headerValue = cursor.text();
      if (name !== null) headers[name] = headerValue ?? undefined;
    }
    // A length read from a damaged record would otherwise be clamped to the buffer, not refused.
    if (cursor.at > next) throw new RangeError("a record's fields run past its length");
    records[i] = { offsetDelta, key, value, headers };
    cursor.at = next;
  }
  return {
    firstOffset: buffer.readBigInt64BE(start),
    length: buffer.readInt32BE(start + 8),
    partitionLeaderEpoch: buffer.readInt32BE(start + 12),
    magic: buffer.readInt8(start + 16),
    crc: buffer.readUInt32BE(start + 17),
    attributes,
    lastOffsetDelta: buffer.readInt32BE(start + 23),
    firstTimestamp: buffer.readBigInt64BE(start + 27),
    maxTimestamp: buffer.readBigInt64BE(start + 35),
    producerId: buffer.readBigInt64BE(start + 43),
    producerEpoch: buffer.readInt16BE(start + 51),
    firstSequence: buffer.readInt32BE(start + 53),
    records,
  };
}

/** Reads Kafka's zigzag varints, texts and byte strings from one buffer, no object per field. */
class Cursor {
  constructor(
    private readonly buffer: Buffer,
    public at: number,
  ) {}

  /** A signed (zigzag) varint of at most 32 bits. */
  varint(): number {
    let raw = 0;
    let shift = 0;
    for (;;) {
      const byte = this.buffer[this.at++];
      if (byte === undefined) throw new RangeError('a varint runs past the end of the records');
      raw |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7;
      if (shift > 28) throw new RangeError('a varint longer than 32 bits');
    }
    return (raw >>> 1) ^ -(raw & 1);
  }

  /** Past a varint of up to 64 bits, unread. */
  skipVarint(): void {
    for (let read = 0; read < 10; read++) {
      const byte = this.buffer[this.at++];
      if (byte === undefined) throw new RangeError('a varint runs past the end of the records');
      if ((byte & 0x80) === 0) return;
    }
    throw new RangeError('a varint longer than 64 bits');
  }

  /** A field's length: -1 is null; any other negative one is a damaged record. */
  private length(): number | null {
    const length = this.varint();
    if (length === -1) return null;
    if (length < 0) throw new RangeError(`a field of negative length ${length}`);
    return length;
  }

  /** A length-prefixed UTF-8 string; a length of -1 is null. */
  text(): string | null {
    const length = this.length();
    if (length === null) return null;
    const text = this.buffer.toString('utf8', this.at, this.at + length);
    this.at += length;
    return text;
  }

  /** Length-prefixed bytes, a view of the response; a length of -1 is null. */
  bytes(): Buffer | null {
    const length = this.length();
    if (length === null) return null;
    const bytes = this.buffer.subarray(this.at, this.at + length);
    this.at += length;
    return bytes;
  }
}
