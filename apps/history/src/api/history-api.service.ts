import { Injectable } from '@nestjs/common';
import {
  ApiError,
  type AssignmentRecordView,
  type ConversationOpening,
  type ConversationStatus,
  type ConversationView,
  type CustomerExport,
  type CustomerPatch,
  type CustomerView,
  type ErasureView,
  type FindCustomersQuery,
  type HistoryApi,
  type HistoryRecordView,
  type LabelInput,
  type LabelPatch,
  type LabelTarget,
  type LabelView,
  type SearchQuery,
  type SearchResultsView,
  InvalidArgumentError,
  type ListConversationsQuery,
  type ListMessagesQuery,
  type MergeCustomersInput,
  type MergeSuggestionView,
  type MergeView,
  type MessageSender,
  type MessageView,
  NotFoundError,
  type Page,
  type ReplayQuery,
  type SearchMessagesQuery,
  type SendMessageInput,
  type SendMessageResult,
  type SetConversationStatusOptions,
  type TimelineQuery,
  UnavailableError,
  conversationStatusSchema,
  messageSenderSchema,
} from '@switchboard/contracts';
import { isTransientDatabaseError } from '@switchboard/platform';
import { z } from 'zod';
import { ConversationsService } from '../conversations/conversations.service.js';
import { CustomersService } from '../customers/customers.service.js';
import { MergeService } from '../merges/merge.service.js';
import { OutboundMessageService } from '../outbound/outbound-message.service.js';
import { PrivacyService } from '../privacy/privacy.service.js';
import { TimelineService } from '../timeline/timeline.service.js';
import { LabelsService } from '../labels/labels.service.js';
import { SearchService } from '../search/search.service.js';
import { ConversationOpeningService } from '../conversations/conversation-opening.service.js';
import { ReplayService } from '../replay/replay.service.js';
import {
  parseFindCustomersQuery,
  parseLabelIds,
  parseLabelInput,
  parseLabelPatch,
  parseSearchQuery,
  parseListConversationsQuery,
  parseListMessagesQuery,
  parseOpenConversationQuery,
  parseReplayQuery,
  parseSearchMessagesQuery,
  parseTimelineQuery,
} from './history-queries.schema.js';

const uuid = z.uuid();

/** The workspace must be a well-formed id; anything else is the caller's mistake. */
function workspace(id: string): string {
  if (!uuid.safeParse(id).success)
    throw new InvalidArgumentError('invalid workspace id', [
      { field: 'workspaceId', description: 'must be a UUID' },
    ]);
  return id;
}

/** An id that is not a UUID names nothing: it reads as not found, like another workspace's id. */
function existingId(id: string, what: string): string {
  if (!uuid.safeParse(id).success) throw new NotFoundError(`${what} ${String(id)}`);
  return id;
}

function actor(by: MessageSender): MessageSender {
  const parsed = messageSenderSchema.safeParse(by);
  if (!parsed.success)
    throw new InvalidArgumentError('invalid actor', [
      { field: 'by', description: parsed.error.issues[0]!.message },
    ]);
  return parsed.data;
}

/**
 * HistoryApi in process (ADR 0004): validates at the edge, hands each call to the service that
 * owns the concept, and turns a database outage into UnavailableError so callers may retry.
 */
@Injectable()
export class HistoryApiService implements HistoryApi {
  constructor(
    private readonly customers: CustomersService,
    private readonly merges: MergeService,
    private readonly privacy: PrivacyService,
    private readonly timeline: TimelineService,
    private readonly conversations: ConversationsService,
    private readonly outbound: OutboundMessageService,
    private readonly searches: SearchService,
    private readonly labels: LabelsService,
    private readonly openings: ConversationOpeningService,
    private readonly replay: ReplayService,
  ) {}

  getCustomer(workspaceId: string, customerId: string): Promise<CustomerView> {
    return guard(() => this.customers.get(workspace(workspaceId), existingId(customerId, 'customer')));
  }

