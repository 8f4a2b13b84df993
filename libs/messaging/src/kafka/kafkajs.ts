import { createRequire } from 'node:module';
import type * as KafkaJS from 'kafkajs';

/**
 * kafkajs as this library uses it: loaded here, with its producer's per-partition grouping
 * replaced by a linear one first (ADR 0160), and its fetchers' table of partitions kept at its size
 * (ADR 0164). Every value this library takes from kafkajs comes
 * through this module, so that kafkajs is first loaded after the replacement.
 */
const require = createRequire(import.meta.url);

type Message = KafkaJS.Message;
type Partitioner = (args: KafkaJS.PartitionerArgs) => number;

/**
 * A topic's messages by the partition kafkajs's partitioner gives each, in their order: what
 * kafkajs 2.2.4's own `groupMessagesPerPartition` returns, in one pass. Its own copies the
 * partition's array for every message (`[...current, message]`), quadratic in the messages a
 * produce request carries for one partition: a workspace's delivery statuses share a partition, so
 * channel-web's flushes of them allocated 24 KB per reply under a backlog, a third of the app's.
 */
export function groupMessagesPerPartition({
  topic,
  partitionMetadata,
  messages,
  partitioner,
}: {
  topic: string;
  partitionMetadata: KafkaJS.PartitionMetadata[];
  messages: Message[];
  partitioner: Partitioner;
}): Record<number, Message[]> {
  const result: Record<number, Message[]> = {};
  if (partitionMetadata.length === 0) return result;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    (result[partition] ??= []).push(message);
  }
  return result;
}

/**
 * Puts `groupMessagesPerPartition` in Node's module cache where kafkajs's producer will require its
 * own (`sendMessages.js` takes it once, when it loads). A process that loaded kafkajs's producer
 * before this library (a script importing kafkajs first) keeps kafkajs's grouping: correct, slower.
 */
function replaceProducerGrouping(): void {
  const grouping = require.resolve('kafkajs/src/producer/groupMessagesPerPartition.js');
  if (require.cache[require.resolve('kafkajs/src/producer/sendMessages.js')] !== undefined) return;
  require(grouping);
  require.cache[grouping]!.exports = groupMessagesPerPartition;
}

/** What a kafkajs fetcher does with the table it shares (kafkajs 2.2.4, `consumer/fetcher.js`). */
export interface FetcherAssignments {
  get(key: string): number | null | undefined;
  set(key: string, nodeId: number): unknown;
  delete(key: string): unknown;
}
type CreateFetcher = (options: { readonly partitionAssignments: FetcherAssignments }) => unknown;

/**
 * The table of which fetcher holds which partition, as kafkajs's fetchers use it, without its
 * churn (ADR 0164). A fetcher marks the partitions of each fetch as its own while their batches
 * are handled, then deletes the marks: the `Map` grows and shrinks every fetch, and V8 allocates
 * the new hash table of a `Map` that lives in the old generation directly in the old generation,
 * each time. Under load that was most of what the inbox left for full collections. Here a partition
 * unmarked keeps its entry, as null, which the fetcher reads as unmarked as it did a missing one
 * (`!= null`): the table stops changing size once every partition has been fetched.
 */
export class KeptAssignments implements FetcherAssignments {
  constructor(private readonly table: Map<string, number | null>) {}

  get(key: string): number | null | undefined {
    return this.table.get(key);
  }

  set(key: string, nodeId: number): this {
    this.table.set(key, nodeId);
    return this;
  }

  delete(key: string): boolean {
    const marked = this.table.get(key) != null;
    this.table.set(key, null);
    return marked;
  }
}

/**
 * Puts a fetcher factory in Node's module cache where kafkajs's fetch manager will require its own
 * (`fetchManager.js` takes it once, when it loads): kafkajs's own, given the table it shares as
 * `KeptAssignments`. As `replaceProducerGrouping`, only before kafkajs's consumer has loaded.
 */
function replaceFetcherTable(): void {
  const fetcher = require.resolve('kafkajs/src/consumer/fetcher.js');
  if (require.cache[require.resolve('kafkajs/src/consumer/fetchManager.js')] !== undefined) return;
  const createFetcher = require(fetcher) as CreateFetcher;
  const withKeptAssignments: CreateFetcher = (options) =>
    createFetcher({
      ...options,
      partitionAssignments: new KeptAssignments(options.partitionAssignments as Map<string, number | null>),
    });
  require.cache[fetcher]!.exports = withKeptAssignments;
}

replaceProducerGrouping();
replaceFetcherTable();
const kafkajs = require('kafkajs') as typeof KafkaJS;

export const Kafka = kafkajs.Kafka;
export type Kafka = KafkaJS.Kafka;
export const logLevel = kafkajs.logLevel;
export type logLevel = KafkaJS.logLevel;
