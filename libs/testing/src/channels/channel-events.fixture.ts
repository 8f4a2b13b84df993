import { randomUUID } from 'node:crypto';
import {
  DEFAULT_WORKSPACE_ID,
  DeliveryStatusChangedV1,
  type EventDefinition,
  type EventOf,
  MessageDeliveryRequestedV1,
  Topics,
} from '@switchboard/contracts';
import type { ConsumedEvent, EventBus } from '@switchboard/messaging';

/** What a channel adapter published, as the test's observer groups read it. */
export interface ChannelOutput<D extends EventDefinition> {
  /** Everything on `inbound` of the accepted types, in the order read. */
  readonly inbound: ConsumedEvent<EventOf<D>>[];
  /** Every `DeliveryStatusChangedV1`, in the order read. */
  readonly statuses: DeliveryStatusChangedV1[];
}

/**
 * Subscribes two observer groups (`observer.inbound`, `observer.status`) and settles once both are
 * assigned, so nothing the adapter publishes after it is missed.
 */
export async function observeChannelOutput<D extends EventDefinition>(
  bus: EventBus,
  inboundTypes: readonly D[],
): Promise<ChannelOutput<D>> {
  const output: ChannelOutput<D> = { inbound: [], statuses: [] };
  const subscriptions = await Promise.all([
    bus.subscribe({
      groupId: 'observer.inbound',
      topics: [Topics.inbound],
      accepts: inboundTypes,
      handleBatch: (batch) => Promise.resolve(void output.inbound.push(...batch)),
    }),
    bus.subscribe({
      groupId: 'observer.status',
      topics: [Topics.deliveryStatus],
      accepts: [DeliveryStatusChangedV1],
      handleBatch: (batch) => Promise.resolve(void output.statuses.push(...batch.map((c) => c.event))),
    }),
  ]);
  await Promise.all(subscriptions.map((s) => s.assigned));
  return output;
}

type DeliveryPayload = MessageDeliveryRequestedV1['payload'];

/**
 * History's ask of a channel adapter: a `MessageDeliveryRequestedV1` of the default workspace, from
 * agent `agent-1`, with fresh message, conversation and customer ids. Resolves to its message id.
 */
export async function emitDeliveryRequest(
  bus: EventBus,
  payload: Pick<DeliveryPayload, 'channel' | 'channelAccountId' | 'recipient' | 'text'> &
    Partial<DeliveryPayload>,
): Promise<string> {
  const event = MessageDeliveryRequestedV1.create({
    workspaceId: DEFAULT_WORKSPACE_ID,
    payload: {
      messageId: randomUUID(),
      conversationId: randomUUID(),
      customerId: randomUUID(),
      attachments: [],
      sender: { type: 'agent', id: 'agent-1' },
      requestedAt: new Date().toISOString(),
      ...payload,
    },
  });
  await bus.emit(event);
  return event.payload.messageId;
}
