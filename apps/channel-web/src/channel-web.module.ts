import { Module } from '@nestjs/common';
import { WEB_CHANNEL_API } from '@switchboard/contracts';
import { AttachmentStoreModule, DatabaseModule, PlatformConfigModule } from '@switchboard/platform';
import { WebAttachmentController } from './attachments/web-attachment.controller.js';
import { WebAttachmentService } from './attachments/web-attachment.service.js';
import { WidgetRequestAuthService } from './attachments/widget-request-auth.service.js';
import { WidgetAssetsController } from './assets/widget-assets.controller.js';
import { WidgetAssetsService } from './assets/widget-assets.service.js';
import { WidgetCorsService } from './assets/widget-cors.service.js';
import { ChannelWebConfig, WEB_DATA_SOURCE } from './channel-web.config.js';
import { VisitorMergeService } from './contacts/visitor-merge.service.js';
import { WebContactService } from './contacts/web-contact.service.js';
import { DemoController } from './demo/demo.controller.js';
import { WebInboundService } from './inbound/web-inbound.service.js';
import { webChannelMigrations } from './migrations/index.js';
import { DeliveryReceiptsService } from './outbound/delivery-receipts.service.js';
import { WebDeliveryConsumer } from './outbound/web-delivery.consumer.js';
import { WebDeliveryService } from './outbound/web-delivery.service.js';
import { AgentAvailabilityService } from './sessions/agent-availability.service.js';
import { SessionRegistryService } from './sessions/session-registry.service.js';
import { WidgetCredentialsRecheckService } from './sessions/widget-credentials-recheck.service.js';
import { SharedRateLimitsService } from './sessions/shared-rate-limits.service.js';
import { WidgetSessionService } from './sessions/widget-session.service.js';
import { WidgetGateway } from './sessions/widget.gateway.js';
import { secretBoxProvider } from './settings/secret-box.provider.js';
import { WebChannelApiService } from './settings/web-channel-api.service.js';
import { WidgetSettingsBootstrapService } from './settings/widget-settings-bootstrap.service.js';
import { WidgetSettingsService } from './settings/widget-settings.service.js';
import { TranscriptNotifierService } from './transcript/transcript-notifier.service.js';
import { TranscriptService } from './transcript/transcript.service.js';

/**
 * The web chat channel: the widget (`/widget.js`, `/widget/panel.js`), customers' sockets
 * (`/ws/widget`), attachments, the demo page (`/demo`), and deliveries to web customers. Exports
 * the widget settings and attachment services, and WebChannelApi (WEB_CHANNEL_API) for the
 * inbox's admin screen.
 */
@Module({
  imports: [
    PlatformConfigModule.forFeature(ChannelWebConfig),
    AttachmentStoreModule,
    DatabaseModule.forService({
      schema: 'channels',
      name: WEB_DATA_SOURCE,
      migrations: webChannelMigrations,
    }),
  ],
  controllers: [WidgetAssetsController, WebAttachmentController, DemoController],
  providers: [
    secretBoxProvider,
    WidgetSettingsService,
    WidgetSettingsBootstrapService,
    WebChannelApiService,
    { provide: WEB_CHANNEL_API, useExisting: WebChannelApiService },
    WebContactService,
    VisitorMergeService,
    TranscriptService,
    TranscriptNotifierService,
    WebAttachmentService,
    WidgetRequestAuthService,
    WidgetAssetsService,
    WidgetCorsService,
    WebInboundService,
    DeliveryReceiptsService,
    WebDeliveryService,
    WebDeliveryConsumer,
    AgentAvailabilityService,
    SessionRegistryService,
    WidgetCredentialsRecheckService,
    WidgetSessionService,
    SharedRateLimitsService,
    WidgetGateway,
  ],
  exports: [WEB_CHANNEL_API],
})
export class ChannelWebModule {}
