import { Module } from '@nestjs/common';
import { SMS_CHANNEL_API } from '@switchboard/contracts';
import { AttachmentStoreModule, DatabaseModule, PlatformConfigModule } from '@switchboard/platform';
import { SmsAccountBootstrapService } from './accounts/sms-account-bootstrap.service.js';
import { SmsAccountService } from './accounts/sms-account.service.js';
import { SmsChannelApiService } from './accounts/sms-channel-api.service.js';
import { encryptionKeyProvider } from './accounts/encryption-key.provider.js';
import { secretBoxProvider } from './accounts/secret-box.provider.js';
import { LegacySmsMediaService } from './media/legacy-sms-media.service.js';
import { MmsMediaController } from './media/mms-media.controller.js';
import { MmsMediaService } from './media/mms-media.service.js';
import { TwilioMediaService } from './media/twilio-media.service.js';
import { smsChannelMigrations } from './migrations/index.js';
import { SmsOptOutService } from './opt-out/sms-opt-out.service.js';
import { SmsDeliveryConsumer } from './outbound/sms-delivery.consumer.js';
import { SmsDeliveryService } from './outbound/sms-delivery.service.js';
import { SmsOutboundRecordService } from './outbound/sms-outbound-record.service.js';
import { TwilioClientFactory } from './outbound/twilio-client.factory.js';
import { SmsChannelConfig } from './sms-channel.config.js';
import { TwilioSmsAdapter } from './twilio/twilio-sms.adapter.js';
import { DeliveryStatusService } from './webhooks/delivery-status.service.js';
import { InboundReceiptService } from './webhooks/inbound-receipt.service.js';
import { InboundSmsService } from './webhooks/inbound-sms.service.js';
import { TwilioWebhookController } from './webhooks/twilio-webhook.controller.js';
import { TwilioWebhookEndpoint } from './webhooks/twilio-webhook.endpoint.js';

/**
 * SMS and MMS through Twilio: webhooks in (`/webhooks/twilio/sms`, `/webhooks/twilio/status`),
 * deliveries out, agents' files served to Twilio as MMS media (`/sms/media/:token`); SmsChannelApi (its numbers) under SMS_CHANNEL_API. The same module whether the channel runs alone or in the standalone process.
 */
@Module({
  imports: [
    PlatformConfigModule.forFeature(SmsChannelConfig),
    DatabaseModule.forService({ schema: 'channels', migrations: smsChannelMigrations }),
    // Agents' files, read to be served to Twilio as MMS media (ADR 0034), and customers' MMS media
    // copied from Twilio (ADR 0033); one store per process.
    AttachmentStoreModule,
  ],
  controllers: [TwilioWebhookController, MmsMediaController],
  providers: [
    encryptionKeyProvider,
    secretBoxProvider,
    SmsAccountService,
    SmsAccountBootstrapService,
    SmsChannelApiService,
    { provide: SMS_CHANNEL_API, useExisting: SmsChannelApiService },
    SmsOptOutService,
    TwilioMediaService,
    LegacySmsMediaService,
    MmsMediaService,
    InboundReceiptService,
    InboundSmsService,
    DeliveryStatusService,
    TwilioWebhookEndpoint,
    SmsOutboundRecordService,
    TwilioClientFactory,
    // Twilio behind the channel port (ADR 0070): the only class the services call Twilio through.
    TwilioSmsAdapter,
    SmsDeliveryService,
    SmsDeliveryConsumer,
  ],
  // Its Twilio numbers, for the inbox's admin screen (SmsChannelApi); the webhooks' answers, for
  // channel-sms's own node:http route (ADR 0141).
  exports: [SMS_CHANNEL_API, TwilioWebhookEndpoint],
})
export class SmsChannelModule {}