  findCustomers(workspaceId: string, query: FindCustomersQuery): Promise<Page<CustomerView>> {
    return guard(() => this.customers.find(workspace(workspaceId), parseFindCustomersQuery(query)));
  }

  updateCustomer(
    workspaceId: string,
    customerId: string,
    patch: CustomerPatch,
    by: MessageSender,
  ): Promise<CustomerView> {
    return guard(() => {
      actor(by);
      return this.customers.update(
        workspace(workspaceId),
        existingId(customerId, 'customer'),
        parsePatch(patch),
      );
    });
  }

  mergeCustomers(workspaceId: string, input: MergeCustomersInput, by: MessageSender): Promise<MergeView> {
    return guard(() =>
      this.merges.merge(
        workspace(workspaceId),
        {
          targetCustomerId: existingId(input.targetCustomerId, 'customer'),
          sourceCustomerId: existingId(input.sourceCustomerId, 'customer'),
        },
        actor(by),
      ),
    );
  }

  undoMerge(workspaceId: string, mergeId: string, by: MessageSender): Promise<MergeView> {
    return guard(() => this.merges.undo(workspace(workspaceId), existingId(mergeId, 'merge'), actor(by)));
  }

  listMerges(workspaceId: string, customerId: string): Promise<MergeView[]> {
    return guard(() => this.merges.list(workspace(workspaceId), existingId(customerId, 'customer')));
  }

  listMergeSuggestions(workspaceId: string, customerId: string): Promise<MergeSuggestionView[]> {
    return guard(() => this.merges.suggestions(workspace(workspaceId), existingId(customerId, 'customer')));
  }

  eraseCustomer(workspaceId: string, customerId: string, by: MessageSender): Promise<ErasureView> {
    return guard(() =>
      this.privacy.erase(workspace(workspaceId), existingId(customerId, 'customer'), actor(by)),
    );
  }

  exportCustomer(workspaceId: string, customerId: string): Promise<CustomerExport> {
    return guard(() => this.privacy.export(workspace(workspaceId), existingId(customerId, 'customer')));
  }

  getTimeline(workspaceId: string, customerId: string, query: TimelineQuery): Promise<Page<MessageView>> {
    return guard(() =>
      this.timeline.timeline(
        workspace(workspaceId),
        existingId(customerId, 'customer'),
        parseTimelineQuery(query),
      ),
    );
  }

  searchMessages(workspaceId: string, query: SearchMessagesQuery): Promise<Page<MessageView>> {
    return guard(() => {
      const parsed = parseSearchMessagesQuery(query);
      if (parsed.customerId !== undefined) existingId(parsed.customerId, 'customer');
      return this.timeline.search(workspace(workspaceId), parsed);
    });
  }

  search(workspaceId: string, query: SearchQuery): Promise<SearchResultsView> {
    return guard(() => this.searches.search(workspace(workspaceId), parseSearchQuery(query)));
  }

  listLabels(workspaceId: string): Promise<LabelView[]> {
    return guard(() => this.labels.list(workspace(workspaceId)));
  }

  createLabel(workspaceId: string, input: LabelInput): Promise<LabelView> {
    return guard(() => this.labels.create(workspace(workspaceId), parseLabelInput(input)));
  }

  updateLabel(workspaceId: string, labelId: string, patch: LabelPatch): Promise<LabelView> {
    return guard(() =>
      this.labels.update(workspace(workspaceId), existingId(labelId, 'label'), parseLabelPatch(patch)),
    );
  }

  deleteLabel(workspaceId: string, labelId: string): Promise<void> {
    return guard(() => this.labels.delete(workspace(workspaceId), existingId(labelId, 'label')));
  }

  setLabels(
    workspaceId: string,
    target: LabelTarget,
    labelIds: string[],
    by: MessageSender,
  ): Promise<string[]> {
    return guard(() => {
      const ids = parseLabelIds(labelIds);
      // Over RPC the target is whatever JSON the caller sent.
      if (typeof target !== 'object' || target === null)
        throw new InvalidArgumentError('invalid label target', [
          { field: 'target', description: 'a conversationId or a customerId' },
        ]);
      const checked: LabelTarget =
        'conversationId' in target
          ? { conversationId: existingId(target.conversationId, 'conversation') }
          : { customerId: existingId(target.customerId, 'customer') };
      return this.labels.set(workspace(workspaceId), checked, ids, actor(by));
    });
  }

