import { type Consumer, IS_CONTROL, type KafkaRecord } from '@platformatic/kafka';
import type { RawRecord } from '../dead-letter.js';
import type { FetchedRecordsBatch, TextRecord } from './fetch-response.js';

type FetchOptions = Parameters<Consumer['fetch']>[0];
type FetchResponse = Awaited<ReturnType<Consumer['fetch']>>;
type FetchCallback = (error: Error | null, response?: FetchResponse) => void;

/** One partition's batches from one fetch, and the offset the fetch asked for. */
export interface FetchedPartition {
  /** The topic's name on the broker. */
  readonly topic: string;
  readonly partition: number;
  /** Data batches only (control batches stay with the stream), in offset order. */
  readonly batches: readonly FetchedRecordsBatch[];
  /** A batch can start before the offset fetched (compaction, a batch read whole): those records are not new. */
  readonly fetchOffset: bigint;
}

/**
 * Takes each fetch's records for the caller, straight from the batches the broker sent, and
 * leaves the consumer's stream those batches without their records (ADR 0168).
 *
 * @platformatic/kafka's MessagesStream fetches through `consumer.fetch`, keeps the offsets to fetch
 * next, the leader epochs and the rejoins from each response's batches, then turns every record into
 * a message object of its own (a spread copy, a header Map, a bound commit function, a diagnostics
 * context) and pushes each through the Readable. That per-record work and its garbage were most of
 * what the client cost a consumer in bench:bus. With this tap the stream still does all of its
 * bookkeeping per batch and finds nothing to push; the records reach `deliver` in one call per
 * partition per fetch.
 *
 * `deliver` runs before the stream sees the response, in the same turn, as the stream's own pushes
 * did; a fetch that failed delivers nothing. A record arriving through the stream would mean a
 * client that no longer fetches through `consumer.fetch`: the caller treats that as an error.
 */
export function tapFetchedRecords(consumer: Consumer, deliver: (fetched: FetchedPartition) => void): void {
  const fetch = consumer.fetch.bind(consumer) as (options: FetchOptions, callback: FetchCallback) => void;
  /** Topic names by id; filled from the consumer's metadata when a fetch brings one not seen yet. */
  const names = new Map<string, string>();
  const take = (options: FetchOptions, response: FetchResponse) => {
    for (const topicResponse of response.responses) {
      const topic = names.get(topicResponse.topicId)!;
      for (const partitionResponse of topicResponse.partitions) {
        const batches = partitionResponse.records;
        if (batches === undefined || batches.length === 0) continue;
        const taken: FetchedRecordsBatch[] = [];
        for (const batch of batches) {
          if ((batch.attributes & IS_CONTROL) !== 0 || batch.records.length === 0) continue;
          // A copy keeps the records; the stream's batch keeps its offsets and loses its records.
          taken.push({ ...batch });
          batch.records = [];
        }
        if (taken.length === 0) continue;
        deliver({
          topic,
          partition: partitionResponse.partitionIndex,
          batches: taken,
          fetchOffset: requestedOffset(options, topicResponse.topicId, partitionResponse.partitionIndex),
        });
      }
    }
  };
  const tapped = (options: FetchOptions, callback: FetchCallback): void => {
    fetch(options, (error, response) => {
      if (error !== null || response === undefined) {
        callback(error, response);
        return;
      }
      if (response.responses.every((r) => names.has(r.topicId))) {
        take(options, response);
        callback(null, response);
        return;
      }
      // A topic first seen (or created again under a new id): its name from the metadata the
      // stream itself just fetched by, then on as above.
      consumer.metadata({ topics: consumer.topics.current }, (metadataError, metadata) => {
        if (metadataError !== null || metadata === undefined) {
          callback(metadataError ?? new Error('the consumer found no metadata'));
          return;
        }
        for (const [name, topic] of metadata.topics) names.set(topic.id, name);
        const unknown = response.responses.find((r) => !names.has(r.topicId));
        if (unknown !== undefined) {
          callback(
            new Error(`fetched records of topic id ${unknown.topicId}, which the metadata does not name`),
          );
          return;
        }
        take(options, response);
        callback(null, response);
      });
    });
  };
  consumer.fetch = tapped as Consumer['fetch'];
}

function requestedOffset(options: FetchOptions, topicId: string, partition: number): bigint {
  for (const topic of options.topics) {
    if (topic.topicId !== topicId) continue;
    for (const p of topic.partitions) if (p.partition === partition) return p.fetchOffset;
  }
  return 0n;
}

/** The largest batch base offset at which `base + offsetDelta` (an int32) stays exact as a Number. */
const EXACT_BASE = BigInt(Number.MAX_SAFE_INTEGER - 2 ** 31);

/**
 * A fetched partition's records as the bus's raw records, from `fetchOffset` on: keys and header
 * values as UTF-8 strings, values as the fetched bytes (slices of the response, not copies).
 */
export function rawRecordsOf(fetched: FetchedPartition, logicalTopic: string): RawRecord[] {
  const out: RawRecord[] = [];
  const { partition, fetchOffset } = fetched;
  for (const batch of fetched.batches) {
    const skipping = batch.firstOffset < fetchOffset;
    const exact = batch.firstOffset <= EXACT_BASE;
    const base = Number(batch.firstOffset);
    for (const record of batch.records) {
      if (skipping && batch.firstOffset + BigInt(record.offsetDelta) < fetchOffset) continue;
      const offset = exact
        ? String(base + record.offsetDelta)
        : String(batch.firstOffset + BigInt(record.offsetDelta));
      out.push(
        isTextRecord(record)
          ? {
              topic: logicalTopic,
              partition,
              offset,
              key: record.key,
              value: record.value,
              headers: record.headers,
            }
          : {
              topic: logicalTopic,
              partition,
              offset,
              key: record.key === null ? null : record.key.toString('utf8'),
              value: record.value,
              headers: headersOf(record.headers),
            },
      );
    }
  }
  return out;
}

/** A record read by `readRecordBatches` (its headers a plain object), not by the client's reader (a list of pairs). */
function isTextRecord(record: KafkaRecord | TextRecord): record is TextRecord {
  return !Array.isArray(record.headers);
}

function headersOf(
  headers: readonly (readonly [Buffer | null, Buffer | null])[],
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of headers) {
    if (name === null) continue;
    out[name.toString('utf8')] = value === null ? undefined : value.toString('utf8');
  }
  return out;
}
