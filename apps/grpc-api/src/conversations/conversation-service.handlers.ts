import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  MAX_MESSAGE_TEXT_LENGTH,
  type Attachment,
  type grpcV1,
  type ListConversationsQuery,
  type SendMessageInput,
  HISTORY_API,
  type HistoryApi,
  ROUTING_API,
  type RoutingApi,
  SOCIAL_CHANNEL_API,
  type SocialChannelApi,
  UnavailableError,
} from '@switchboard/contracts';
import { channels, conversationStatuses, identityKinds } from '../mapping/proto-enums.util.js';
import * as views from '../mapping/proto-views.util.js';
import type { CallContext } from '../server/rpc-handler.factory.js';
import { RpcHandlerFactory } from '../server/rpc-handler.factory.js';
import { Violations } from '../server/request-validation.util.js';

const MAX_ATTACHMENTS = 10;

/** ConversationService: validates at the edge, then asks history (and routing, for transfers). */
@Injectable()
export class ConversationServiceHandlers {
  constructor(
    private readonly rpc: RpcHandlerFactory,
    @Inject(HISTORY_API) private readonly history: HistoryApi,
    @Inject(ROUTING_API) private readonly routing: RoutingApi,
    // Null where the social channels are not deployed (no CHANNEL_SOCIAL_API_URL).
    @Optional() @Inject(SOCIAL_CHANNEL_API) private readonly social: SocialChannelApi | null,
  ) {}

  implementation(): grpcV1.ConversationServiceHandlers {
    return {
      SendMessage: this.rpc.unary('SendMessage', 'write', (req: grpcV1.SendMessageRequest__Output, ctx) =>
        this.sendMessage(req, ctx),
      ),
      GetConversation: this.rpc.unary(
        'GetConversation',
        'read',
        async (req: grpcV1.GetConversationRequest__Output, ctx) => {
          new Violations().uuid('conversation_id', req.conversationId).throwIfAny();
          return views.conversation(
            await this.history.getConversation(ctx.principal.workspaceId, req.conversationId),
          );
        },
      ),
      ListConversations: this.rpc.unary(
        'ListConversations',
        'read',
        async (req: grpcV1.ListConversationsRequest__Output, ctx) => {
          const page = await this.history.listConversations(ctx.principal.workspaceId, listQuery(req));
          return {
            conversations: page.items.map(views.conversation),
            nextPageToken: page.nextPageToken ?? '',
          };
        },
      ),
      ListMessages: this.rpc.unary(
        'ListMessages',
        'read',
        async (req: grpcV1.ListMessagesRequest__Output, ctx) => {
          const after = Number(req.afterSequence);
          new Violations()
            .uuid('conversation_id', req.conversationId)
            .integer('after_sequence', after, 0, Number.MAX_SAFE_INTEGER)
            .integer('page_size', req.pageSize, 0, 500)
            .throwIfAny();
          const messages = await this.history.listMessages(ctx.principal.workspaceId, req.conversationId, {
            afterSequence: after,
            ...(req.pageSize > 0 ? { pageSize: req.pageSize } : {}),
          });
          return { messages: messages.map(views.message) };
        },
      ),
      ResolveConversation: this.rpc.unary(
        'ResolveConversation',
        'write',
        async (req: grpcV1.ResolveConversationRequest__Output, ctx) => {
          new Violations().uuid('conversation_id', req.conversationId).throwIfAny();
          return views.conversation(
            await this.history.setConversationStatus(
              ctx.principal.workspaceId,
              req.conversationId,
              'resolved',
              ctx.sender(),
            ),
          );
        },
      ),
      TransferConversation: this.rpc.unary(
        'TransferConversation',
        'write',
        async (req: grpcV1.TransferConversationRequest__Output, ctx) => {
          const v = new Violations()
            .uuid('conversation_id', req.conversationId)
            .text('note', req.note, 0, 1000);
          if (req.target === 'agentId') v.text('agent_id', req.agentId ?? '', 1, 200);
          else if (req.target === 'queueId') v.text('queue_id', req.queueId ?? '', 1, 200);
          else v.add('target', 'set agent_id or queue_id');
          v.throwIfAny();
          const workspaceId = ctx.principal.workspaceId;
          // Routing answers NOT_FOUND for an agent, queue or conversation outside the workspace.
          const target = req.target === 'agentId' ? { agentId: req.agentId! } : { queueId: req.queueId! };
          await this.routing.transfer(
            workspaceId,
            req.conversationId,
            target,
            ctx.sender(),
            req.note === '' ? undefined : req.note,
          );
          return {};
        },
      ),
      AddNote: this.rpc.unary('AddNote', 'write', async (req: grpcV1.AddNoteRequest__Output, ctx) => {
        new Violations()
          .text('request_id', req.requestId, 1, 200)
          .uuid('conversation_id', req.conversationId)
          .text('text', req.text, 1, MAX_MESSAGE_TEXT_LENGTH)
          .text('sender_name', req.senderName, 0, 200)
          .throwIfAny();
        const result = await this.history.sendMessage(ctx.principal.workspaceId, {
          idempotencyKey: idempotencyKey(ctx, req.requestId),
          conversationId: req.conversationId,
          internalNote: true,
          text: req.text,
          sender: ctx.sender(req.senderName),
        });
        return { messageId: result.messageId, created: result.created };
      }),
      ListMessageTemplates: this.rpc.unary(
        'ListMessageTemplates',
        'read',
        async (req: grpcV1.ListMessageTemplatesRequest__Output, ctx) => {
          new Violations().optionalUuid('channel_account_id', req.channelAccountId).throwIfAny();
          if (this.social === null) throw new UnavailableError('the social channels are not deployed');
          const templates = await this.social.listMessageTemplates(
            ctx.principal.workspaceId,
            req.channelAccountId === '' ? undefined : req.channelAccountId,
          );
          return { templates };
        },
      ),
    };
  }

