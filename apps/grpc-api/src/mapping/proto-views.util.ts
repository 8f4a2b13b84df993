import type {
  AgentView,
  ConversationAssignedV1Payload,
  ConversationView,
  CustomerExport,
  CustomerView,
  ErasureView,
  grpcV1,
  IdentityView,
  MergeView,
  MessageSender,
  MessageView,
  QueueStatsView,
  QueueView,
  SendMessageResult,
} from '@switchboard/contracts';
import {
  channels,
  conversationStatuses,
  deliveryStatuses,
  directions,
  identityKinds,
  presences,
  queueModes,
  senderTypes,
} from './proto-enums.util.js';

/** ISO-8601 → google.protobuf.Timestamp; null stays unset. */
export function timestamp(iso: string | null | undefined): { seconds: string; nanos: number } | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  const seconds = Math.floor(ms / 1000);
  return { seconds: String(seconds), nanos: (ms - seconds * 1000) * 1e6 };
}

export function sender(value: MessageSender): grpcV1.Sender {
  return { type: senderTypes.toProto(value.type), id: value.id ?? '', name: value.name ?? '' };
}

export function message(view: MessageView): grpcV1.Message {
  return {
    id: view.id,
    conversationId: view.conversationId,
    customerId: view.customerId,
    sequence: String(view.sequence),
    direction: directions.toProto(view.direction),
    channel: view.channel ? channels.toProto(view.channel) : 'CHANNEL_UNSPECIFIED',
    channelAccountId: view.channelAccountId ?? '',
    providerMessageId: view.providerMessageId ?? '',
    text: view.text ?? '',
    attachments: view.attachments.map((a) => ({
      storageKey: a.storageKey,
      contentType: a.contentType,
      sizeBytes: String(a.sizeBytes),
      fileName: a.fileName ?? '',
    })),
    sender: sender(view.sender),
    deliveryStatus: view.deliveryStatus
      ? deliveryStatuses.toProto(view.deliveryStatus)
      : 'DELIVERY_STATUS_UNSPECIFIED',
    deliveryError: view.deliveryError
      ? { code: view.deliveryError.code ?? '', message: view.deliveryError.message ?? '' }
      : null,
    createdAt: timestamp(view.createdAt),
  };
}

export function conversation(view: ConversationView): grpcV1.Conversation {
  return {
    id: view.id,
    customerId: view.customerId,
    customerName: view.customerName ?? '',
    status: conversationStatuses.toProto(view.status),
    channel: view.channel ? channels.toProto(view.channel) : 'CHANNEL_UNSPECIFIED',
    channelAccountId: view.channelAccountId ?? '',
    assigneeId: view.assigneeId ?? '',
    queueId: view.queueId ?? '',
    openedAt: timestamp(view.openedAt),
    firstResponseAt: timestamp(view.firstResponseAt),
    resolvedAt: timestamp(view.resolvedAt),
    lastMessageAt: timestamp(view.lastMessageAt),
    lastMessagePreview: view.lastMessagePreview ?? '',
    lastSequence: String(view.lastSequence),
    waitingSince: timestamp(view.waitingSince),
  };
}

export function sendResult(result: SendMessageResult): grpcV1.SendMessageResponse {
  return {
    messageId: result.messageId,
    conversationId: result.conversationId,
    customerId: result.customerId,
    channel: result.channel ? channels.toProto(result.channel) : 'CHANNEL_UNSPECIFIED',
    created: result.created,
  };
}

function identity(view: IdentityView): grpcV1.Identity {
  return {
    id: view.id,
    kind: identityKinds.toProto(view.kind),
    value: view.value,
    verified: view.verified,
    optedOut: view.optedOut,
    createdAt: timestamp(view.createdAt),
  };
}

export function customer(view: CustomerView): grpcV1.Customer {
  return {
    id: view.id,
    name: view.name ?? '',
    attributes: { ...view.attributes },
    identities: view.identities.map(identity),
    channels: view.channels.map((c) => channels.toProto(c)),
    createdAt: timestamp(view.createdAt),
    updatedAt: timestamp(view.updatedAt),
    erasedAt: timestamp(view.erasedAt),
  };
}

