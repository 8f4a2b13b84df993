import { Injectable, Inject, Optional } from '@nestjs/common';
import {
  type BotConversationView,
  type Channel,
  type ConversationStatus,
  type ConversationView,
  type CustomerView,
  type MergeSuggestionView,
  type MessageSender,
  type MessageTemplate,
  type MessageTemplateView,
  type MessageView,
  type Page,
  PermissionDeniedError,
  type RoutingDecisionView,
  type SecureForm,
  type SendMessageResult,
  type TransferTarget,
  HISTORY_API,
  type HistoryApi,
  ROUTING_API,
  type RoutingApi,
  SOCIAL_CHANNEL_API,
  type SocialChannelApi,
  UnavailableError,
} from '@switchboard/contracts';
import { AttachmentsService } from '../attachments/attachments.service.js';
import { roleAtLeast } from '../auth/role.js';
import type { SessionContext } from '../auth/session-context.js';
import { type SnoozeView, SnoozesService } from '../snoozes/snoozes.service.js';
import { ReadPositionsService, unreadCount } from './read-positions.service.js';

export type ConversationListView = 'mine' | 'unassigned' | 'all';

export interface ConversationListQuery {
  view: ConversationListView;
  status?: ConversationStatus[];
  channel?: Channel;
  queueId?: string;
  labelId?: string;
  pageToken?: string;
  pageSize?: number;
}

export interface ConversationListItem extends ConversationView {
  unread: number;
}

export interface ConversationDetail {
  conversation: ConversationView;
  customer: CustomerView;
  /** The customer's messages across channels and conversations, newest first. */
  timeline: Page<MessageView>;
  mergeSuggestions: MergeSuggestionView[];
  /** Snoozed out of the open lists until then or the customer's next message (ADR 0112). */
  snooze: SnoozeView | null;
}

export interface ReplyInput {
  idempotencyKey: string;
  text?: string | null;
  attachmentIds?: string[];
  channel?: Channel;
  internalNote?: boolean;
  /** WhatsApp: an approved template (the only message allowed once the 24-hour window closed). */
  template?: MessageTemplate;
  form?: SecureForm;
}

/**
 * The inbox's conversation operations, over history's and routing's ports, with the inbox's rules:
 * agents see their own and unassigned conversations, supervisors everything; an agent acts only on
 * conversations that are theirs or nobody's.
 */
@Injectable()
export class ConversationsService {
  constructor(
    @Inject(HISTORY_API) private readonly history: HistoryApi,
    @Inject(ROUTING_API) private readonly routing: RoutingApi,
    private readonly reads: ReadPositionsService,
    private readonly attachments: AttachmentsService,
    private readonly snoozes: SnoozesService,
    // Null where the social channels are not deployed.
    @Optional() @Inject(SOCIAL_CHANNEL_API) private readonly social: SocialChannelApi | null,
  ) {}

  async list(session: SessionContext, query: ConversationListQuery): Promise<Page<ConversationListItem>> {
    if (query.view === 'all' && !roleAtLeast(session.role, 'supervisor'))
      throw new PermissionDeniedError('only supervisors see every conversation');
    const page = await this.history.listConversations(session.workspaceId, {
      status: query.status ?? ['open', 'pending'],
      ...(query.view === 'mine' ? { assigneeId: session.userId } : {}),
      ...(query.view === 'unassigned' ? { unassigned: true } : {}),
      ...(query.channel ? { channel: query.channel } : {}),
      ...(query.queueId ? { queueId: query.queueId } : {}),
      ...(query.labelId ? { labelId: query.labelId } : {}),
      order: 'waiting',
      pageSize: query.pageSize ?? 50,
      ...(query.pageToken ? { pageToken: query.pageToken } : {}),
    });
    // Snoozed conversations are out of every open list until they wake (ADR 0112).
    const snoozed = await this.snoozes.activeAmong(
      session.workspaceId,
      page.items.map((c) => c.id),
    );
    const items = page.items.filter((c) => !snoozed.has(c.id));
    const positions = await this.reads.positions(
      session.workspaceId,
      session.userId,
      items.map((c) => c.id),
    );
    return {
      items: items.map((c) => ({ ...c, unread: unreadCount(c.lastSequence, positions.get(c.id)) })),
      nextPageToken: page.nextPageToken,
    };
  }

  /** Opening a conversation marks it read for this agent. */
  async open(session: SessionContext, conversationId: string): Promise<ConversationDetail> {
    // History's part in one call and one statement (ADR 0013); then the inbox's own two, at once
    // (after history found the conversation in the workspace: an id that is none reads not found).
    const opened = await this.history.openConversation(session.workspaceId, conversationId, {
      timelinePageSize: 50,
    });
    const { conversation } = opened;
    const [, snooze] = await Promise.all([
      this.reads.markRead(session.workspaceId, session.userId, conversation.id, conversation.lastSequence),
      this.snoozes.get(session.workspaceId, conversation.id),
    ]);
    return { ...opened, snooze };
  }

  async timeline(
    session: SessionContext,
    customerId: string,
    query: { pageToken?: string; channel?: Channel },
  ): Promise<Page<MessageView>> {
    return this.history.getTimeline(session.workspaceId, customerId, { pageSize: 50, ...query });
  }

