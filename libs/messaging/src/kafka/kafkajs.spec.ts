import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { compileFunction } from 'node:vm';
import { KeptAssignments, groupMessagesPerPartition } from './kafkajs.js';
import type { Message, PartitionMetadata, PartitionerArgs } from 'kafkajs';

const require = createRequire(import.meta.url);

/** kafkajs's own grouping, compiled from its file: the reference (its module is replaced). */
function kafkajsGrouping(): typeof groupMessagesPerPartition {
  const source = readFileSync(require.resolve('kafkajs/src/producer/groupMessagesPerPartition.js'), 'utf8');
  const module = { exports: undefined as unknown };
  (compileFunction(source, ['module']) as (module: { exports: unknown }) => void)(module);
  return module.exports as typeof groupMessagesPerPartition;
}

const partitionMetadata: PartitionMetadata[] = Array.from({ length: 12 }, (_, partitionId) => ({
  partitionErrorCode: 0,
  partitionId,
  leader: 0,
  replicas: [0],
  isr: [0],
}));
/** What kafkajs's default partitioner does with a record whose partition is set (ours always are). */
const byPartition = ({ message }: PartitionerArgs) => message.partition!;

describe('groupMessagesPerPartition (kafkajs loaded through this library, ADR 0160)', () => {
  it('groups as kafkajs’s own does: every partition’s messages, in their order', () => {
    // Most on one partition, as a workspace's delivery statuses are.
    const messages: Message[] = Array.from({ length: 500 }, (_, i) => ({
      key: `k${i}`,
      value: `v${i}`,
      partition: i % 5 === 0 ? i % 7 : 7,
    }));
    const args = { topic: 't', partitionMetadata, messages, partitioner: byPartition };
    const ours = groupMessagesPerPartition(args);
    const theirs = kafkajsGrouping()(args);
    expect(ours).toEqual(theirs);
    expect(Object.keys(ours)).toEqual(Object.keys(theirs));
    expect(ours[7]!.length).toBe(400);
    expect(groupMessagesPerPartition({ ...args, partitionMetadata: [] })).toEqual({});
  });

  it('is the grouping kafkajs’s producer uses', () => {
    const sendMessages = require.resolve('kafkajs/src/producer/sendMessages.js');
    expect(createRequire(sendMessages)('./groupMessagesPerPartition')).toBe(groupMessagesPerPartition);
  });
});

describe('the fetchers’ table of partitions (kafkajs loaded through this library, ADR 0164)', () => {
  const logger = { namespace: () => logger, info: () => undefined, debug: () => undefined };

  /** One fetch through kafkajs's fetcher as its fetch manager requires it, then the fetcher ends. */
  async function fetchOnce(table: Map<string, number | null>, seen: (number | null | undefined)[]) {
    const fetchManager = require.resolve('kafkajs/src/consumer/fetchManager.js');
    const createFetcher = createRequire(fetchManager)('./fetcher') as (options: object) => {
      start(): Promise<void>;
    };
    let fetches = 0;
    const fetcher = createFetcher({
      nodeId: 1,
      partitionAssignments: table,
      workerQueue: {
        // While its batches are handled, the partition is marked as this fetcher's.
        push: () => Promise.resolve(void seen.push(table.get('t|0'))),
      },
      fetch: () =>
        fetches++ === 0 ? Promise.resolve([{ topic: 't', partition: 0 }]) : Promise.reject(new Error('done')),
      logger,
    });
    await expect(fetcher.start()).rejects.toThrow('done');
  }

  it('marks a partition while its batches are handled, then keeps its entry, unmarked', async () => {
    const table = new Map<string, number | null>();
    const seen: (number | null | undefined)[] = [];
    await fetchOnce(table, seen);
    expect(seen).toEqual([1]);
    // kafkajs's own fetcher deletes the entry: the table would grow and shrink every fetch.
    expect([...table]).toEqual([['t|0', null]]);
  });

  it('reads an unmarked entry as kafkajs reads a missing one', () => {
    const assignments = new KeptAssignments(new Map());
    assignments.set('t|0', 2);
    expect(assignments.get('t|0')).toBe(2);
    expect(assignments.delete('t|0')).toBe(true);
    expect(assignments.get('t|0') != null).toBe(false);
    expect(assignments.delete('t|0')).toBe(false);
  });
});
