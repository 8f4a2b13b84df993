import { Module } from '@nestjs/common';
import { SOCIAL_CHANNEL_API } from '@switchboard/contracts';
import { AttachmentStoreModule, DatabaseModule, PlatformConfigModule } from '@switchboard/platform';
import { SocialAccountBootstrapService } from './accounts/social-account-bootstrap.service.js';
import { SocialAccountService } from './accounts/social-account.service.js';
import { SocialChannelApiService } from './accounts/social-channel-api.service.js';
import { secretBoxProvider } from './accounts/secret-box.provider.js';
import { SocialInboundService } from './inbound/social-inbound.service.js';
import { SocialReceiptService } from './inbound/social-receipt.service.js';
import { MetaGraphClient } from './meta/meta-graph.client.js';
import { MetaVerificationService } from './meta/meta-verification.service.js';
import { UnknownRecipientCounter } from './metrics/unknown-recipient.counter.js';
import { MetaWebhookController } from './meta/meta-webhook.controller.js';
import { MetaAdapter } from './meta/meta.adapter.js';
import { socialChannelMigrations } from './migrations/index.js';
import { TelegramBotApiClient } from './telegram/telegram-bot-api.client.js';
import { TelegramBotService } from './telegram/telegram-bot.service.js';
import { TelegramWebhookController } from './telegram/telegram-webhook.controller.js';
import { TelegramAdapter } from './telegram/telegram.adapter.js';
import { SocialDeliveryConsumer } from './outbound/social-delivery.consumer.js';
import { SocialDeliveryService } from './outbound/social-delivery.service.js';
import { SocialOutboundRecordService } from './outbound/social-outbound-record.service.js';
import { SocialChannelConfig } from './social-channel.config.js';
import { CustomerWindowService } from './windows/customer-window.service.js';

/**
 * WhatsApp (Cloud API), Messenger and Instagram through Meta (`/webhooks/meta`) and Telegram bots
 * (`/webhooks/telegram/<channel>`), behind the channel
 * port (ADR 0070): webhooks in, deliveries out, customers' files copied into the attachment store.
 * The same module whether the channel runs alone or in the standalone process.
 */
@Module({
  imports: [
    PlatformConfigModule.forFeature(SocialChannelConfig),
    DatabaseModule.forService({
      schema: 'channels',
      name: 'channels_social',
      migrations: socialChannelMigrations,
    }),
    AttachmentStoreModule,
  ],
  controllers: [MetaWebhookController, TelegramWebhookController],
  providers: [
    secretBoxProvider,
    SocialAccountService,
    SocialAccountBootstrapService,
    SocialChannelApiService,
    { provide: SOCIAL_CHANNEL_API, useExisting: SocialChannelApiService },
    SocialReceiptService,
    CustomerWindowService,
    SocialOutboundRecordService,
    SocialInboundService,
    UnknownRecipientCounter,
    MetaGraphClient,
    MetaVerificationService,
    MetaAdapter,
    TelegramBotApiClient,
    TelegramAdapter,
    TelegramBotService,
    SocialDeliveryService,
    SocialDeliveryConsumer,
  ],
  // Its channels, for the inbox's admin screen (SocialChannelApi).
  exports: [SOCIAL_CHANNEL_API],
})
export class SocialChannelModule {}
