import { Inject, Injectable } from '@nestjs/common';
import {
  type ConversationView,
  type CustomerView,
  HISTORY_API,
  type HistoryApi,
  type MergeSuggestionView,
  type MergeView,
  type MessageSender,
  type Page,
} from '@switchboard/contracts';
import type { SessionContext } from '../auth/session-context.js';

/** `GET /api/inbox/customers/:id`: one customer with everything the profile shows. */
export interface ContactProfile {
  customer: CustomerView;
  /** Every conversation of the customer on any channel, newest activity first (at most 50). */
  conversations: ConversationView[];
  /** Merges into or out of this customer, newest first: the profile offers to undo them. */
  merges: MergeView[];
  mergeSuggestions: MergeSuggestionView[];
}

export interface ContactListQuery {
  q?: string;
  pageToken?: string;
  pageSize?: number;
}

/**
 * The contacts page: customers found and browsed across channels, over history's port. Every
 * call is scoped to the session's workspace; history answers NotFound for another's ids.
 */
@Injectable()
export class ContactsService {
  constructor(@Inject(HISTORY_API) private readonly history: HistoryApi) {}

  list(session: SessionContext, query: ContactListQuery): Promise<Page<CustomerView>> {
    return this.history.findCustomers(session.workspaceId, {
      ...(query.q ? { text: query.q } : {}),
      pageSize: query.pageSize ?? 50,
      ...(query.pageToken ? { pageToken: query.pageToken } : {}),
    });
  }

  async profile(session: SessionContext, customerId: string): Promise<ContactProfile> {
    const workspaceId = session.workspaceId;
    const [customer, conversations, merges, mergeSuggestions] = await Promise.all([
      this.history.getCustomer(workspaceId, customerId),
      this.history.listConversations(workspaceId, {
        customerId,
        status: ['open', 'pending', 'resolved'],
        order: 'recent',
        pageSize: 50,
      }),
      this.history.listMerges(workspaceId, customerId),
      this.history.listMergeSuggestions(workspaceId, customerId),
    ]);
    return { customer, conversations: conversations.items, merges, mergeSuggestions };
  }

  undoMerge(session: SessionContext, mergeId: string): Promise<MergeView> {
    return this.history.undoMerge(session.workspaceId, mergeId, sender(session));
  }
}

function sender(session: SessionContext): MessageSender {
  return { type: 'agent', id: session.userId, name: session.displayName };
}
