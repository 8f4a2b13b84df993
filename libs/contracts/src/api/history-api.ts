import type { Attachment, Channel, IdentityKind, MessageTemplate, SecureForm } from '../channels.js';
import type { DeliveryStatus } from '../events/delivery-status-changed.event.js';
import type { MessageDirection, MessageSender } from '../events/conversation-message-appended.event.js';
import type { ConversationStatus } from '../events/conversation-status-changed.event.js';
import type { ConversationAssignedV1Payload } from '../events/conversation-assigned.event.js';
import type { Page, PageRequest } from './page.js';
import type {
  LabelInput,
  LabelPatch,
  LabelTarget,
  LabelView,
  SearchQuery,
  SearchResultsView,
} from './history-search.js';

/**
 * The history service's interface: what the inbox and the gRPC API (and the web channel) ask of
 * the system of record. Every method takes the workspace first and is scoped by it: another
 * workspace's ids throw NotFoundError, exactly like ids that never existed.
 *
 * Views are plain JSON (times are ISO-8601 strings) so the same interface works in process
 * (embedded mode) and over the internal RPC transport (each app alone). Errors are the classes of
 * `api-errors.ts`. Writes that reach other services go through the event log before they resolve.
 */
export interface HistoryApi {
  // Customers
  getCustomer(workspaceId: string, customerId: string): Promise<CustomerView>;
  /** By identity (exact, normalized like inbound addresses), by attributes (all must match), or by name/identity prefix. */
  findCustomers(workspaceId: string, query: FindCustomersQuery): Promise<Page<CustomerView>>;
  updateCustomer(
    workspaceId: string,
    customerId: string,
    patch: CustomerPatch,
    by: MessageSender,
  ): Promise<CustomerView>;
  /** Moves `sourceCustomerId`'s identities, conversations and timeline to `targetCustomerId`; recorded, undoable. */
  mergeCustomers(workspaceId: string, input: MergeCustomersInput, by: MessageSender): Promise<MergeView>;
  undoMerge(workspaceId: string, mergeId: string, by: MessageSender): Promise<MergeView>;
  /** Merges into or out of this customer, newest first (at most 50): what a profile offers to undo. */
  listMerges(workspaceId: string, customerId: string): Promise<MergeView[]>;
  /** Customers that may be the same person on an unverified claim (a visitor who typed an email…). */
  listMergeSuggestions(workspaceId: string, customerId: string): Promise<MergeSuggestionView[]>;
  /** Deletes content and identities, keeps counts, records the erasure. */
  eraseCustomer(workspaceId: string, customerId: string, by: MessageSender): Promise<ErasureView>;
  exportCustomer(workspaceId: string, customerId: string): Promise<CustomerExport>;

  // Timeline and search
  /** One customer's messages across channels and conversations, newest first. Default 50, max 200. */
  getTimeline(workspaceId: string, customerId: string, query: TimelineQuery): Promise<Page<MessageView>>;
  /** PostgreSQL full-text search over the workspace's messages, best match first. Default 20, max 100. */
  searchMessages(workspaceId: string, query: SearchMessagesQuery): Promise<Page<MessageView>>;
  /** The inbox's search: customers by name or any identity, messages newest first, with filters and highlights. */
  search(workspaceId: string, query: SearchQuery): Promise<SearchResultsView>;

  // Labels (admins manage them; agents put them on conversations and customers)
  listLabels(workspaceId: string): Promise<LabelView[]>;
  createLabel(workspaceId: string, input: LabelInput): Promise<LabelView>;
  updateLabel(workspaceId: string, labelId: string, patch: LabelPatch): Promise<LabelView>;
  /** Takes the label off everything it was on. */
  deleteLabel(workspaceId: string, labelId: string): Promise<void>;
  /**
   * Replaces the target's labels; answers the ids now on it. A change emits
   * ConversationLabelsChangedV1 or CustomerLabelsChangedV1 (ADR 0117).
   */
  setLabels(
    workspaceId: string,
    target: LabelTarget,
    labelIds: string[],
    by: MessageSender,
  ): Promise<string[]>;

  // Conversations
  getConversation(workspaceId: string, conversationId: string): Promise<ConversationView>;
  /**
   * What opening a conversation shows, read in one statement: the conversation, its customer, the
   * customer's first timeline page (default 50, max 200) and merge suggestions.
   */
  openConversation(
    workspaceId: string,
    conversationId: string,
    query: { timelinePageSize?: number },
  ): Promise<ConversationOpening>;
  listConversations(workspaceId: string, query: ListConversationsQuery): Promise<Page<ConversationView>>;
  /** How many conversations the workspace has had, any status (the operator's list of workspaces). */
  countConversations(workspaceId: string): Promise<number>;
  /** A conversation's messages in sequence order after `afterSequence` (default 0). Default 100, max 500. */
  listMessages(workspaceId: string, conversationId: string, query: ListMessagesQuery): Promise<MessageView[]>;
  /** Who held the conversation, oldest first, with routing's explanation of each assignment. */
  listAssignments(workspaceId: string, conversationId: string): Promise<AssignmentRecordView[]>;
  /**
   * Resolve, reopen or set pending; emits ConversationStatusChangedV1. Idempotent. With
   * `onlyOwnOrUnassigned`, a conversation assigned to someone other than `by` is refused
   * (PermissionDeniedError), checked in the change's own statement: nothing can assign it between
   * a check and the change.
   */
  setConversationStatus(
    workspaceId: string,
    conversationId: string,
    status: ConversationStatus,
    by: MessageSender,
    options?: SetConversationStatusOptions,
  ): Promise<ConversationView>;

