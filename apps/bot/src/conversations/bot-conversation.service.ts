import { Inject, Injectable } from '@nestjs/common';
import {
  BotChannelSwitchedV1,
  BotHandoffRequestedV1,
  OutboundMessageRequestedV1,
  botAnswerSenderId,
  type ArticleStatsView,
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
    if (
      p.openedConversation &&
      p.direction === 'in' &&
      p.channel !== null &&
      (await this.conversations.isSwitchedOn(workspaceId, p.channel))
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
