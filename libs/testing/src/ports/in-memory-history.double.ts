/* eslint-disable @typescript-eslint/require-await -- async to match the port, not because it waits */
import { randomUUID } from 'node:crypto';
import {
  type AssignmentRecordView,
  type Channel,
  type ConversationOpening,
  ConversationLabelsChangedV1,
  ConversationMessageAppendedV1,
  ConversationStatusChangedV1,
  CustomerLabelsChangedV1,
  type ConversationStatus,
  type ConversationView,
  type CustomerView,
  FailedPreconditionError,
  type FindCustomersQuery,
  type HistoryApi,
  type HistoryRecordView,
  type LabelInput,
  type LabelPatch,
  type LabelTarget,
  type LabelView,
  type SearchQuery,
  type SearchResultsView,
  type ListConversationsQuery,
  type MergeSuggestionView,
  type MergeView,
  type MessageSender,
  type MessageView,
  NotFoundError,
  type Page,
  PermissionDeniedError,
  type ReplayQuery,
  type SendMessageInput,
  type SendMessageResult,
  type SetConversationStatusOptions,
  type TimelineQuery,
} from '@switchboard/contracts';
import type { EventBus } from '@switchboard/messaging';

/**
 * A test double of HistoryApi, in memory, for the tests of the services that call history (the
 * inbox, the gRPC API). It keeps the port's contract where callers rely on it, as the contract
 * suite (`describeHistoryApiContract`) checks against it and the real service alike: workspace
 * scoping (another workspace's ids are not found), idempotency keys, opted-out addresses, gapless
 * sequences, keyset pages. Given a bus, it emits the events history emits (messages appended,
 * status changes), so live paths run end to end. What no caller's test needs throws.
 */
export class InMemoryHistory implements HistoryApi {
  readonly customers = new Map<string, CustomerView>();
  readonly conversations = new Map<string, ConversationView>();
  readonly messages: MessageView[] = [];
  readonly suggestions: MergeSuggestionView[] = [];
  /** Merges by id, with what each moved (for its undo). */
  private readonly merges = new Map<
    string,
    {
      workspaceId: string;
      merge: MergeView;
      identityIds: string[];
      conversationIds: string[];
      labelIds: string[];
    }
  >();
  /** Every send by `${workspaceId}|${idempotencyKey}`: what was asked and what it answered. */
  readonly sent = new Map<
    string,
    { workspaceId: string; input: SendMessageInput; result: SendMessageResult }
  >();
  /** Addresses that opted out: a send to one is FailedPrecondition, as history's. */
  readonly optedOut = new Set<string>();
  /** Labels by id, with their workspace. */
  readonly labels = new Map<string, LabelView & { workspaceId: string }>();
  /** Every status change, as history records it for a replay. */
  readonly statusChanges: ConversationStatusChangedV1[] = [];
  /** Every change of a conversation's labels, as history records it for a replay (ADR 0118). */
  readonly labelChanges: ConversationLabelsChangedV1[] = [];
  /** Delay of listConversations, to test callers' deadlines. */
  listDelayMs = 0;

  constructor(public bus?: EventBus) {}

  addCustomer(workspaceId: string, patch: Partial<CustomerView> = {}): CustomerView {
    const now = new Date().toISOString();
    const customer: CustomerView = {
      id: randomUUID(),
      workspaceId,
      name: null,
      attributes: {},
      identities: [],
      channels: [],
      createdAt: now,
      updatedAt: now,
      erasedAt: null,
      ...patch,
    };
    this.customers.set(customer.id, customer);
    return customer;
  }

  /** A conversation of this customer, or of a new customer of this workspace. */
  addConversation(owner: CustomerView | string, patch: Partial<ConversationView> = {}): ConversationView {
    const customer = typeof owner === 'string' ? this.addCustomer(owner) : owner;
    const now = new Date().toISOString();
    const conversation: ConversationView = {
      id: randomUUID(),
      workspaceId: customer.workspaceId,
      customerId: customer.id,
      customerName: customer.name,
      status: 'open',
      channel: customer.channels[0] ?? 'web',
      channelAccountId: null,
      assigneeId: null,
      queueId: null,
      openedAt: now,
      firstResponseAt: null,
      resolvedAt: null,
      lastMessageAt: now,
      lastMessagePreview: null,
      lastSequence: 0,
      waitingSince: null,
      ...patch,
    };
    this.conversations.set(conversation.id, conversation);
    return conversation;
  }

