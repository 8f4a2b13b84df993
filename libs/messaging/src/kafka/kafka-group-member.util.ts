import type { Kafka } from 'kafkajs';

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

/**
 * Sends LeaveGroup for a member a crashed kafkajs consumer left behind. A consumer that lost the
 * broker cannot leave its group, and kafkajs restarts it as a new member; after the broker's
 * return the group would then wait for the old member's session to expire (30 s by default)
 * before it gives the new one any partition. kafkajs has no public call for this, so it goes
 * through the cluster factory every kafkajs client is built on.
 */
export async function removeGroupMember(kafka: Kafka, groupId: string, memberId: string): Promise<void> {
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
  await cluster.connect();
  try {
    const coordinator = await cluster.findGroupCoordinator({ groupId });
    await coordinator.leaveGroup({ groupId, memberId });
  } finally {
    await cluster.disconnect();
  }
}