  // Outbound
  /**
   * A reply or a note from an agent, integrator or bot. Durable before it resolves; the same
   * `idempotencyKey` twice is one message (the second call returns the first's result with
   * `created: false`). Throws FailedPreconditionError for an opted-out address or a customer with
   * no address on the channel, NotFoundError for an unknown customer or conversation.
   */
  sendMessage(workspaceId: string, input: SendMessageInput): Promise<SendMessageResult>;

  // Replay (ADR 0106)
  /**
   * History's records of the workspace, oldest first, for a consumer of the event log that rebuilds
   * what it derived from the log (the reporting store) after the log's retention dropped the
   * events: messages, status changes, routing's assignment decisions and the bot's holds as history
   * recorded them, customers' ratings and erasures. Each record carries the id the live event's
   * fact is keyed by (message id, event id), so replaying it next to the live events counts it once.
   * Keyset pages by (at, id). Default 500, max 2,000.
   */
  replayRecords(workspaceId: string, query: ReplayQuery): Promise<Page<HistoryRecordView>>;
}

/** DI token under which HistoryModule (in process) or the RPC client (remote) provides HistoryApi. */
export const HISTORY_API = Symbol.for('switchboard.HistoryApi');

export interface IdentityView {
  id: string;
  kind: IdentityKind;
  /** Normalized: E.164 phone, lower-cased email, platform id otherwise. */
  value: string;
  verified: boolean;
  optedOut: boolean;
  createdAt: string;
}

export interface CustomerView {
  id: string;
  workspaceId: string;
  name: string | null;
  attributes: Record<string, string>;
  identities: IdentityView[];
  /** Channels this customer has written from, most recent first. */
  channels: Channel[];
  createdAt: string;
  updatedAt: string;
  erasedAt: string | null;
  /** Labels on the customer (absent from services that predate labels). */
  labelIds?: string[];
}

export interface FindCustomersQuery extends PageRequest {
  identity?: { kind: IdentityKind; value: string };
  attributes?: Record<string, string>;
  /** Prefix of a name or identity value. */
  text?: string;
}

export interface CustomerPatch {
  name?: string | null;
  /** A null value removes the attribute. */
  attributes?: Record<string, string | null>;
}

export interface MergeCustomersInput {
  /** The customer that remains. */
  targetCustomerId: string;
  /** The customer whose identities and conversations move to the target. */
  sourceCustomerId: string;
}

export interface MergeView {
  id: string;
  targetCustomerId: string;
  sourceCustomerId: string;
  mergedBy: MessageSender;
  mergedAt: string;
  undoneAt: string | null;
}

export interface MergeSuggestionView {
  id: string;
  customerId: string;
  candidateCustomerId: string;
  /** The shared, unverified value that suggests it. */
  identity: { kind: IdentityKind; value: string };
  createdAt: string;
}

export interface ErasureView {
  customerId: string;
  erasedAt: string;
  messagesErased: number;
  identitiesErased: number;
  conversationsKept: number;
}

export interface CustomerExport {
  customer: CustomerView;
  conversations: ConversationView[];
  messages: MessageView[];
  merges: MergeView[];
  exportedAt: string;
}

/** A conversation as the inbox opens it (`openConversation`). */
export interface ConversationOpening {
  conversation: ConversationView;
  customer: CustomerView;
  timeline: Page<MessageView>;
  mergeSuggestions: MergeSuggestionView[];
}

export interface TimelineQuery extends PageRequest {
  channel?: Channel;
}

export interface SearchMessagesQuery extends PageRequest {
  query: string;
  channel?: Channel;
  customerId?: string;
}

export interface ConversationView {
  id: string;
  workspaceId: string;
  customerId: string;
  /** The customer's display name at read time (null when unknown or erased). */
  customerName: string | null;
  status: ConversationStatus;
  /** Channel and account of the last inbound message: where replies go by default. */
  channel: Channel | null;
  channelAccountId: string | null;
  assigneeId: string | null;
  queueId: string | null;
  openedAt: string;
  firstResponseAt: string | null;
  resolvedAt: string | null;
  lastMessageAt: string;
  lastMessagePreview: string | null;
  /** Sequence of the newest message; clients resume from it. */
  lastSequence: number;
  /** Since when the customer waits for an answer (oldest unanswered inbound), null when answered. */
  waitingSince: string | null;
  /** The customer's rating (CsatSubmittedV1), the latest one; null when not rated. */
  csat?: { rating: number; comment: string | null; submittedAt: string } | null;
  /** Labels on the conversation (absent from services that predate labels). */
  labelIds?: string[];
}

