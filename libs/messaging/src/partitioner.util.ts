import { type PartitionMetadata, Partitioners } from 'kafkajs';

const defaultPartitioner = Partitioners.DefaultPartitioner();
const metadataByCount = new Map<number, PartitionMetadata[]>();

/**
 * Kafka's own default partitioner (murmur2 of the key), so that the in-process log places a key on
 * the partition a Kafka topic with the same partition count would.
 */
export function partitionForKey(topic: string, key: string, partitions: number): number {
  let partitionMetadata = metadataByCount.get(partitions);
  if (partitionMetadata === undefined) {
    partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
      partitionErrorCode: 0,
      partitionId,
      leader: 0,
      replicas: [0],
      isr: [0],
    }));
    metadataByCount.set(partitions, partitionMetadata);
  }
  return defaultPartitioner({
    topic,
    partitionMetadata,
    message: { key, value: null },
  });
}