  getConversation(workspaceId: string, conversationId: string): Promise<ConversationView> {
    return guard(() =>
      this.conversations.get(workspace(workspaceId), existingId(conversationId, 'conversation')),
    );
  }

  openConversation(
    workspaceId: string,
    conversationId: string,
    query: { timelinePageSize?: number },
  ): Promise<ConversationOpening> {
    return guard(() =>
      this.openings.open(
        workspace(workspaceId),
        existingId(conversationId, 'conversation'),
        parseOpenConversationQuery(query ?? {}),
      ),
    );
  }

  listConversations(workspaceId: string, query: ListConversationsQuery): Promise<Page<ConversationView>> {
    return guard(() => {
      const parsed = parseListConversationsQuery(query);
      if (
        (parsed.customerId !== undefined && !uuid.safeParse(parsed.customerId).success) ||
        (parsed.labelId !== undefined && !uuid.safeParse(parsed.labelId).success)
      )
        return Promise.resolve({ items: [], nextPageToken: null });
      return this.conversations.list(workspace(workspaceId), parsed);
    });
  }

  countConversations(workspaceId: string): Promise<number> {
    return guard(() => this.conversations.count(workspace(workspaceId)));
  }

  listMessages(
    workspaceId: string,
    conversationId: string,
    query: ListMessagesQuery,
  ): Promise<MessageView[]> {
    return guard(() =>
      this.timeline.conversationMessages(
        workspace(workspaceId),
        existingId(conversationId, 'conversation'),
        parseListMessagesQuery(query),
      ),
    );
  }

  listAssignments(workspaceId: string, conversationId: string): Promise<AssignmentRecordView[]> {
    return guard(() =>
      this.conversations.assignments(workspace(workspaceId), existingId(conversationId, 'conversation')),
    );
  }

  setConversationStatus(
    workspaceId: string,
    conversationId: string,
    status: ConversationStatus,
    by: MessageSender,
    options?: SetConversationStatusOptions,
  ): Promise<ConversationView> {
    return guard(() => {
      if (!conversationStatusSchema.safeParse(status).success)
        throw new InvalidArgumentError('invalid status', [
          { field: 'status', description: 'must be open, pending or resolved' },
        ]);
      const onlyOwnOrUnassigned = options?.onlyOwnOrUnassigned ?? false;
      if (typeof onlyOwnOrUnassigned !== 'boolean')
        throw new InvalidArgumentError('invalid options', [
          { field: 'options.onlyOwnOrUnassigned', description: 'must be a boolean' },
        ]);
      return this.conversations.setStatus(
        workspace(workspaceId),
        existingId(conversationId, 'conversation'),
        status,
        actor(by),
        { onlyOwnOrUnassigned },
      );
    });
  }

  sendMessage(workspaceId: string, input: SendMessageInput): Promise<SendMessageResult> {
    return guard(() => this.outbound.send(workspace(workspaceId), input));
  }

  replayRecords(workspaceId: string, query: ReplayQuery): Promise<Page<HistoryRecordView>> {
    return guard(() => this.replay.records(workspace(workspaceId), parseReplayQuery(query ?? {})));
  }
}

const patchSchema = z.object({
  name: z.string().trim().max(200).nullable().optional(),
  attributes: z.record(z.string().min(1).max(100), z.string().max(500).nullable()).optional(),
});

function parsePatch(patch: CustomerPatch): CustomerPatch {
  const parsed = patchSchema.safeParse(patch);
  if (parsed.success) return parsed.data;
  throw new InvalidArgumentError(
    'invalid customer patch',
    parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(patch)', description: i.message })),
  );
}

async function guard<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ApiError) throw error;
    if (isTransientDatabaseError(error))
      throw new UnavailableError('history is temporarily unavailable; retry');
    throw error;
  }
}