export function merge(view: MergeView): grpcV1.Merge {
  return {
    id: view.id,
    targetCustomerId: view.targetCustomerId,
    sourceCustomerId: view.sourceCustomerId,
    mergedBy: sender(view.mergedBy),
    mergedAt: timestamp(view.mergedAt),
    undoneAt: timestamp(view.undoneAt),
  };
}

export function erasure(view: ErasureView): grpcV1.Erasure {
  return {
    customerId: view.customerId,
    erasedAt: timestamp(view.erasedAt),
    messagesErased: view.messagesErased,
    identitiesErased: view.identitiesErased,
    conversationsKept: view.conversationsKept,
  };
}

export function customerExport(view: CustomerExport): grpcV1.CustomerExport {
  return {
    customer: customer(view.customer),
    conversations: view.conversations.map(conversation),
    messages: view.messages.map(message),
    merges: view.merges.map(merge),
    exportedAt: timestamp(view.exportedAt),
  };
}

function capacities(record: AgentView['channelCapacity']): grpcV1.ChannelCapacity[] {
  return Object.entries(record).map(([channel, capacity]) => ({
    channel: channels.toProto(channel as keyof typeof record),
    capacity: capacity ?? 0,
  }));
}

export function agent(view: AgentView): grpcV1.Agent {
  return {
    agentId: view.agentId,
    displayName: view.displayName,
    skills: view.skills.map((s) => ({ skill: s.skill, proficiency: s.proficiency })),
    channelCapacity: capacities(view.channelCapacity),
    defaultChannelCapacity: view.defaultChannelCapacity,
    ...(view.maxConcurrent === null ? {} : { maxConcurrent: view.maxConcurrent }),
    queueIds: [...view.queueIds],
    presence: presences.toProto(view.presence),
    load: view.load,
    loadByChannel: capacities(view.loadByChannel),
    capacity: view.capacity,
    idleSince: timestamp(view.idleSince),
    updatedAt: timestamp(view.updatedAt),
  };
}

export function queue(view: QueueView): grpcV1.Queue {
  return {
    id: view.id,
    name: view.name,
    priority: view.priority,
    entry: {
      channels: (view.entry.channels ?? []).map((c) => channels.toProto(c)),
      channelAccountIds: [...(view.entry.channelAccountIds ?? [])],
      languages: [...(view.entry.languages ?? [])],
      customerAttributes: { ...(view.entry.customerAttributes ?? {}) },
      namedOnly: view.entry.namedOnly ?? false,
    },
    serviceLevel: { ...view.serviceLevel },
    steps: view.steps.map((s) => ({
      expression: s.expression,
      ...(s.expiresAfterSeconds === null ? {} : { expiresAfterSeconds: s.expiresAfterSeconds }),
    })),
    mode: queueModes.toProto(view.mode),
    offerTimeoutSeconds: view.offerTimeoutSeconds,
    maxMissedOffers: view.maxMissedOffers,
    preferredAgent: view.preferredAgent ? { ...view.preferredAgent } : null,
    createdAt: timestamp(view.createdAt),
    updatedAt: timestamp(view.updatedAt),
  };
}

export function queueStats(view: QueueStatsView): grpcV1.QueueStats {
  return {
    queueId: view.queueId,
    name: view.name,
    waiting: view.waiting,
    longestWaitSeconds: Math.round(view.longestWaitSeconds),
    ...(view.serviceLevelPercent === null ? {} : { serviceLevelPercent: view.serviceLevelPercent }),
    targetPercent: view.targetPercent,
    agentsOnline: view.agentsOnline,
    agentsAvailable: view.agentsAvailable,
  };
}

export function explanation(
  value: ConversationAssignedV1Payload['explanation'],
): grpcV1.AssignmentExplanation {
  return {
    stepIndex: value.step?.index ?? -1,
    stepExpression: value.step?.expression ?? '',
    reason: value.reason,
    candidates: value.candidates.map((c) => ({
      agentId: c.agentId,
      occupancy: c.occupancy,
      idleSinceMs: c.idleSinceMs,
      preferred: c.preferred,
      rejectedBecause: c.rejectedBecause ?? '',
    })),
  };
}
