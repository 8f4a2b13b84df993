import { Inject, Injectable } from '@nestjs/common';
import {
  BotChannelSwitchedV1,
  BotHandoffRequestedV1,
  OutboundMessageRequestedV1,
  botAnswerSenderId,
  type ArticleCountsView,
  type Channel,
  type ConversationMessageAppendedV1,
  type EventEnvelope,
  type MessageSender,
} from '@switchboard/contracts';
import { EventBus } from '@switchboard/messaging';
import { WorkspaceMatcherService, type WorkspaceAnswer } from '../matching/workspace-matcher.service.js';
import { BotConversationRepository, type HeldConversation } from './bot-conversation.repository.js';
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
    if (
      p.openedConversation &&
      p.channel !== null &&
      (await this.conversations.isSwitchedOn(workspaceId, p.channel))
    )
      await this.conversations.hold(workspaceId, p.conversationId, p.customerId, p.channel);
    const held = await this.conversations.find(workspaceId, p.conversationId);
    if (!held || p.sequence <= held.lastSequence) return;
    let next = held.state;
    if (p.direction === 'out' && p.sender.type === 'agent') {
      if (held.state.status === 'active') next = { ...held.state, status: 'silenced' };
    } else if (p.direction === 'in' && p.sender.type === 'customer' && p.text) {
      const answer = held.state.status === 'active' ? await this.matchers.answer(workspaceId, p.text) : null;
      const decided = decideAction(held.state, p.text, () =>
        answer?.kind === 'answer' ? { kind: 'answer', articleId: answer.article.id } : { kind: 'decline' },
      );
      await this.bus.emit(this.effects(event, held, decided.action, answer));
      next = decided.next;
    }
    await this.conversations.record(workspaceId, p.conversationId, p.sequence, next);
  }

  /** Switches the bot on or off for a channel, and tells routing in the same breath. */
  async switchChannel(workspaceId: string, channel: Channel, enabled: boolean): Promise<void> {
    await this.conversations.switchChannel(workspaceId, channel, enabled, () =>
      this.bus.emit(
        BotChannelSwitchedV1.create({
          workspaceId,
          payload: { channel, enabled, switchedAt: new Date().toISOString() },
        }),
      ),
    );
  }

  articleCounts(workspaceId: string): Promise<ArticleCountsView[]> {
    return this.conversations.articleCounts(workspaceId);
  }

  switchedOnChannels(workspaceId: string): Promise<Channel[]> {
    return this.conversations.switchedOnChannels(workspaceId);
  }

  private effects(
    event: ConversationMessageAppendedV1,
    held: HeldConversation,
    action: BotAction,
    answer: WorkspaceAnswer | null,
  ): EventEnvelope[] {
    const { workspaceId, correlationId, payload: p } = event;
    const reply = (text: string, sender: MessageSender = BOT_SENDER): EventEnvelope =>
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
        },
      });
    switch (action.kind) {
      case 'none':
        return [];
      case 'answer':
        return answer?.kind === 'answer'
          ? [reply(answer.article.answer, { ...BOT_SENDER, id: botAnswerSenderId(answer.article.id) })]
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
