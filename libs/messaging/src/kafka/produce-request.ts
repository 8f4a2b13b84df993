import nodeRsCrc32 from '@node-rs/crc32';
import { type Producer, Writer, produceV9, produceV10, produceV11 } from '@platformatic/kafka';
import {
  type ClientApi,
  type ClientConnection,
  type ResponseParser,
  asClientApi,
  replaceClientApi,
} from './client-api.js';

/**
 * A message as @platformatic/kafka's producer hands it to its Produce API, serialized; a key or
 * value may still be a string (`keptAsString`), written here as UTF-8 straight into the request.
 */
export interface ProduceMessage {
  readonly topic: string;
  partition?: number;
  timestamp?: bigint;
  readonly key?: Buffer | string | null;
  readonly value?: Buffer | string | null;
  readonly headers?: ReadonlyMap<Buffer, Buffer | null | undefined> | null;
}

/** The producer's options for one request: its id and epoch, and its next sequence per partition. */
export interface ProduceOptions {
  readonly compression?: string;
  readonly producerId?: bigint;
  readonly producerEpoch?: number;
  readonly sequences?: { getWithDefault(key: string, fallback: number): number };
  readonly transactionalId?: string | null;
  readonly partitionLeaderEpoch?: number;
}

/** Produce v9 to v11 share one request layout (flexible versions): the versions encoded here, and their responses' parsers. */
const FLEXIBLE_PRODUCE = new Map<number, ResponseParser>([
  [9, produceV9.parseResponse],
  [10, produceV10.parseResponse],
  [11, produceV11.parseResponse],
]);

/**
 * Has a producer encode its Produce requests here, in one buffer written once, rather than through
 * the client's Writer (a small buffer per field per record, joined by copying twice), which was a
 * fifth of what publishing cost in bench:bus (ADR 0168). Everything else stays the client's: the
 * producer id, the sequence numbers, the leaders, the retries, the response. The request is the
 * same bytes the client would send (`produce-request.spec.ts` compares them); a compressed or
 * transactional request, or another version of the API, is left to the client's own encoder.
 */
export function encodeProduceRequestsHere(producer: Producer<string, string, Buffer, Buffer>): void {
  // Every version: one this module does not encode still gets its strings made bytes first.
  replaceClientApi(producer, 'Produce', produceApi);
}

function produceApi(api: ClientApi): ClientApi {
  const parseResponse = FLEXIBLE_PRODUCE.get(api.version);
  const ours = (
    connection: unknown,
    acks: number,
    timeout: number,
    messages: ProduceMessage[],
    options: ProduceOptions,
    callback: unknown,
  ): void => {
    if (
      (options.compression ?? 'none') !== 'none' ||
      options.transactionalId ||
      acks === 0 ||
      parseResponse === undefined
    ) {
      // The client's own encoder writes bytes only.
      const encoded = messages.map((m) => ({ ...m, key: asBytes(m.key), value: asBytes(m.value) }));
      api(connection, acks, timeout, encoded, options, callback);
      return;
    }
    (connection as ClientConnection).send(
      api.key,
      api.version,
      () => Writer.create().append(encodeProduceRequest(acks, timeout, messages, options)),
      parseResponse,
      true,
      true,
      callback,
    );
  };
  return asClientApi(api, ours);
}

/**
 * The producer's serializer for keys and values under `encodeProduceRequestsHere`: the string goes
 * on as it is, to be encoded once, into the request, rather than into a buffer of its own first
 * and then copied (its type says bytes; only this module's encoder ever reads it).
 */
export function keptAsString(value?: string): Buffer | undefined {
  return value as unknown as Buffer | undefined;
}

