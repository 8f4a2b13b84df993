import { Injectable } from '@nestjs/common';
import { BotHoldChangedV1, ConversationMessageAppendedV1 } from '@switchboard/contracts';
import { EventBus, EventConsumer, consume } from '@switchboard/messaging';
import { isTransientDatabaseError } from '@switchboard/platform';
import { BotConversationService } from './bot-conversation.service.js';

/**
 * Hands every conversation message to the bot, in order per workspace (group bot.conversations),
 * and routing's releases of the conversations it held for the bot (group bot.routing): after a
 * timeout, a switch-off or a takeover the bot says nothing more there.
 */
@Injectable()
export class BotConversationConsumer extends EventConsumer {
  constructor(
    bus: EventBus,
    private readonly bot: BotConversationService,
  ) {
    super(bus);
  }

  protected subscriptions() {
    return [
      consume({
        groupId: 'bot.conversations',
        accepts: [ConversationMessageAppendedV1],
        retry: { isTransient: isTransientDatabaseError },
        handleBatch: async (batch) => {
          for (const { event } of batch) await this.bot.handle(event);
        },
      }),
      consume({
        groupId: 'bot.routing',
        accepts: [BotHoldChangedV1],
        retry: { isTransient: isTransientDatabaseError },
        handleBatch: async (batch) => {
          for (const { event } of batch) await this.bot.released(event);
        },
      }),
    ];
  }
}
