import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { ConversationMessageAppendedV1, Topics } from '@switchboard/contracts';
import { EventBus, type SubscriptionHandle } from '@switchboard/messaging';
import { isTransientDatabaseError } from '@switchboard/platform';
import { BotConversationService } from './bot-conversation.service.js';

/** Hands every conversation message to the bot, in order per workspace (group bot.conversations). */
@Injectable()
export class BotConversationConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private subscription: SubscriptionHandle | undefined;

  constructor(
    private readonly bus: EventBus,
    private readonly bot: BotConversationService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await this.bus.subscribe({
      groupId: 'bot.conversations',
      topics: [Topics.conversations],
      accepts: [ConversationMessageAppendedV1],
      retry: { isTransient: isTransientDatabaseError },
      handleBatch: async (batch) => {
        for (const { event } of batch) await this.bot.handle(event);
      },
    });
  }

  /** Settles once the consumer has joined its group (tests wait on it). */
  get assigned(): Promise<void> {
    return this.subscription?.assigned ?? Promise.resolve();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.subscription?.stop();
  }
}
