import type { Kafka } from 'kafkajs';
import { sleep } from '../retry-policy.js';

/** The slice of kafkajs's internal cluster this needs (kafkajs 2.2.4, its last release). */
interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  findGroupCoordinator(args: { groupId: string }): Promise<{
    leaveGroup(args: { groupId: string; memberId: string }): Promise<unknown>;
  }>;
}

type CreateCluster = (options: {
  metadataMaxAge: number;
  allowAutoTopicCreation: boolean;
  maxInFlightRequests: null;
  retry: { retries: number };
}) => InternalCluster;

/** How long a removal keeps asking a coordinator that is loading or moving (a broker just back). */
const REMOVAL_DEADLINE_MS = 10_000;
const REMOVAL_RETRY_MS = 250;

/**
 * Sends LeaveGroup for a member a crashed kafkajs consumer left behind. A consumer that lost the
 * broker cannot leave its group, and kafkajs restarts it as a new member; after the broker's
 * return the group would then wait for the old member's session to expire (30 s by default)
 * before it gives the new one any partition. kafkajs has no public call for this, so it goes
 * through the cluster factory every kafkajs client is built on.
 *
 * A broker that has just come back answers metadata before it has loaded its groups: the
 * coordinator is "not available" or "loading" for a while. That is asked again every quarter
 * second for up to ten seconds, a third of the session the old member would otherwise hold.
 */
export async function removeGroupMember(
  kafka: Kafka,
  groupId: string,
  memberId: string,
  { deadlineMs = REMOVAL_DEADLINE_MS, retryMs = REMOVAL_RETRY_MS } = {},
): Promise<void> {
  const symbol = Object.getOwnPropertySymbols(kafka).find(
    (s) => s.description === 'private:Kafka:createCluster',
  );
  if (symbol === undefined) throw new Error('kafkajs no longer has the cluster factory this relies on');
  const createCluster = (kafka as unknown as Record<symbol, CreateCluster>)[symbol]!;
  const cluster = createCluster({
    metadataMaxAge: 300_000,
    allowAutoTopicCreation: false,
    maxInFlightRequests: null,
    retry: { retries: 1 },
  });
  const deadline = Date.now() + deadlineMs;
  await cluster.connect();
  try {
    for (;;) {
      try {
        const coordinator = await cluster.findGroupCoordinator({ groupId });
        await coordinator.leaveGroup({ groupId, memberId });
        return;
      } catch (error) {
        if (!isRetriable(error) || Date.now() + retryMs > deadline) throw error;
        await sleep(retryMs);
      }
    }
  } finally {
    await cluster.disconnect();
  }
}

/**
 * What may succeed when asked again: kafkajs marks a coordinator loading, moving or away as
 * retriable, and reports its own retries running out on one as "number of retries exceeded".
 * An unknown member is final (it is gone already), as is anything else.
 */
function isRetriable(error: unknown): boolean {
  const e = error as { retriable?: unknown; name?: unknown } | null;
  return e?.retriable === true || e?.name === 'KafkaJSNumberOfRetriesExceeded';
}
