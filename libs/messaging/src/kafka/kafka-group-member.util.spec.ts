import { createRequire } from 'node:module';
import type { Kafka } from 'kafkajs';
import { removeGroupMember } from './kafka-group-member.util.js';

const require = createRequire(import.meta.url);
// kafkajs's own errors, as its connections raise them from a response's error code.
const { createErrorFromCode } = require('kafkajs/src/protocol/error.js') as {
  createErrorFromCode: (code: number) => Error;
};
const { KafkaJSNumberOfRetriesExceeded } = require('kafkajs') as {
  KafkaJSNumberOfRetriesExceeded: new (e: Error, meta: { retryCount: number; retryTime: number }) => Error;
};
const GROUP_LOAD_IN_PROGRESS = 14;
const GROUP_COORDINATOR_NOT_AVAILABLE = 15;
const UNKNOWN_MEMBER_ID = 25;

/** A kafkajs client whose cluster answers each step with the next of the given outcomes. */
function fakeKafka(steps: { find?: (Error | undefined)[]; leave?: (Error | undefined)[] }) {
  const calls = { find: 0, leave: 0, connected: 0, disconnected: 0, left: [] as string[] };
  const outcome = (list: (Error | undefined)[] | undefined, n: number) => {
    const error = list?.[Math.min(n, list.length - 1)];
    return error ? Promise.reject(error) : Promise.resolve();
  };
  const cluster = {
    connect: () => Promise.resolve(void (calls.connected += 1)),
    disconnect: () => Promise.resolve(void (calls.disconnected += 1)),
    findGroupCoordinator: () =>
      outcome(steps.find, calls.find++).then(() => ({
        leaveGroup: ({ memberId }: { memberId: string }) =>
          outcome(steps.leave, calls.leave++).then(() => void calls.left.push(memberId)),
      })),
  };
  // kafkajs keeps its cluster factory under this private symbol.
  const kafka = { [Symbol('private:Kafka:createCluster')]: () => cluster } as unknown as Kafka;
  return { kafka, calls };
}

const quick = { deadlineMs: 200, retryMs: 10 };

describe('removeGroupMember', () => {
  it('asks again while a broker just back is still loading its groups, then removes the member', async () => {
    const loading = createErrorFromCode(GROUP_LOAD_IN_PROGRESS);
    const { kafka, calls } = fakeKafka({ leave: [loading, loading, undefined] });

    await removeGroupMember(kafka, 'g', 'old-member', quick);

    expect(calls.leave).toBe(3);
    expect(calls.left).toEqual(['old-member']);
    expect(calls.disconnected).toBe(calls.connected);
  });

  it('asks again when kafkajs’s own retries ran out finding a coordinator', async () => {
    const away = new KafkaJSNumberOfRetriesExceeded(createErrorFromCode(GROUP_COORDINATOR_NOT_AVAILABLE), {
      retryCount: 1,
      retryTime: 300,
    });
    const { kafka, calls } = fakeKafka({ find: [away, undefined] });

    await removeGroupMember(kafka, 'g', 'old-member', quick);

    expect(calls.find).toBe(2);
    expect(calls.left).toEqual(['old-member']);
  });

  it('stops at once on an unknown member: it is gone already', async () => {
    const { kafka, calls } = fakeKafka({ leave: [createErrorFromCode(UNKNOWN_MEMBER_ID)] });

    await expect(removeGroupMember(kafka, 'g', 'old-member', quick)).rejects.toMatchObject({
      type: 'UNKNOWN_MEMBER_ID',
    });
    expect(calls.leave).toBe(1);
    expect(calls.disconnected).toBe(1);
  });

  it('gives up at its deadline when the coordinator never finishes loading', async () => {
    const { kafka, calls } = fakeKafka({ leave: [createErrorFromCode(GROUP_LOAD_IN_PROGRESS)] });
    const started = Date.now();

    await expect(removeGroupMember(kafka, 'g', 'old-member', quick)).rejects.toMatchObject({
      type: 'GROUP_LOAD_IN_PROGRESS',
    });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(calls.leave).toBeGreaterThan(2);
    expect(calls.disconnected).toBe(1);
  });
});
