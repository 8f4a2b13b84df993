import { type EventDefinition, eventKey } from './event-definition.js';
import { AgentPresenceChangedV1 } from './events/agent-presence-changed.event.js';
import { ConversationAssignedV1 } from './events/conversation-assigned.event.js';
import { ConversationMessageAppendedV1 } from './events/conversation-message-appended.event.js';
import { ConversationOfferAnsweredV1 } from './events/conversation-offer-answered.event.js';
import { ConversationStatusChangedV1 } from './events/conversation-status-changed.event.js';
import { ConversationTransferRequestedV1 } from './events/conversation-transfer-requested.event.js';
import { DeliveryStatusChangedV1 } from './events/delivery-status-changed.event.js';
import { IdentityOptOutChangedV1 } from './events/identity-opt-out-changed.event.js';
import { InboundMessageReceivedV1 } from './events/inbound-message-received.event.js';
import { MessageDeliveryRequestedV1 } from './events/message-delivery-requested.event.js';
import { OutboundMessageRequestedV1 } from './events/outbound-message-requested.event.js';
import { ParticipantActivityV1 } from './events/participant-activity.event.js';
import { CsatSubmittedV1 } from './events/csat-submitted.event.js';
import { ConversationUnassignedV1 } from './events/conversation-unassigned.event.js';
import { BotHandoffRequestedV1 } from './events/bot-handoff-requested.event.js';
import { BotChannelSwitchedV1 } from './events/bot-channel-switched.event.js';
import { BotHoldChangedV1 } from './events/bot-hold-changed.event.js';
import { CustomerErasedV1 } from './events/customer-erased.event.js';
import { ConversationLabelsChangedV1 } from './events/conversation-labels-changed.event.js';
import { CustomerLabelsChangedV1 } from './events/customer-labels-changed.event.js';

/** Every event definition, so a consumer can validate whatever arrives on its topics. */
export const allEventDefinitions: readonly EventDefinition[] = [
  InboundMessageReceivedV1,
  ConversationMessageAppendedV1,
  ConversationAssignedV1,
  OutboundMessageRequestedV1,
  DeliveryStatusChangedV1,
  AgentPresenceChangedV1,
  MessageDeliveryRequestedV1,
  ConversationStatusChangedV1,
  ConversationTransferRequestedV1,
  ConversationOfferAnsweredV1,
  IdentityOptOutChangedV1,
  ParticipantActivityV1,
  CsatSubmittedV1,
  ConversationUnassignedV1,
  BotHandoffRequestedV1,
  BotChannelSwitchedV1,
  BotHoldChangedV1,
  CustomerErasedV1,
  ConversationLabelsChangedV1,
  CustomerLabelsChangedV1,
] as readonly EventDefinition<string, unknown>[];

const byKey = new Map(allEventDefinitions.map((d) => [eventKey(d.type, d.version), d]));

export function findEventDefinition(type: string, version: number): EventDefinition | undefined {
  return byKey.get(eventKey(type, version));
}