  private async sendMessage(req: grpcV1.SendMessageRequest__Output, ctx: CallContext) {
    const v = new Violations()
      .text('request_id', req.requestId, 1, 200)
      .text('channel_account_id', req.channelAccountId, 0, 200)
      .text('text', req.text, 0, MAX_MESSAGE_TEXT_LENGTH)
      .text('sender_name', req.senderName, 0, 200);
    const input: Partial<SendMessageInput> = {};
    switch (req.recipient) {
      case 'customerId':
        v.uuid('customer_id', req.customerId ?? '');
        input.customerId = req.customerId!;
        break;
      case 'conversationId':
        v.uuid('conversation_id', req.conversationId ?? '');
        input.conversationId = req.conversationId!;
        break;
      case 'identity': {
        const kind = identityKinds.fromProto(req.identity?.kind);
        if (!kind) v.add('identity.kind', 'is required');
        v.text('identity.value', req.identity?.value ?? '', 1, 320);
        if (kind) input.identity = { kind, value: req.identity!.value.trim() };
        break;
      }
      case undefined:
        v.add('recipient', 'set one of customer_id, conversation_id or identity');
    }
    const template = req.template ?? null;
    if (req.text.trim() === '' && req.attachments.length === 0 && template === null)
      v.add('text', 'is required without attachments or a template');
    if (template !== null) {
      v.text('template.name', template.name, 1, 512).text('template.language', template.language, 2, 16);
      if (template.parameters.length > 20) v.add('template.parameters', 'at most 20');
      template.parameters.forEach((p, i) => v.text(`template.parameters[${i}]`, p, 1, 1024));
      if (req.attachments.length > 0) v.add('attachments', 'a template goes alone');
    }
    if (req.attachments.length > MAX_ATTACHMENTS) v.add('attachments', `at most ${MAX_ATTACHMENTS}`);
    const attachments: Attachment[] = req.attachments.map((a, i) => {
      v.text(`attachments[${i}].storage_key`, a.storageKey, 1, 1000).text(
        `attachments[${i}].content_type`,
        a.contentType,
        1,
        200,
      );
      const size = Number(a.sizeBytes);
      v.integer(`attachments[${i}].size_bytes`, size, 0, Number.MAX_SAFE_INTEGER);
      return {
        storageKey: a.storageKey,
        contentType: a.contentType,
        sizeBytes: size,
        ...(a.fileName ? { fileName: a.fileName } : {}),
      };
    });
    v.throwIfAny();
    const channel = channels.fromProto(req.channel);
    const result = await this.history.sendMessage(ctx.principal.workspaceId, {
      ...input,
      idempotencyKey: idempotencyKey(ctx, req.requestId),
      ...(channel ? { channel } : {}),
      ...(req.channelAccountId ? { channelAccountId: req.channelAccountId } : {}),
      text: req.text === '' ? null : req.text,
      attachments,
      ...(template === null
        ? {}
        : {
            template: {
              name: template.name,
              language: template.language,
              parameters: template.parameters,
            },
          }),
      sender: ctx.sender(req.senderName),
    });
    return views.sendResult(result);
  }
}

/** Scoped by key: two integrators of a workspace choosing the same request id don't collide. */
function idempotencyKey(ctx: CallContext, requestId: string): string {
  return `grpc:${ctx.principal.keyId}:${requestId}`;
}

function listQuery(req: grpcV1.ListConversationsRequest__Output): ListConversationsQuery {
  const v = new Violations()
    .text('assignee_id', req.assigneeId, 0, 200)
    .text('queue_id', req.queueId, 0, 200)
    .optionalUuid('customer_id', req.customerId)
    .integer('page_size', req.pageSize, 0, 100)
    .text('page_token', req.pageToken, 0, 2000);
  if (req.unassigned && req.assigneeId !== '') v.add('unassigned', 'cannot be combined with assignee_id');
  const statuses = req.statuses.map((s, i) => {
    const status = conversationStatuses.fromProto(s);
    if (!status) v.add(`statuses[${i}]`, 'must be OPEN, PENDING or RESOLVED');
    return status;
  });
  v.throwIfAny();
  const channel = channels.fromProto(req.channel);
  return {
    ...(statuses.length > 0 ? { status: statuses.filter((s) => s !== undefined) } : {}),
    ...(req.assigneeId ? { assigneeId: req.assigneeId } : {}),
    ...(req.unassigned ? { unassigned: true } : {}),
    ...(req.queueId ? { queueId: req.queueId } : {}),
    ...(channel ? { channel } : {}),
    ...(req.customerId ? { customerId: req.customerId } : {}),
    order: req.order === 'ORDER_RECENT' ? 'recent' : 'waiting',
    ...(req.pageSize > 0 ? { pageSize: req.pageSize } : {}),
    ...(req.pageToken ? { pageToken: req.pageToken } : {}),
  };
}
