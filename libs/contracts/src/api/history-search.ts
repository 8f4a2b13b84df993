import type { Channel, IdentityKind } from '../channels.js';
import type { ConversationStatus } from '../events/conversation-status-changed.event.js';
import type { PageRequest } from './page.js';
import type { MessageView } from './history-api.js';

/**
 * The inbox's search and labels (ADR 0115, ADR 0116): part of HistoryApi, in a file of their own.
 * Labels live in history beside what they label, so that a list or a search filters by them in
 * the same statement.
 */

/** An admin-managed label of a workspace, put on conversations and customers. */
export interface LabelView {
  id: string;
  name: string;
  /** `#rrggbb`. */
  colour: string;
  createdAt: string;
}

export interface LabelInput {
  /** 1 to 40 characters, unique in the workspace whatever the case. */
  name: string;
  colour: string;
}

export type LabelPatch = Partial<LabelInput>;

/** What labels go on: one conversation, or one customer. */
export type LabelTarget = { conversationId: string } | { customerId: string };

/** Search over a workspace's messages and customers, with the inbox's filters. */
export interface SearchQuery extends PageRequest {
  /** Words as in a web search box (quotes, `or`, `-word`); 1 to 200 characters. */
  text: string;
  channel?: Channel;
  /** Of the message's conversation. */
  status?: ConversationStatus[];
  /** Of the message's conversation. */
  assigneeId?: string;
  unassigned?: boolean;
  /** On the message's conversation (customers: on the customer). */
  labelId?: string;
  /** Messages written at or after / before these instants (ISO-8601). */
  from?: string;
  to?: string;
}

/** A span of a text, in UTF-16 code units as JavaScript strings count them: `text.slice(start, end)`. */
export interface TextRange {
  start: number;
  end: number;
}

export interface MessageHitView {
  message: MessageView;
  customerName: string | null;
  conversationStatus: ConversationStatus;
  /** Where the words searched for are in `message.text`. */
  highlights: TextRange[];
}

export interface CustomerHitView {
  customerId: string;
  name: string | null;
  /** What matched: the name, or one identity. */
  field: 'name' | IdentityKind;
  value: string;
  /** Where the text searched for is in `value`. */
  highlights: TextRange[];
  /** The customer's most recent conversation, to open; null when they have none. */
  conversationId: string | null;
  labelIds: string[];
}

/**
 * Messages newest first (keyset pages of 20, max 50); customers (at most 10) on the first page
 * only, and only when no filter but the label is set: the others are about conversations.
 */
export interface SearchResultsView {
  customers: CustomerHitView[];
  messages: MessageHitView[];
  nextPageToken: string | null;
}
