import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { BotHoldChangedV1, ConversationMessageAppendedV1, Topics } from '@switchboard/contracts';
import { EventBus, type SubscriptionHandle } from '@switchboard/messaging';
import { isTransientDatabaseError } from '@switchboard/platform';
import { BotConversationService } from './bot-conversation.service.js';

/**
 * Hands every conversation message to the bot, in order per workspace (group bot.conversations),
 * and routing's releases of the conversations it held for the bot (group bot.routing): after a
 * timeout, a switch-off or a takeover the bot says nothing more there.
 */
@Injectable()
export class BotConversationConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private subscription: SubscriptionHandle | undefined;
  private releases: SubscriptionHandle | undefined;

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
    this.releases = await this.bus.subscribe({
      groupId: 'bot.routing',
      topics: [Topics.routing],
      accepts: [BotHoldChangedV1],
      retry: { isTransient: isTransientDatabaseError },
      handleBatch: async (batch) => {
        for (const { event } of batch) await this.bot.released(event);
      },
    });
  }

  /** Settles once the consumers have joined their groups (tests wait on it). */
  get assigned(): Promise<void> {
    return Promise.all([this.subscription?.assigned, this.releases?.assigned]).then(() => undefined);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([this.subscription?.stop(), this.releases?.stop()]);
  }
}
