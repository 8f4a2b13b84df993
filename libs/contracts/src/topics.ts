/**
 * Every Kafka topic, by its logical name. Deployments may prefix them (`KAFKA_TOPIC_PREFIX`), so
 * code never spells a topic name by hand: it names one of these.
 *
 * Keys: `inbound` is keyed by the sender's channel address (per-sender order, parallel ingestion);
 * every topic downstream of history is keyed by workspace id, so one consumer sees each
 * workspace's events in one order.
 */
export const Topics = {
  /** Customer messages normalized by the channel adapters. Key: sender address. */
  inbound: 'switchboard.inbound',
  /** Conversation facts from history (messages appended, status, assignment recorded). Key: workspace. */
  conversations: 'switchboard.conversations',
  /** Routing decisions. Key: workspace. */
  routing: 'switchboard.routing',
  /** Replies and sends asked for by agents, integrators and bots. Key: workspace. */
  outboundRequests: 'switchboard.outbound-requests',
  /** Persisted outbound messages for a channel adapter to deliver. Key: workspace. */
  deliveries: 'switchboard.deliveries',
  /** Provider delivery receipts (sent, delivered, read, failed). Key: workspace. */
  deliveryStatus: 'switchboard.delivery-status',
  /** Agent presence and settings. Key: workspace. */
  agents: 'switchboard.agents',
  /** Asks of routing from agents and integrators: transfers, answers to offers. Key: workspace. */
  routingCommands: 'switchboard.routing-commands',
  /** Typing and read receipts between agents and customers (ParticipantActivityV1). Key: workspace. */
  activity: 'switchboard.activity',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

export const allTopics: readonly TopicName[] = Object.values(Topics);

/** Where a topic's unprocessable records go, with the reason in their headers. */
export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}