  /** A customer's message arrives (what history does on the inbound topic). */
  async receive(
    conversationId: string,
    text: string,
    channel: Channel,
    at = new Date(),
  ): Promise<MessageView> {
    const conversation = this.conversations.get(conversationId)!;
    const message = this.append(conversation, {
      direction: 'in',
      channel,
      text,
      sender: { type: 'customer', id: conversation.customerId },
      createdAt: at.toISOString(),
    });
    conversation.waitingSince ??= message.createdAt;
    conversation.channel = channel;
    // As history: a message opens a conversation only when it created it (nobody holds it yet).
    await this.emitAppended(message, conversation.lastSequence === 1 && conversation.assigneeId === null);
    return message;
  }

  async getCustomer(workspaceId: string, customerId: string): Promise<CustomerView> {
    const customer = this.customers.get(customerId);
    if (!customer || customer.workspaceId !== workspaceId) throw new NotFoundError(`customer ${customerId}`);
    return customer;
  }
  async findCustomers(workspaceId: string, query: FindCustomersQuery = {}): Promise<Page<CustomerView>> {
    const { identity } = query;
    const prefix = query.text?.trim().toLowerCase() ?? '';
    const items = [...this.customers.values()].filter(
      (c) =>
        c.workspaceId === workspaceId &&
        (!identity || c.identities.some((i) => i.kind === identity.kind && i.value === identity.value)) &&
        (!prefix ||
          (c.name?.toLowerCase().startsWith(prefix) ?? false) ||
          c.identities.some((i) => i.value.toLowerCase().startsWith(prefix))),
    );
    return { items: items.reverse(), nextPageToken: null };
  }
  async updateCustomer(
    workspaceId: string,
    customerId: string,
    patch: { name?: string | null; attributes?: Record<string, string | null> },
  ): Promise<CustomerView> {
    const customer = await this.getCustomer(workspaceId, customerId);
    if (patch.name !== undefined) customer.name = patch.name;
    for (const [key, value] of Object.entries(patch.attributes ?? {})) {
      if (value === null) delete customer.attributes[key];
      else customer.attributes[key] = value;
    }
    return customer;
  }
  async mergeCustomers(
    workspaceId: string,
    input: { targetCustomerId: string; sourceCustomerId: string },
    by: MessageSender,
  ): Promise<MergeView> {
    const target = await this.getCustomer(workspaceId, input.targetCustomerId);
    const source = await this.getCustomer(workspaceId, input.sourceCustomerId);
    const moved = {
      identityIds: source.identities.map((i) => i.id),
      conversationIds: [...this.conversations.values()]
        .filter((c) => c.customerId === source.id)
        .map((c) => c.id),
      // The target gains the source's labels it lacked; the source keeps its own (ADR 0117).
      labelIds: (source.labelIds ?? []).filter((id) => !(target.labelIds ?? []).includes(id)),
    };
    target.labelIds = [...(target.labelIds ?? []), ...moved.labelIds];
    target.identities.push(...source.identities);
    source.identities = [];
    for (const c of this.conversations.values()) if (c.customerId === source.id) c.customerId = target.id;
    for (const m of this.messages) if (m.customerId === source.id) m.customerId = target.id;
    const merge: MergeView = {
      id: randomUUID(),
      targetCustomerId: target.id,
      sourceCustomerId: source.id,
      mergedBy: by,
      mergedAt: new Date().toISOString(),
      undoneAt: null,
    };
    this.merges.set(merge.id, { workspaceId, merge, ...moved });
    return { ...merge };
  }
  /** Moves back what the merge moved; undoing twice returns the same record. */
  async undoMerge(workspaceId: string, mergeId: string): Promise<MergeView> {
    const recorded = this.merges.get(mergeId);
    if (recorded?.workspaceId !== workspaceId) throw new NotFoundError(`merge ${mergeId}`);
    const { merge } = recorded;
    if (merge.undoneAt === null) {
      const target = await this.getCustomer(workspaceId, merge.targetCustomerId);
      const source = await this.getCustomer(workspaceId, merge.sourceCustomerId);
      source.identities.push(...target.identities.filter((i) => recorded.identityIds.includes(i.id)));
      target.identities = target.identities.filter((i) => !recorded.identityIds.includes(i.id));
      for (const id of recorded.conversationIds) {
        const conversation = this.conversations.get(id);
        if (conversation) conversation.customerId = source.id;
      }
      for (const m of this.messages)
        if (recorded.conversationIds.includes(m.conversationId)) m.customerId = source.id;
      target.labelIds = (target.labelIds ?? []).filter((id) => !recorded.labelIds.includes(id));
      merge.undoneAt = new Date().toISOString();
    }
    return { ...merge };
  }
  async listMerges(workspaceId: string, customerId: string): Promise<MergeView[]> {
    await this.getCustomer(workspaceId, customerId);
    return [...this.merges.values()]
      .filter(({ merge }) => merge.targetCustomerId === customerId || merge.sourceCustomerId === customerId)
      .map(({ merge }) => ({ ...merge }))
      .reverse();
  }
  async listMergeSuggestions(workspaceId: string, customerId: string): Promise<MergeSuggestionView[]> {
    await this.getCustomer(workspaceId, customerId);
    return this.suggestions.filter((s) => s.customerId === customerId);
  }
  async eraseCustomer(): Promise<never> {
    throw new Error('not part of the double');
  }
  async exportCustomer(): Promise<never> {
    throw new Error('not part of the double');
  }

