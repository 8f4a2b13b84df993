import { createRequire } from 'node:module';
import type * as KafkaJS from 'kafkajs';

/**
 * kafkajs as this library uses it: loaded here, with its producer's per-partition grouping
 * replaced by a linear one first (ADR 0160). Every value this library takes from kafkajs comes
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

replaceProducerGrouping();
const kafkajs = require('kafkajs') as typeof KafkaJS;

export const Kafka = kafkajs.Kafka;
export type Kafka = KafkaJS.Kafka;
export const logLevel = kafkajs.logLevel;
export type logLevel = KafkaJS.logLevel;
