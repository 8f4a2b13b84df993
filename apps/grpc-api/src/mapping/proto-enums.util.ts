import type {
  Channel,
  ConversationStatus,
  DeliveryStatus,
  IdentityKind,
  MessageDirection,
  MessageSender,
  Presence,
} from '@switchboard/contracts';
import type { grpcV1 } from '@switchboard/contracts';

/**
 * Proto enums are SCREAMING_PREFIXED names (the style guide's rule for enums in a package); the
 * ports use short lower-case strings. Each pair is listed once and read both ways.
 */
function twoWay<Domain extends string, Proto extends string>(pairs: readonly (readonly [Domain, Proto])[]) {
  const toProto = new Map<Domain, Proto>(pairs.map(([d, p]) => [d, p]));
  const fromProto = new Map<string, Domain>(pairs.map(([d, p]) => [p, d]));
  return {
    toProto: (value: Domain): Proto => toProto.get(value)!,
    /** Undefined for the UNSPECIFIED value (or anything unknown). */
    fromProto: (value: string | number | undefined): Domain | undefined =>
      value === undefined ? undefined : fromProto.get(String(value)),
    names: pairs.map(([, p]) => p),
  };
}

export const channels = twoWay<Channel, grpcV1.Channel__Output>([
  ['web', 'CHANNEL_WEB'],
  ['sms', 'CHANNEL_SMS'],
  ['messenger', 'CHANNEL_MESSENGER'],
  ['instagram', 'CHANNEL_INSTAGRAM'],
  ['whatsapp', 'CHANNEL_WHATSAPP'],
  ['telegram', 'CHANNEL_TELEGRAM'],
]);

export const identityKinds = twoWay<IdentityKind, grpcV1.IdentityKind__Output>([
  ['phone', 'IDENTITY_KIND_PHONE'],
  ['email', 'IDENTITY_KIND_EMAIL'],
  ['web_visitor', 'IDENTITY_KIND_WEB_VISITOR'],
  ['web_user', 'IDENTITY_KIND_WEB_USER'],
  ['messenger', 'IDENTITY_KIND_MESSENGER'],
  ['instagram', 'IDENTITY_KIND_INSTAGRAM'],
  ['whatsapp', 'IDENTITY_KIND_WHATSAPP'],
  ['telegram', 'IDENTITY_KIND_TELEGRAM'],
  ['external', 'IDENTITY_KIND_EXTERNAL'],
]);

export const conversationStatuses = twoWay<ConversationStatus, grpcV1.ConversationStatus__Output>([
  ['open', 'CONVERSATION_STATUS_OPEN'],
  ['pending', 'CONVERSATION_STATUS_PENDING'],
  ['resolved', 'CONVERSATION_STATUS_RESOLVED'],
]);

export const deliveryStatuses = twoWay<DeliveryStatus, grpcV1.DeliveryStatus__Output>([
  ['pending', 'DELIVERY_STATUS_PENDING'],
  ['queued', 'DELIVERY_STATUS_QUEUED'],
  ['sent', 'DELIVERY_STATUS_SENT'],
  ['delivered', 'DELIVERY_STATUS_DELIVERED'],
  ['read', 'DELIVERY_STATUS_READ'],
  ['undelivered', 'DELIVERY_STATUS_UNDELIVERED'],
  ['failed', 'DELIVERY_STATUS_FAILED'],
]);

export const directions = twoWay<MessageDirection, grpcV1.MessageDirection__Output>([
  ['in', 'MESSAGE_DIRECTION_INBOUND'],
  ['out', 'MESSAGE_DIRECTION_OUTBOUND'],
  ['note', 'MESSAGE_DIRECTION_NOTE'],
  ['system', 'MESSAGE_DIRECTION_SYSTEM'],
]);

export const senderTypes = twoWay<MessageSender['type'], grpcV1._switchboard_v1_Sender_Type__Output>([
  ['customer', 'TYPE_CUSTOMER'],
  ['agent', 'TYPE_AGENT'],
  ['integrator', 'TYPE_INTEGRATOR'],
  ['bot', 'TYPE_BOT'],
  ['system', 'TYPE_SYSTEM'],
]);

export const presences = twoWay<Presence, grpcV1.Presence__Output>([
  ['online', 'PRESENCE_ONLINE'],
  ['away', 'PRESENCE_AWAY'],
  ['offline', 'PRESENCE_OFFLINE'],
]);

export const queueModes = twoWay<'auto' | 'offer', grpcV1.QueueMode__Output>([
  ['auto', 'QUEUE_MODE_AUTO'],
  ['offer', 'QUEUE_MODE_OFFER'],
]);