function asBytes(value: Buffer | string | null | undefined): Buffer | null | undefined {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

/**
 * The body of a Produce request (v9 to v11) for uncompressed, non-transactional record batches:
 * topics in the order they first appear, each topic's partitions in ascending order (as the
 * client's own encoder orders them), one record batch (magic 2) per partition.
 */
export function encodeProduceRequest(
  acks: number,
  timeout: number,
  messages: ProduceMessage[],
  options: ProduceOptions,
): Buffer {
  const now = BigInt(Date.now());
  const topics = new Map<string, Map<number, ProduceMessage[]>>();
  for (const message of messages) {
    message.partition ??= 0;
    message.timestamp ??= now;
    let partitions = topics.get(message.topic);
    if (partitions === undefined)
      topics.set(message.topic, (partitions = new Map<number, ProduceMessage[]>()));
    let batch = partitions.get(message.partition);
    if (batch === undefined) partitions.set(message.partition, (batch = []));
    batch.push(message);
  }

  // First pass: every size, so that the request is written once into a buffer of its length.
  const recordSizes: number[] = [];
  /** Each record's key and value length in bytes (-1: null), measured once. */
  const lengths: number[] = [];
  const batchSizes: number[] = [];
  const sortedTopics: [Buffer, [number, ProduceMessage[]][]][] = [];
  let size = 1 + 2 + 4 + uvarintSize(topics.size + 1) + 1;
  for (const [topic, partitions] of topics) {
    const name = Buffer.from(topic, 'utf8');
    const sorted: [number, ProduceMessage[]][] = [...partitions].sort((a, b) => a[0] - b[0]);
    sortedTopics.push([name, sorted]);
    size += uvarintSize(name.length + 1) + name.length + uvarintSize(sorted.length + 1) + 1;
    for (const [, batch] of sorted) {
      const first = batch[0]!.timestamp!;
      let batchSize = BATCH_HEADER_BYTES;
      for (let i = 0; i < batch.length; i++) {
        const recordSize = recordBodySize(batch[i]!, i, first, lengths);
        recordSizes.push(recordSize);
        batchSize += varintSize(recordSize) + recordSize;
      }
      batchSizes.push(batchSize);
      size += 4 + uvarintSize(batchSize + 1) + batchSize + 1;
    }
  }

  const out = Buffer.allocUnsafe(size);
  let at = 0;
  out[at++] = 0; // transactional_id: null
  at = out.writeInt16BE(acks, at);
  at = out.writeInt32BE(timeout, at);
  at = writeUvarint(out, at, topics.size + 1);
  let recordIndex = 0;
  let lengthIndex = 0;
  let batchIndex = 0;
  for (const [name, partitions] of sortedTopics) {
    at = writeUvarint(out, at, name.length + 1);
    at += name.copy(out, at);
    at = writeUvarint(out, at, partitions.length + 1);
    for (const [partition, batch] of partitions) {
      const batchSize = batchSizes[batchIndex++]!;
      at = out.writeInt32BE(partition, at);
      at = writeUvarint(out, at, batchSize + 1);
      const start = at;
      const first = batch[0]!.timestamp!;
      let max = first;
      for (const message of batch) if (message.timestamp! > max) max = message.timestamp!;
      at = out.writeBigInt64BE(0n, at); // base offset: the broker's to assign
      at = out.writeInt32BE(batchSize - 12, at);
      at = out.writeInt32BE(options.partitionLeaderEpoch ?? 0, at);
      out[at++] = 2; // magic
      const crcAt = at;
      at += 4;
      at = out.writeInt16BE(0, at); // attributes: no compression, no transaction, create time
      at = out.writeInt32BE(batch.length - 1, at);
      at = out.writeBigInt64BE(first, at);
      at = out.writeBigInt64BE(max, at);
      at = out.writeBigInt64BE(options.producerId ?? -1n, at);
      at = out.writeInt16BE(options.producerEpoch ?? 0, at);
      const sequence = options.sequences?.getWithDefault(`${batch[0]!.topic}:${partition}`, 0) ?? 0;
      at = out.writeInt32BE(sequence, at);
      at = out.writeInt32BE(batch.length, at);
      for (let i = 0; i < batch.length; i++) {
        const message = batch[i]!;
        at = writeVarint(out, at, recordSizes[recordIndex++]!);
        out[at++] = 0; // record attributes: unused
        at = writeVarlong(out, at, message.timestamp! - first);
        at = writeVarint(out, at, i);
        at = writeBytes(out, at, message.key, lengths[lengthIndex++]);
        at = writeBytes(out, at, message.value, lengths[lengthIndex++]);
        const headers = message.headers;
        at = writeVarint(out, at, headers?.size ?? 0);
        if (headers) {
          for (const [name, value] of headers) {
            at = writeBytes(out, at, name);
            at = writeBytes(out, at, value);
          }
        }
      }
      out.writeUInt32BE(nodeRsCrc32.crc32c(out.subarray(crcAt + 4, at)), crcAt);
      if (at - start !== batchSize) throw new Error('a record batch was not the size it was measured at');
      out[at++] = 0; // partition's tagged fields
    }
    out[at++] = 0; // topic's tagged fields
  }
  out[at++] = 0; // request's tagged fields
  if (at !== size) throw new Error('a Produce request was not the size it was measured at');
  return out;
}

/** Base offset, length, leader epoch, magic, CRC, attributes, last offset delta, two timestamps, producer id, epoch, sequence, count. */
const BATCH_HEADER_BYTES = 8 + 4 + 4 + 1 + 4 + 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4;

function recordBodySize(
  message: ProduceMessage,
  offsetDelta: number,
  first: bigint,
  lengths: number[],
): number {
  let size = 1 + varlongSize(message.timestamp! - first) + varintSize(offsetDelta);
  const keyLength = byteLengthOf(message.key);
  const valueLength = byteLengthOf(message.value);
  lengths.push(keyLength, valueLength);
  size += varintSize(keyLength) + Math.max(0, keyLength) + varintSize(valueLength) + Math.max(0, valueLength);
  const headers = message.headers;
  size += varintSize(headers?.size ?? 0);
  if (headers) {
    for (const [name, value] of headers) {
      const nameLength = byteLengthOf(name);
      const valueLength = byteLengthOf(value);
      size +=
        varintSize(nameLength) + Math.max(0, nameLength) + varintSize(valueLength) + Math.max(0, valueLength);
    }
  }
  return size;
}

/** Bytes of a key, value or header as written: -1 for null. */
function byteLengthOf(bytes: Buffer | string | null | undefined): number {
  if (bytes === null || bytes === undefined) return -1;
  return typeof bytes === 'string' ? Buffer.byteLength(bytes, 'utf8') : bytes.length;
}

/** Writes bytes (or a string as UTF-8) of the length measured, with that length before them. */
function writeBytes(
  out: Buffer,
  at: number,
  bytes: Buffer | string | null | undefined,
  length = byteLengthOf(bytes),
): number {
  at = writeVarint(out, at, length);
  if (bytes === null || bytes === undefined) return at;
  return at + (typeof bytes === 'string' ? out.write(bytes, at, 'utf8') : bytes.copy(out, at));
}

function uvarintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    size += 1;
  }
  return size;
}

function writeUvarint(out: Buffer, at: number, value: number): number {
  while (value >= 0x80) {
    out[at++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  out[at++] = value;
  return at;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Zig-zag, as Kafka's varint (an int32). */
const zigzag = (value: number) => (value >= 0 ? value * 2 : -value * 2 - 1);

function varintSize(value: number): number {
  return uvarintSize(zigzag(value));
}

function writeVarint(out: Buffer, at: number, value: number): number {
  return writeUvarint(out, at, zigzag(value));
}

function varlongSize(value: bigint): number {
  let zz = value >= 0n ? value * 2n : -value * 2n - 1n;
  if (zz <= MAX_SAFE) return uvarintSize(Number(zz));
  let size = 1;
  while (zz >= 0x80n) {
    zz >>= 7n;
    size += 1;
  }
  return size;
}

function writeVarlong(out: Buffer, at: number, value: bigint): number {
  let zz = value >= 0n ? value * 2n : -value * 2n - 1n;
  if (zz <= MAX_SAFE) return writeUvarint(out, at, Number(zz));
  while (zz >= 0x80n) {
    out[at++] = Number(zz & 0x7fn) | 0x80;
    zz >>= 7n;
  }
  out[at++] = Number(zz);
  return at;
}
