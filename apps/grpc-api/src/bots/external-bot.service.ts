import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  BotHandoffRequestedV1,
  FailedPreconditionError,
  HISTORY_API,
  KNOWLEDGE_BASE_API,
  ROUTING_API,
  type BotHandoffReason,
  type ConversationView,
  type HistoryApi,
  type KnowledgeBaseApi,
  type MessageSender,
  type RoutingApi,
  type SecureForm,
  type SendMessageResult,
} from '@switchboard/contracts';
import { EventBus } from '@switchboard/messaging';

export const CARD_FORM_TEXT = 'Please enter your card details below.';

/** What an integrator's bot asks of a conversation it holds. */
export interface BotMessage {
  readonly idempotencyKey: string;
  readonly conversationId: string;
  readonly text: string;
  readonly sender: MessageSender;
  readonly form?: SecureForm;
}

/**
 * An integrator's bot in the conversations routing holds for it (ADR 0083): it writes as the bot
 * and hands off, only while routing holds the conversation and the channel's bot is external —
 * what the integrator saw on the event feed (routing publishes the hold once it is recorded).
 */
@Injectable()
export class ExternalBotService {
  constructor(
    @Inject(HISTORY_API) private readonly history: HistoryApi,
    @Inject(ROUTING_API) private readonly routing: RoutingApi,
    @Inject(EventBus) private readonly bus: EventBus,
    // Null where the bot is not deployed (grpc-api alone, no BOT_API_URL).
    @Optional() @Inject(KNOWLEDGE_BASE_API) private readonly kb: KnowledgeBaseApi | null,
  ) {}

  /** Sends as the bot (not an agent: the bot keeps the conversation, routing's timeout stops). */
  async send(workspaceId: string, message: BotMessage): Promise<SendMessageResult> {
    const conversation = await this.held(workspaceId, message.conversationId);
    if (message.form !== undefined && conversation.channel !== 'web')
      throw new FailedPreconditionError('secure forms are shown by the web widget only');
    return this.history.sendMessage(workspaceId, {
      idempotencyKey: message.idempotencyKey,
      conversationId: message.conversationId,
      text: message.text,
      sender: message.sender,
      ...(message.form !== undefined ? { form: message.form } : {}),
    });
  }

  /**
   * Gives the conversation to people: the note first (an internal note the agent reads in the
   * transcript), then the same hand-off command the answer bot sends; routing takes it once.
   */
  async handOff(
    workspaceId: string,
    conversationId: string,
    reason: BotHandoffReason,
    note: string | null,
    sender: MessageSender,
    idempotencyKey: string,
  ): Promise<void> {
    const conversation = await this.held(workspaceId, conversationId);
    if (note !== null)
      await this.history.sendMessage(workspaceId, {
        idempotencyKey,
        conversationId,
        internalNote: true,
        text: note,
        sender,
      });
    await this.bus.emit(
      BotHandoffRequestedV1.create({
        workspaceId,
        payload: {
          conversationId,
          customerId: conversation.customerId,
          reason,
          articleIds: [],
          requestedAt: new Date().toISOString(),
        },
      }),
    );
  }

  /** NOT_FOUND outside the workspace; FAILED_PRECONDITION unless an external bot holds it now. */
  private async held(workspaceId: string, conversationId: string): Promise<ConversationView> {
    const conversation = await this.history.getConversation(workspaceId, conversationId);
    if (this.kb === null) throw new FailedPreconditionError('the bot is not deployed with this API');
    const [decision, modes] = await Promise.all([
      this.routing.getDecision(workspaceId, conversationId),
      this.kb.listChannelBotModes(workspaceId),
    ]);
    if (decision.state !== 'bot')
      throw new FailedPreconditionError('the conversation is not held for a bot (handed off, or never held)');
    const mode = modes.find((m) => m.channel === conversation.channel)?.mode;
    if (mode !== 'external')
      throw new FailedPreconditionError("the conversation's channel is not served by an external bot");
    return conversation;
  }
}