export interface ListConversationsQuery extends PageRequest {
  status?: ConversationStatus[];
  assigneeId?: string;
  /** Only conversations without an assignee. */
  unassigned?: boolean;
  queueId?: string;
  channel?: Channel;
  customerId?: string;
  /** Only conversations with this label. */
  labelId?: string;
  /** `waiting`: longest waiting first (the inbox's default); `recent`: newest activity first. */
  order?: 'waiting' | 'recent';
}

export interface SetConversationStatusOptions {
  /** Agents act on their own and unassigned conversations: refuse one assigned to another. */
  onlyOwnOrUnassigned?: boolean;
}

export interface ListMessagesQuery {
  afterSequence?: number;
  pageSize?: number;
}

export interface MessageView {
  id: string;
  workspaceId: string;
  conversationId: string;
  customerId: string;
  /** Gapless from 1 within the conversation. */
  sequence: number;
  direction: MessageDirection;
  channel: Channel | null;
  channelAccountId: string | null;
  providerMessageId: string | null;
  text: string | null;
  attachments: Attachment[];
  sender: MessageSender;
  /** Outbound only; null for inbound messages and notes. */
  deliveryStatus: DeliveryStatus | null;
  deliveryError: { code: string | null; message: string | null } | null;
  createdAt: string;
}

export interface AssignmentRecordView {
  agentId: string | null;
  queueId: string | null;
  mode: 'assign' | 'offer' | 'unassign';
  at: string;
  explanation: ConversationAssignedV1Payload['explanation'] | null;
}

export interface SendMessageInput {
  /** Chosen by the client; the same key twice is one message. */
  idempotencyKey: string;
  /** Whom to write to: a customer, a conversation, or an identity (found or created). */
  customerId?: string;
  conversationId?: string;
  identity?: { kind: IdentityKind; value: string };
  /** Absent: the channel the customer last wrote from. */
  channel?: Channel;
  channelAccountId?: string;
  /** Stored and shown to agents, never sent. */
  internalNote?: boolean;
  text: string | null;
  attachments?: Attachment[];
  /**
   * WhatsApp: an approved template, the one message WhatsApp takes outside its 24-hour window.
   * The text, when given, is what agents see of it; absent, a description of the template is.
   */
  template?: MessageTemplate;
  sender: MessageSender;
  /** Asks the customer to fill a secure form (web only; ADR 0082): the text introduces it. */
  form?: SecureForm;
}

export type ReplayQuery = PageRequest;

/** One of history's records in a replay (`replayRecords`); `at` is when it happened. */
export type HistoryRecordView =
  | {
      kind: 'message';
      /** The message id (ConversationMessageAppendedV1's `messageId`). */
      id: string;
      conversationId: string;
      at: string;
      /** 1: the message that opened the conversation. */
      sequence: number;
      direction: MessageDirection;
      channel: Channel | null;
      /** Who wrote it: its type and id only (never a name). */
      sender: { type: MessageSender['type']; id: string | null };
    }
  | {
      kind: 'status';
      /** The id of the ConversationStatusChangedV1 history published. */
      id: string;
      conversationId: string;
      at: string;
      status: ConversationStatus;
      previousStatus: ConversationStatus;
      changedBy: { type: MessageSender['type']; id: string | null };
      cause: 'merge' | null;
    }
  | {
      kind: 'assignment';
      /** The id of routing's ConversationAssignedV1 or ConversationUnassignedV1. */
      id: string;
      conversationId: string;
      at: string;
      agentId: string | null;
      queueId: string | null;
      mode: 'assign' | 'offer' | 'unassign';
    }
  | {
      kind: 'bot_hold';
      /** The id of routing's BotHoldChangedV1. */
      id: string;
      conversationId: string;
      at: string;
      held: boolean;
      reason: string | null;
    }
  | {
      kind: 'labels';
      /** The id of the ConversationLabelsChangedV1 history published (ADR 0118). */
      id: string;
      conversationId: string;
      at: string;
      /** The whole set the conversation carried from then on. */
      labelIds: string[];
    }
  | {
      kind: 'csat';
      /** The conversation's id: history keeps its latest rating only, one per conversation. */
      id: string;
      conversationId: string;
      at: string;
      rating: number;
    }
  | {
      kind: 'erasure';
      /** The erasure's id. */
      id: string;
      at: string;
      customerId: string;
      /** The erased customer's conversations. */
      conversationIds: string[];
    };

export interface SendMessageResult {
  messageId: string;
  conversationId: string;
  customerId: string;
  channel: Channel | null;
  /** False when the idempotency key had been used: nothing new was sent. */
  created: boolean;
}