  async getTimeline(
    workspaceId: string,
    customerId: string,
    query: TimelineQuery,
  ): Promise<Page<MessageView>> {
    await this.getCustomer(workspaceId, customerId);
    const all = this.messages
      .filter((m) => m.customerId === customerId && (!query.channel || m.channel === query.channel))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.sequence - a.sequence);
    const start = query.pageToken ? Number(query.pageToken) : 0;
    const size = Math.min(query.pageSize ?? 50, 200);
    const items = all.slice(start, start + size);
    return { items, nextPageToken: start + size < all.length ? String(start + size) : null };
  }
  async searchMessages(): Promise<Page<MessageView>> {
    return { items: [], nextPageToken: null };
  }

  /** Messages whose text contains the text (no ranking, no full-text parsing), newest first; no customers. */
  async search(workspaceId: string, query: SearchQuery): Promise<SearchResultsView> {
    const needle = query.text.trim().toLowerCase();
    const messages = this.messages
      .filter((m) => {
        const conversation = this.conversations.get(m.conversationId);
        return (
          m.workspaceId === workspaceId &&
          (m.text ?? '').toLowerCase().includes(needle) &&
          (!query.channel || m.channel === query.channel) &&
          (!query.labelId || (conversation?.labelIds ?? []).includes(query.labelId))
        );
      })
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .slice(0, 20)
      .map((m) => {
        const at = (m.text ?? '').toLowerCase().indexOf(needle);
        const conversation = this.conversations.get(m.conversationId)!;
        return {
          message: m,
          customerName: conversation.customerName,
          conversationStatus: conversation.status,
          highlights: [{ start: at, end: at + needle.length }],
        };
      });
    return { customers: [], messages, nextPageToken: null };
  }

  async listLabels(workspaceId: string): Promise<LabelView[]> {
    return [...this.labels.values()]
      .filter((l) => l.workspaceId === workspaceId)
      .map(({ workspaceId: _w, ...label }) => label)
      .sort((a, b) => a.name.localeCompare(b.name));
  }
  async createLabel(workspaceId: string, input: LabelInput): Promise<LabelView> {
    const label = { id: randomUUID(), workspaceId, createdAt: new Date().toISOString(), ...input };
    this.labels.set(label.id, label);
    const { workspaceId: _w, ...view } = label;
    return view;
  }
  async updateLabel(workspaceId: string, labelId: string, patch: LabelPatch): Promise<LabelView> {
    const label = this.labels.get(labelId);
    if (label?.workspaceId !== workspaceId) throw new NotFoundError(`label ${labelId}`);
    Object.assign(label, patch);
    const { workspaceId: _w, ...view } = label;
    return view;
  }
  async deleteLabel(workspaceId: string, labelId: string): Promise<void> {
    if (this.labels.get(labelId)?.workspaceId !== workspaceId) throw new NotFoundError(`label ${labelId}`);
    this.labels.delete(labelId);
    for (const holder of [...this.conversations.values(), ...this.customers.values()])
      holder.labelIds = (holder.labelIds ?? []).filter((id) => id !== labelId);
  }
  async setLabels(
    workspaceId: string,
    target: LabelTarget,
    labelIds: string[],
    by: MessageSender,
  ): Promise<string[]> {
    const holder =
      'conversationId' in target
        ? this.conversationOf(workspaceId, target.conversationId)
        : await this.getCustomer(workspaceId, target.customerId).then(() =>
            this.customers.get(target.customerId)!,
          );
    const missing = labelIds.find((id) => this.labels.get(id)?.workspaceId !== workspaceId);
    if (missing !== undefined) throw new NotFoundError(`label ${missing}`);
    const before = [...(holder.labelIds ?? [])].sort().join();
    holder.labelIds = [...new Set(labelIds)];
    // As history: a change is told on the log (ADR 0117) and a conversation's is kept for a replay
    // (ADR 0118); the same set again tells nothing.
    if (before !== [...holder.labelIds].sort().join()) {
      const changedAt = new Date().toISOString();
      const event =
        'conversationId' in target
          ? ConversationLabelsChangedV1.create({
              workspaceId,
              payload: {
                conversationId: target.conversationId,
                customerId: (holder as ConversationView).customerId,
                labelIds: holder.labelIds,
                changedBy: by,
                changedAt,
              },
            })
          : CustomerLabelsChangedV1.create({
              workspaceId,
              payload: { customerId: target.customerId, labelIds: holder.labelIds, changedBy: by, changedAt },
            });
      if (event.type === ConversationLabelsChangedV1.type) this.labelChanges.push(event);
      if (this.bus) await this.bus.emit(event);
    }
    return holder.labelIds;
  }

  async getConversation(workspaceId: string, conversationId: string): Promise<ConversationView> {
    return { ...this.conversationOf(workspaceId, conversationId) };
  }
  async openConversation(
    workspaceId: string,
    conversationId: string,
    query: { timelinePageSize?: number },
  ): Promise<ConversationOpening> {
    const conversation = await this.getConversation(workspaceId, conversationId);
    return {
      conversation,
      customer: await this.getCustomer(workspaceId, conversation.customerId),
      timeline: await this.getTimeline(workspaceId, conversation.customerId, {
        pageSize: query.timelinePageSize ?? 50,
      }),
      mergeSuggestions: await this.listMergeSuggestions(workspaceId, conversation.customerId),
    };
  }
  async countConversations(workspaceId: string): Promise<number> {
    return [...this.conversations.values()].filter((c) => c.workspaceId === workspaceId).length;
  }

  async listConversations(
    workspaceId: string,
    query: ListConversationsQuery,
  ): Promise<Page<ConversationView>> {
    if (this.listDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.listDelayMs));
    const items = [...this.conversations.values()]
      .filter(
        (c) =>
          c.workspaceId === workspaceId &&
          (!query.status || query.status.includes(c.status)) &&
          (query.assigneeId === undefined || c.assigneeId === query.assigneeId) &&
          (!query.unassigned || c.assigneeId === null) &&
          (!query.queueId || c.queueId === query.queueId) &&
          (!query.channel || c.channel === query.channel) &&
          (!query.customerId || c.customerId === query.customerId) &&
          (!query.labelId || (c.labelIds ?? []).includes(query.labelId)),
      )
      .sort((a, b) => (a.waitingSince ?? '~').localeCompare(b.waitingSince ?? '~'));
    return { items: items.map((c) => ({ ...c })), nextPageToken: null };
  }
  async listMessages(workspaceId: string, conversationId: string): Promise<MessageView[]> {
    this.conversationOf(workspaceId, conversationId);
    return this.messages.filter((m) => m.conversationId === conversationId);
  }
  async listAssignments(workspaceId: string, conversationId: string): Promise<AssignmentRecordView[]> {
    this.conversationOf(workspaceId, conversationId);
    return [];
  }
  async setConversationStatus(
    workspaceId: string,
    conversationId: string,
    status: ConversationStatus,
    by: MessageSender,
    options?: SetConversationStatusOptions,
  ): Promise<ConversationView> {
    const conversation = this.conversationOf(workspaceId, conversationId);
    if (options?.onlyOwnOrUnassigned && conversation.assigneeId !== null && conversation.assigneeId !== by.id)
      throw new PermissionDeniedError('this conversation is assigned to another agent');
    const previousStatus = conversation.status;
    conversation.status = status;
    if (previousStatus === status) return { ...conversation };
    const event = ConversationStatusChangedV1.create({
      workspaceId,
      payload: {
        conversationId,
        customerId: conversation.customerId,
        status,
        previousStatus,
        changedBy: by,
        changedAt: new Date().toISOString(),
      },
    });
    this.statusChanges.push(event);
    if (this.bus) await this.bus.emit(event);
    return { ...conversation };
  }

  /** Messages, status and label changes (the double keeps no routing decisions, ratings or erasures). */
  async replayRecords(workspaceId: string, query: ReplayQuery): Promise<Page<HistoryRecordView>> {
    const records: HistoryRecordView[] = [
      ...this.messages
        .filter((m) => m.workspaceId === workspaceId)
        .map((m): HistoryRecordView => ({
          kind: 'message',
          id: m.id,
          conversationId: m.conversationId,
          at: m.createdAt,
          sequence: m.sequence,
          direction: m.direction,
          channel: m.channel,
          sender: { type: m.sender.type, id: m.sender.id ?? null },
        })),
      ...this.statusChanges
        .filter((e) => e.workspaceId === workspaceId)
        .map((e): HistoryRecordView => ({
          kind: 'status',
          id: e.id,
          conversationId: e.payload.conversationId,
          at: e.payload.changedAt,
          status: e.payload.status,
          previousStatus: e.payload.previousStatus,
          changedBy: { type: e.payload.changedBy.type, id: e.payload.changedBy.id ?? null },
          cause: e.payload.cause ?? null,
        })),
      ...this.labelChanges
        .filter((e) => e.workspaceId === workspaceId)
        .map((e): HistoryRecordView => ({
          kind: 'labels',
          id: e.id,
          conversationId: e.payload.conversationId,
          at: e.payload.changedAt,
          labelIds: [...e.payload.labelIds],
        })),
    ].sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
    const after = query.pageToken
      ? (JSON.parse(Buffer.from(query.pageToken, 'base64url').toString('utf8')) as [string, string])
      : null;
    const size = Math.min(query.pageSize ?? 500, 2_000);
    const rest = after
      ? records.filter((r) => r.at > after[0] || (r.at === after[0] && r.id > after[1]))
      : records;
    const items = rest.slice(0, size);
    const last = items[items.length - 1];
    return {
      items,
      nextPageToken:
        items.length === size && last
          ? Buffer.from(JSON.stringify([last.at, last.id]), 'utf8').toString('base64url')
          : null,
    };
  }

  async sendMessage(workspaceId: string, input: SendMessageInput): Promise<SendMessageResult> {
    const key = `${workspaceId}|${input.idempotencyKey}`;
    const known = this.sent.get(key);
    if (known) return { ...known.result, created: false };
    if (input.identity && this.optedOut.has(input.identity.value))
      throw new FailedPreconditionError(`${input.identity.value} opted out of messages on this channel`);
    const conversation = await this.conversationToWrite(workspaceId, input);
    // As history: a secure form is shown by the web widget only, and a note asks nothing.
    if (input.form !== undefined && (input.internalNote || (input.channel ?? conversation.channel) !== 'web'))
      throw new FailedPreconditionError('secure forms are shown by the web widget only');
    const message = this.append(conversation, {
      direction: input.internalNote ? 'note' : 'out',
      channel: input.internalNote ? null : (input.channel ?? conversation.channel),
      text: input.text,
      sender: input.sender,
      createdAt: new Date().toISOString(),
    });
    message.attachments = input.attachments ?? [];
    if (!input.internalNote) conversation.waitingSince = null;
    await this.emitAppended(message, false);
    const result: SendMessageResult = {
      messageId: message.id,
      conversationId: conversation.id,
      customerId: conversation.customerId,
      channel: message.channel,
      created: true,
    };
    this.sent.set(key, { workspaceId, input, result });
    return result;
  }

  /** The conversation named, or the customer's (named, or found or created by identity) open one. */
  private async conversationToWrite(workspaceId: string, input: SendMessageInput): Promise<ConversationView> {
    if (input.conversationId !== undefined) return this.conversationOf(workspaceId, input.conversationId);
    let customer: CustomerView | undefined;
    if (input.customerId !== undefined) customer = await this.getCustomer(workspaceId, input.customerId);
    else if (input.identity !== undefined) {
      const { kind, value } = input.identity;
      customer =
        [...this.customers.values()].find(
          (c) =>
            c.workspaceId === workspaceId && c.identities.some((i) => i.kind === kind && i.value === value),
        ) ??
        this.addCustomer(workspaceId, {
          identities: [
            {
              id: randomUUID(),
              kind,
              value,
              verified: false,
              optedOut: false,
              createdAt: new Date().toISOString(),
            },
          ],
          channels: input.channel ? [input.channel] : [],
        });
    }
    if (customer === undefined) throw new NotFoundError('conversation');
    const open = [...this.conversations.values()].find(
      (c) => c.customerId === customer.id && c.status !== 'resolved',
    );
    return open ?? this.addConversation(customer, input.channel ? { channel: input.channel } : {});
  }

  private conversationOf(workspaceId: string, conversationId: string): ConversationView {
    const conversation = this.conversations.get(conversationId);
    if (!conversation || conversation.workspaceId !== workspaceId)
      throw new NotFoundError(`conversation ${conversationId}`);
    return conversation;
  }

  private append(
    conversation: ConversationView,
    fields: Pick<MessageView, 'direction' | 'channel' | 'text' | 'sender' | 'createdAt'>,
  ): MessageView {
    conversation.lastSequence += 1;
    conversation.lastMessageAt = fields.createdAt;
    conversation.lastMessagePreview = fields.text;
    const message: MessageView = {
      id: randomUUID(),
      workspaceId: conversation.workspaceId,
      conversationId: conversation.id,
      customerId: conversation.customerId,
      sequence: conversation.lastSequence,
      channelAccountId: null,
      providerMessageId: null,
      attachments: [],
      deliveryStatus: fields.direction === 'out' ? 'pending' : null,
      deliveryError: null,
      ...fields,
    };
    this.messages.push(message);
    return message;
  }

  private async emitAppended(message: MessageView, opened: boolean): Promise<void> {
    if (!this.bus) return;
    await this.bus.emit(
      ConversationMessageAppendedV1.create({
        workspaceId: message.workspaceId,
        payload: {
          conversationId: message.conversationId,
          customerId: message.customerId,
          messageId: message.id,
          sequence: message.sequence,
          direction: message.direction,
          channel: message.channel,
          channelAccountId: message.channelAccountId,
          text: message.text,
          attachments: [],
          sender: message.sender,
          createdAt: message.createdAt,
          openedConversation: opened,
        },
      }),
    );
  }
}
