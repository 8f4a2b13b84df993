import { Inject, Injectable } from '@nestjs/common';
import {
  BotChannelSwitchedV1,
  BotHandoffRequestedV1,
  OutboundMessageRequestedV1,
  REQUEST_CARD_TAG,
  botAnswerSenderId,
  type ArticleStatsView,
  type BotMode,
  type ChannelBotMode,
  type BotHoldChangedV1,
  type Channel,
  type ConversationMessageAppendedV1,
  type EventEnvelope,
  type MessageSender,
} from '@switchboard/contracts';
import { EventBus } from '@switchboard/messaging';
import { WorkspaceMatcherService, type WorkspaceAnswer } from '../matching/workspace-matcher.service.js';
import {
  BotConversationRepository,
  type ArticleCounts,
  type HeldConversation,
} from './bot-conversation.repository.js';
import { decideAction, type BotAction } from './bot-policy.js';

const BOT_SENDER = { type: 'bot', name: 'Bot' } as const;
export const HANDOFF_MESSAGE = 'Let me connect you with a person. Someone will be with you shortly.';

/**
 * The bot in the conversations it holds (ADR 0080): takes a new conversation on a channel it is
 * switched on for, answers or hands off each customer message, and falls silent for good once an
 * agent writes. It publishes before it records the message as handled, so a crash in between
 * repeats the same decision, which history (idempotency key) and routing (hand-off of a
 * conversation no longer held) take once.
 */
@Injectable()
export class BotConversationService {
  constructor(
    private readonly conversations: BotConversationRepository,
    private readonly matchers: WorkspaceMatcherService,
    @Inject(EventBus) private readonly bus: EventBus,
  ) {}

  async handle(event: ConversationMessageAppendedV1): Promise<void> {
    const { workspaceId, payload: p } = event;
    // A conversation a customer opens: one an agent or integrator opened is theirs (routing agrees).
    // On a channel whose bot is external, routing holds it for the integrator's bot (ADR 0083).
    if (
      p.openedConversation &&
      p.direction === 'in' &&
      p.channel !== null &&
      (await this.conversations.modeOf(workspaceId, p.channel)) === 'built-in'
    )
      await this.conversations.hold(workspaceId, p.conversationId, p.customerId, p.channel);
    const held = await this.conversations.find(workspaceId, p.conversationId);
    if (!held || p.sequence <= held.lastSequence) return;
    let next = held.state;
    let counts: ArticleCounts = {};
    if (p.direction === 'out' && p.sender.type === 'agent') {
      if (held.state.status === 'active') next = { ...held.state, status: 'silenced' };
    } else if (p.direction === 'in' && p.sender.type === 'customer' && p.text) {
      const answer = held.state.status === 'active' ? await this.matchers.answer(workspaceId, p.text) : null;
      const decided = decideAction(held.state, p.text, () =>
        answer?.kind === 'answer' ? { kind: 'answer', articleId: answer.article.id } : { kind: 'decline' },
      );
      await this.bus.emit(this.effects(event, held, decided.action, answer));
      next = decided.next;
      counts = {
        answered: decided.action.kind === 'answer' ? decided.action.articleId : undefined,
        feedback: decided.feedback,
        handedOffAfter: decided.action.kind === 'handoff' ? held.state.articleIds : [],
      };
    }
    await this.conversations.record(workspaceId, p.conversationId, p.sequence, next, counts);
  }

  /** Routing let go of a conversation (timeout, switch-off, takeover): the bot stops in it. */
  async released(event: BotHoldChangedV1): Promise<void> {
    const p = event.payload;
    if (p.held || p.reason === null) return;
    await this.conversations.release(event.workspaceId, p.conversationId, p.reason);
  }

  articleStats(workspaceId: string, articleIds: readonly string[] | null): Promise<ArticleStatsView[]> {
    return this.conversations.articleStats(workspaceId, articleIds);
  }

  /**
   * Sets a channel's bot, and tells routing in the same breath: routing holds conversations for
   * the built-in bot and an external one alike, so it learns only on or off (ADR 0083).
   */
  async switchChannel(workspaceId: string, channel: Channel, mode: BotMode): Promise<void> {
    await this.conversations.switchChannel(workspaceId, channel, mode, () =>
      this.bus.emit(
        BotChannelSwitchedV1.create({
          workspaceId,
          payload: { channel, enabled: mode !== 'off', switchedAt: new Date().toISOString() },
        }),
      ),
    );
  }

  switchedOnChannels(workspaceId: string): Promise<ChannelBotMode[]> {
    return this.conversations.switchedOnChannels(workspaceId);
  }

  private effects(
    event: ConversationMessageAppendedV1,
    held: HeldConversation,
    action: BotAction,
    answer: WorkspaceAnswer | null,
  ): EventEnvelope[] {
    const { workspaceId, correlationId, payload: p } = event;
    const reply = (text: string, sender: MessageSender = BOT_SENDER, card = false): EventEnvelope =>
      OutboundMessageRequestedV1.create({
        workspaceId,
        correlationId,
        payload: {
          idempotencyKey: `bot:${p.messageId}`,
          conversationId: p.conversationId,
          internalNote: false,
          text,
          attachments: [],
          sender,
          ...(card ? { form: { kind: 'card' as const } } : {}),
        },
      });
    switch (action.kind) {
      case 'none':
        return [];
      case 'answer':
        return answer?.kind === 'answer'
          ? [
              reply(
                answer.article.answer,
                { ...BOT_SENDER, id: botAnswerSenderId(answer.article.id) },
                // An article tagged to take a payment asks for the card with its answer, on web
                // chat only: other channels have no secure form (ADR 0082).
                held.channel === 'web' && answer.article.tags.includes(REQUEST_CARD_TAG),
              ),
            ]
          : [];
      case 'handoff':
        return [
          BotHandoffRequestedV1.create({
            workspaceId,
            correlationId,
            payload: {
              conversationId: p.conversationId,
              customerId: held.customerId,
              reason: action.reason,
              articleIds: [...held.state.articleIds],
              requestedAt: new Date().toISOString(),
            },
          }),
          reply(HANDOFF_MESSAGE),
        ];
    }
  }
}
