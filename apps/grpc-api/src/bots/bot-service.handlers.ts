import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  FailedPreconditionError,
  KNOWLEDGE_BASE_API,
  MAX_MESSAGE_TEXT_LENGTH,
  type grpcV1,
  type KnowledgeBaseApi,
} from '@switchboard/contracts';
import { channels } from '../mapping/proto-enums.util.js';
import type { CallContext } from '../server/rpc-handler.factory.js';
import { RpcHandlerFactory } from '../server/rpc-handler.factory.js';
import { Violations } from '../server/request-validation.util.js';
import { botModes, handOffReasonFromProto } from './bot-proto.util.js';
import { CARD_FORM_TEXT, ExternalBotService } from './external-bot.service.js';

/**
 * BotService (ADR 0083): validates at the edge, then ExternalBotService (messages and hand-offs)
 * or the bot's KnowledgeBaseApi (each channel's bot mode), with the key's workspace.
 */
@Injectable()
export class BotServiceHandlers {
  constructor(
    private readonly rpc: RpcHandlerFactory,
    private readonly bots: ExternalBotService,
    @Optional() @Inject(KNOWLEDGE_BASE_API) private readonly kb: KnowledgeBaseApi | null,
  ) {}

  implementation(): grpcV1.BotServiceHandlers {
    return {
      ListChannelBotModes: this.rpc.unary('ListChannelBotModes', 'read', async (_req, ctx) => {
        const modes = await this.port().listChannelBotModes(ctx.principal.workspaceId);
        return {
          channels: modes.map((m) => ({
            channel: channels.toProto(m.channel),
            mode: botModes.toProto(m.mode),
          })),
        };
      }),
      SetChannelBotMode: this.rpc.unary(
        'SetChannelBotMode',
        'write',
        async (req: grpcV1.SetChannelBotModeRequest__Output, ctx) => {
          const channel = channels.fromProto(req.channel);
          const mode = botModes.fromProto(req.mode);
          const v = new Violations();
          if (!channel) v.add('channel', 'is required');
          if (!mode) v.add('mode', 'is required');
          v.throwIfAny();
          await this.port().setChannelBotMode(ctx.principal.workspaceId, channel!, mode!);
          return {};
        },
      ),
      SendBotMessage: this.rpc.unary(
        'SendBotMessage',
        'write',
        async (req: grpcV1.SendBotMessageRequest__Output, ctx) => {
          this.checkMessage(req, 1).throwIfAny();
          return this.send(req, req.text, ctx, false);
        },
      ),
      RequestCardForm: this.rpc.unary(
        'RequestCardForm',
        'write',
        async (req: grpcV1.RequestCardFormRequest__Output, ctx) => {
          this.checkMessage(req, 0).throwIfAny();
          return this.send(req, req.text.trim() === '' ? CARD_FORM_TEXT : req.text, ctx, true);
        },
      ),
      HandOff: this.rpc.unary('HandOff', 'write', async (req: grpcV1.HandOffRequest__Output, ctx) => {
        const reason = handOffReasonFromProto(req.reason);
        const v = new Violations()
          .uuid('conversation_id', req.conversationId)
          .text('note', req.note, 0, 1000);
        if (!reason) v.add('reason', 'must be LOW_CONFIDENCE, ASKED_FOR_PERSON or NOT_HELPFUL');
        v.throwIfAny();
        await this.bots.handOff(
          ctx.principal.workspaceId,
          req.conversationId,
          reason!,
          req.note.trim() === '' ? null : req.note,
          botSender(ctx),
          // One hand-off note per conversation and key: a retried HandOff adds it once.
          `grpc:${ctx.principal.keyId}:handoff:${req.conversationId}`,
        );
        return {};
      }),
    };
  }

  private checkMessage(
    req: { requestId: string; conversationId: string; text: string; senderName: string },
    minText: number,
  ): Violations {
    return new Violations()
      .text('request_id', req.requestId, 1, 200)
      .uuid('conversation_id', req.conversationId)
      .text('text', req.text, minText, MAX_MESSAGE_TEXT_LENGTH)
      .text('sender_name', req.senderName, 0, 200);
  }

  private async send(
    req: { requestId: string; conversationId: string; senderName: string },
    text: string,
    ctx: CallContext,
    card: boolean,
  ): Promise<grpcV1.SendBotMessageResponse> {
    const result = await this.bots.send(ctx.principal.workspaceId, {
      // The same space as ConversationService.SendMessage's: one request id, one message.
      idempotencyKey: `grpc:${ctx.principal.keyId}:${req.requestId}`,
      conversationId: req.conversationId,
      text,
      sender: botSender(ctx, req.senderName),
      ...(card ? { form: { kind: 'card' as const } } : {}),
    });
    return { messageId: result.messageId, created: result.created };
  }

  private port(): KnowledgeBaseApi {
    if (!this.kb) throw new FailedPreconditionError('the bot is not deployed with this API (BOT_API_URL)');
    return this.kb;
  }
}

/** The integrator's bot as the author: a bot (never an agent), named by the key that wrote. */
function botSender(ctx: CallContext, name = '') {
  return {
    type: 'bot' as const,
    id: `api-key:${ctx.principal.keyId}`,
    name: name.trim() === '' ? 'Bot' : name,
  };
}
