import { Module } from '@nestjs/common';
import { KNOWLEDGE_BASE_API } from '@switchboard/contracts';
import { DatabaseModule, PlatformConfigModule } from '@switchboard/platform';
import { BotConfig } from './bot.config.js';
import { BotConversationConsumer } from './conversations/bot-conversation.consumer.js';
import { BotConversationRepository } from './conversations/bot-conversation.repository.js';
import { BotConversationService } from './conversations/bot-conversation.service.js';
import { ArticleRepository } from './knowledge-base/article.repository.js';
import { KnowledgeBaseService } from './knowledge-base/knowledge-base.service.js';
import { WorkspaceMatcherService } from './matching/workspace-matcher.service.js';
import { botMigrations } from './migrations/index.js';

/**
 * The answer bot: each workspace's knowledge base, the matcher trained on it, and the bot in the
 * conversations it holds (consumer of `conversations`, ADR 0080). The same module
 * alone (`BotAppModule`) or in the standalone process; provides `KnowledgeBaseApi` under
 * KNOWLEDGE_BASE_API.
 */
@Module({
  imports: [
    PlatformConfigModule.forFeature(BotConfig),
    DatabaseModule.forService({ schema: 'bot', migrations: botMigrations }),
  ],
  providers: [
    ArticleRepository,
    WorkspaceMatcherService,
    KnowledgeBaseService,
    BotConversationRepository,
    BotConversationService,
    BotConversationConsumer,
    { provide: KNOWLEDGE_BASE_API, useExisting: KnowledgeBaseService },
  ],
  exports: [KNOWLEDGE_BASE_API, BotConversationConsumer],
})
export class BotModule {}
