import { randomBytes } from 'node:crypto';
import { type PartitionMetadata, Partitioners } from 'kafkajs';
import { murmur2, partitionForKey } from './partitioner.util.js';

/** kafkajs's DefaultPartitioner, the reference: what any Kafka client does with a keyed record. */
function kafkajsPartition(key: string, partitions: number): number {
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
  }));
  return Partitioners.DefaultPartitioner()({ topic: 't', partitionMetadata, message: { key, value: null } });
}

describe('partitionForKey', () => {
  it('matches Java’s murmur2 on the vectors Kafka’s own tests use', () => {
    // org.apache.kafka.common.utils.UtilsTest#testMurmur2
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, hash] of cases) expect(murmur2(Buffer.from(key))).toBe(hash);
  });

  it('places every key where kafkajs’s DefaultPartitioner does, for any length, text and partition count', () => {
    const keys = [
      '',
      'a',
      'ab',
      'abc',
      'abcd',
      '00000000-0000-4000-8000-000000000001',
      '+14152000001',
      'Zoë · 東京 · 🙂',
      // Either side of the reused buffer's limit (1,024 bytes, three per UTF-16 unit).
      '東'.repeat(341),
      '東'.repeat(342),
      'k'.repeat(2_000),
      '\ud83d'.repeat(5),
      ...Array.from({ length: 2_000 }, (_, i) =>
        randomBytes(i % 40).toString(i % 2 === 0 ? 'hex' : 'latin1'),
      ),
    ];
    for (const partitions of [1, 2, 3, 7, 12, 64]) {
      for (const key of keys)
        expect([key, partitionForKey(key, partitions)]).toEqual([key, kafkajsPartition(key, partitions)]);
    }
  });
});