  async markRead(session: SessionContext, conversationId: string, upToSequence: number): Promise<void> {
    // Through history first: a conversation of another workspace is not found, not recorded.
    const conversation = await this.history.getConversation(session.workspaceId, conversationId);
    await this.reads.markRead(
      session.workspaceId,
      session.userId,
      conversation.id,
      Math.min(upToSequence, conversation.lastSequence),
    );
  }

  async reply(
    session: SessionContext,
    conversationId: string,
    input: ReplyInput,
  ): Promise<SendMessageResult> {
    const conversation = await this.actionable(session, conversationId);
    const attachments = await this.attachments.forReply(session, input.attachmentIds ?? []);
    const result = await this.history.sendMessage(session.workspaceId, {
      // Scoped to the agent: one agent's key can never replay another's message.
      idempotencyKey: `inbox:${session.userId}:${input.idempotencyKey}`,
      conversationId: conversation.id,
      ...(input.channel ? { channel: input.channel } : {}),
      ...(input.internalNote ? { internalNote: true } : {}),
      text: input.text ?? null,
      ...(attachments.length > 0 ? { attachments } : {}),
      ...(input.template ? { template: input.template } : {}),
      ...(input.form ? { form: input.form } : {}),
      sender: this.sender(session),
    });
    return result;
  }

  /**
   * The approved WhatsApp templates the composer offers for this conversation: its WhatsApp
   * number's (the workspace's default one before the customer wrote on WhatsApp).
   */
  async templates(session: SessionContext, conversationId: string): Promise<MessageTemplateView[]> {
    const conversation = await this.actionable(session, conversationId);
    if (this.social === null) throw new UnavailableError('the social channels are not deployed');
    const account =
      conversation.channel === 'whatsapp' && conversation.channelAccountId !== null
        ? conversation.channelAccountId
        : undefined;
    return this.social.listMessageTemplates(session.workspaceId, account);
  }

  async setStatus(
    session: SessionContext,
    conversationId: string,
    status: ConversationStatus,
  ): Promise<ConversationView> {
    // History checks who may act in the change's own statement: no read before it, and nothing can
    // assign the conversation between a check and the change.
    return this.history.setConversationStatus(
      session.workspaceId,
      conversationId,
      status,
      this.sender(session),
      {
        onlyOwnOrUnassigned: !roleAtLeast(session.role, 'supervisor'),
      },
    );
  }

  async transfer(
    session: SessionContext,
    conversationId: string,
    to: TransferTarget,
    note: string | undefined,
  ): Promise<void> {
    await this.actionable(session, conversationId);
    // Routing answers NotFound for an agent, queue or conversation outside the workspace.
    await this.routing.transfer(session.workspaceId, conversationId, to, this.sender(session), note);
  }

  /**
   * Takes a conversation from the answer bot (ADR 0080): for the signed-in agent, or — for a
   * supervisor — for the agent they name. Routing refuses one the bot does not hold.
   */
  async takeOver(
    session: SessionContext,
    conversationId: string,
    agentId: string | undefined,
  ): Promise<void> {
    if (agentId !== undefined && agentId !== session.userId && !roleAtLeast(session.role, 'supervisor'))
      throw new PermissionDeniedError('only supervisors hand a conversation to someone else');
    await this.actionable(session, conversationId);
    await this.routing.takeOver(
      session.workspaceId,
      conversationId,
      agentId ?? session.userId,
      this.sender(session),
    );
  }

  /** What the bot holds now: every agent may see it and take one over. */
  botConversations(session: SessionContext): Promise<BotConversationView[]> {
    return this.routing.listBotConversations(session.workspaceId);
  }

  /** Only the agent the conversation is offered to can answer the offer: routing checks that. */
  async answerOffer(session: SessionContext, conversationId: string, accepted: boolean): Promise<void> {
    await this.history.getConversation(session.workspaceId, conversationId);
    await this.routing.answerOffer(session.workspaceId, conversationId, session.userId, accepted);
  }

  async decision(session: SessionContext, conversationId: string): Promise<RoutingDecisionView> {
    await this.history.getConversation(session.workspaceId, conversationId);
    return this.routing.getDecision(session.workspaceId, conversationId);
  }

  async mergeCustomers(session: SessionContext, targetCustomerId: string, sourceCustomerId: string) {
    return this.history.mergeCustomers(
      session.workspaceId,
      { targetCustomerId, sourceCustomerId },
      this.sender(session),
    );
  }

  async updateCustomer(
    session: SessionContext,
    customerId: string,
    patch: { name?: string | null; attributes?: Record<string, string | null> },
  ): Promise<CustomerView> {
    return this.history.updateCustomer(session.workspaceId, customerId, patch, this.sender(session));
  }

  private async actionable(session: SessionContext, conversationId: string): Promise<ConversationView> {
    const conversation = await this.history.getConversation(session.workspaceId, conversationId);
    if (!canAct(session, conversation))
      throw new PermissionDeniedError('this conversation is assigned to another agent');
    return conversation;
  }

  private sender(session: SessionContext): MessageSender {
    return { type: 'agent', id: session.userId, name: session.displayName };
  }
}

/** Agents act on their own and unassigned conversations; supervisors and admins on any. */
export function canAct(
  session: Pick<SessionContext, 'role' | 'userId'>,
  conversation: ConversationView,
): boolean {
  return (
    roleAtLeast(session.role, 'supervisor') ||
    conversation.assigneeId === null ||
    conversation.assigneeId === session.userId
  );
}
