import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { compileFunction } from 'node:vm';
import { groupMessagesPerPartition } from './kafkajs.js';
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
