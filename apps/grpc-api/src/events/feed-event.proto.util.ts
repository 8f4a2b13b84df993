import {
  BotHoldChangedV1,
  ConversationAssignedV1,
  ConversationMessageAppendedV1,
  ConversationStatusChangedV1,
  DeliveryStatusChangedV1,
  eventKey,
  type BotHoldChangedV1Payload,
  type ConversationAssignedV1Payload,
  type ConversationMessageAppendedV1Payload,
  type ConversationStatusChangedV1Payload,
  type DeliveryStatusChangedV1Payload,
  type grpcV1,
} from '@switchboard/contracts';
import { channels, conversationStatuses, deliveryStatuses, directions } from '../mapping/proto-enums.util.js';
import { explanation, sender, timestamp } from '../mapping/proto-views.util.js';
import { releaseReasonToProto } from '../bots/bot-proto.util.js';
import type { FeedEvent } from './event-feed.service.js';

type EventType = grpcV1.EventType__Output;

/** Which stored event keys each proto event type stands for. */
export const EVENT_TYPE_KEYS: Record<Exclude<EventType, 'EVENT_TYPE_UNSPECIFIED'>, string> = {
  EVENT_TYPE_MESSAGE_APPENDED: eventKey(
    ConversationMessageAppendedV1.type,
    ConversationMessageAppendedV1.version,
  ),
  EVENT_TYPE_CONVERSATION_ASSIGNED: eventKey(ConversationAssignedV1.type, ConversationAssignedV1.version),
  EVENT_TYPE_CONVERSATION_STATUS_CHANGED: eventKey(
    ConversationStatusChangedV1.type,
    ConversationStatusChangedV1.version,
  ),
  EVENT_TYPE_DELIVERY_STATUS_CHANGED: eventKey(DeliveryStatusChangedV1.type, DeliveryStatusChangedV1.version),
  EVENT_TYPE_BOT_HOLD_CHANGED: eventKey(BotHoldChangedV1.type, BotHoldChangedV1.version),
};

/**
 * A stored event as integrators receive it; its cursor is its sequence. Payloads were validated
 * against their schema when consumed (the bus does it before the feed stores them): not again
 * per subscriber.
 */
export function feedEventToProto(event: FeedEvent): grpcV1.Event {
  const base = {
    cursor: event.sequence,
    id: event.eventId,
    occurredAt: timestamp(event.occurredAt),
    correlationId: event.correlationId,
  };
  switch (event.key) {
    case EVENT_TYPE_KEYS.EVENT_TYPE_MESSAGE_APPENDED: {
      const p = event.payload as ConversationMessageAppendedV1Payload;
      return {
        ...base,
        type: 'EVENT_TYPE_MESSAGE_APPENDED',
        messageAppended: {
          openedConversation: p.openedConversation,
          cardSubmitted: cardSubmitted(p),
          message: {
            id: p.messageId,
            conversationId: p.conversationId,
            customerId: p.customerId,
            sequence: String(p.sequence),
            direction: directions.toProto(p.direction),
            channel: p.channel ? channels.toProto(p.channel) : 'CHANNEL_UNSPECIFIED',
            channelAccountId: p.channelAccountId ?? '',
            text: p.text ?? '',
            attachments: p.attachments.map((a) => ({
              storageKey: a.storageKey,
              contentType: a.contentType,
              sizeBytes: String(a.sizeBytes),
              fileName: a.fileName ?? '',
            })),
            sender: sender(p.sender),
            createdAt: timestamp(p.createdAt),
          },
        },
      };
    }
    case EVENT_TYPE_KEYS.EVENT_TYPE_CONVERSATION_ASSIGNED: {
      const p = event.payload as ConversationAssignedV1Payload;
      return {
        ...base,
        type: 'EVENT_TYPE_CONVERSATION_ASSIGNED',
        conversationAssigned: {
          conversationId: p.conversationId,
          queueId: p.queueId ?? '',
          agentId: p.agentId,
          offer: p.mode === 'offer',
          assignedAt: timestamp(p.assignedAt),
          explanation: explanation(p.explanation),
        },
      };
    }
    case EVENT_TYPE_KEYS.EVENT_TYPE_CONVERSATION_STATUS_CHANGED: {
      const p = event.payload as ConversationStatusChangedV1Payload;
      return {
        ...base,
        type: 'EVENT_TYPE_CONVERSATION_STATUS_CHANGED',
        conversationStatusChanged: {
          conversationId: p.conversationId,
          customerId: p.customerId,
          status: conversationStatuses.toProto(p.status),
          previousStatus: conversationStatuses.toProto(p.previousStatus),
          changedBy: sender(p.changedBy),
          changedAt: timestamp(p.changedAt),
        },
      };
    }
    case EVENT_TYPE_KEYS.EVENT_TYPE_DELIVERY_STATUS_CHANGED: {
      const p = event.payload as DeliveryStatusChangedV1Payload;
      return {
        ...base,
        type: 'EVENT_TYPE_DELIVERY_STATUS_CHANGED',
        deliveryStatusChanged: {
          messageId: p.messageId ?? '',
          providerMessageId: p.providerMessageId ?? '',
          channel: channels.toProto(p.channel),
          channelAccountId: p.channelAccountId ?? '',
          status: deliveryStatuses.toProto(p.status),
          error:
            p.errorCode !== undefined || p.errorMessage !== undefined
              ? { code: p.errorCode ?? '', message: p.errorMessage ?? '' }
              : null,
          statusAt: timestamp(p.statusAt),
        },
      };
    }
    case EVENT_TYPE_KEYS.EVENT_TYPE_BOT_HOLD_CHANGED: {
      const p = event.payload as BotHoldChangedV1Payload;
      return {
        ...base,
        type: 'EVENT_TYPE_BOT_HOLD_CHANGED',
        botHoldChanged: {
          conversationId: p.conversationId,
          customerId: p.customerId,
          channel: channels.toProto(p.channel),
          held: p.held,
          reason: releaseReasonToProto(p.reason),
          agentId: p.agentId ?? '',
          changedAt: timestamp(p.changedAt),
        },
      };
    }
    default:
      throw new Error(`feed holds an event of unknown type ${event.key}`);
  }
}

/**
 * A customer's answer to a secure card form (ADR 0082): channel-web puts the provider's token in
 * the message's hints (set by the server, never by the customer's frames). Null on any other message.
 */
function cardSubmitted(p: ConversationMessageAppendedV1Payload): grpcV1.CardSubmitted | null {
  const h = p.hints;
  if (p.direction !== 'in' || h?.secureForm !== 'card' || !h.cardToken) return null;
  return {
    formMessageId: h.formMessageId ?? '',
    token: h.cardToken,
    last4: h.cardLast4 ?? '',
    brand: h.cardBrand ?? '',
  };
}
