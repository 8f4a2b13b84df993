/**
 * Kafka's own default partitioner for keyed records (murmur2 of the key's UTF-8 bytes, its sign bit
 * cleared, modulo the partition count: Java's `Utils.murmur2`, as kafkajs's DefaultPartitioner
 * computes it), so that both Kafka adapters and the in-process log place a key where any Kafka
 * client would. Once per published event: 32-bit integer arithmetic (Math.imul), where kafkajs's
 * own runs on 64-bit Long objects.
 */
export function partitionForKey(key: string, partitions: number): number {
  // A key's UTF-8 bytes written into one reused buffer (at most three bytes per UTF-16 unit):
  // no buffer allocated per published event. A longer key gets its own.
  const hash =
    key.length * 3 <= scratch.length
      ? murmur2(scratch, scratch.write(key, 0, 'utf8'))
      : murmur2(Buffer.from(key, 'utf8'));
  return (hash & 0x7fffffff) % partitions;
}

const scratch = Buffer.allocUnsafe(1_024);

const M = 0x5bd1e995;
const SEED = 0x9747b28c;

/** Kafka's murmur2 (`org.apache.kafka.common.utils.Utils.murmur2`) of `data`'s first `length` bytes, as a signed 32-bit integer. */
export function murmur2(data: Uint8Array, length = data.length): number {
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // The last one to three bytes, as Java's switch falls through them.
  const tail = length & 3;
  if (tail === 3) h ^= data[whole + 2]! << 16;
  if (tail >= 2) h ^= data[whole + 1]! << 8;
  if (tail >= 1) {
    h ^= data[whole]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}
