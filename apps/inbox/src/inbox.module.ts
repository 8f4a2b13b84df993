import { OperatorController } from './operator/operator.controller.js';
import { OperatorService } from './operator/operator.service.js';
import { Module } from '@nestjs/common';
import { AttachmentStoreModule, DatabaseModule, PlatformConfigModule } from '@switchboard/platform';
import { ApiKeysAdminController } from './api-keys/api-keys-admin.controller.js';
import { ApiKeysAdminService } from './api-keys/api-keys-admin.service.js';
import { AttachmentsController } from './attachments/attachments.controller.js';
import { AttachmentsService } from './attachments/attachments.service.js';
import { UnsentAttachmentsSweepService } from './attachments/unsent-attachments-sweep.service.js';
import { AuthController } from './auth/auth.controller.js';
import { AuthService } from './auth/auth.service.js';
import { LoginRateLimiter } from './auth/login-rate-limiter.service.js';
import { SessionGuard } from './auth/session.guard.js';
import { SessionsService } from './auth/sessions.service.js';
import { ChannelsAdminController } from './channels/channels-admin.controller.js';
import { ChannelsAdminService } from './channels/channels-admin.service.js';
import { SocialChannelsAdminController } from './channels/social-channels-admin.controller.js';
import { SocialChannelsAdminService } from './channels/social-channels-admin.service.js';
import { CannedResponsesController } from './canned-responses/canned-responses.controller.js';
import { CannedResponsesService } from './canned-responses/canned-responses.service.js';
import { ContactsController } from './contacts/contacts.controller.js';
import { ContactsService } from './contacts/contacts.service.js';
import { ConversationsController } from './conversations/conversations.controller.js';
import { ConversationsService } from './conversations/conversations.service.js';
import { ReadPositionsService } from './conversations/read-positions.service.js';
import { InboxConfig } from './inbox.config.js';
import { KnowledgeBaseAdminController } from './knowledge-base/knowledge-base-admin.controller.js';
import { KnowledgeBaseAdminService } from './knowledge-base/knowledge-base-admin.service.js';
import { AgentEnrolmentService } from './live/agent-enrolment.service.js';
import { InboxGateway } from './live/inbox.gateway.js';
import { LiveEventsConsumer } from './live/live-events.consumer.js';
import { LiveHub } from './live/live-hub.service.js';
import { LiveService } from './live/live.service.js';
import { InboxReplica } from './live/replica-id.util.js';
import { PresenceService } from './live/presence.service.js';
import { inboxMigrations } from './migrations/index.js';
import { SnoozeWakesConsumer } from './snoozes/snooze-wakes.consumer.js';
import { SnoozesController } from './snoozes/snoozes.controller.js';
import { SnoozesService } from './snoozes/snoozes.service.js';
import { NotificationSettingsController } from './notifications/notification-settings.controller.js';
import { NotificationSettingsService } from './notifications/notification-settings.service.js';
import { RoutingAdminController } from './supervision/routing-admin.controller.js';
import { StaffingPlanningController } from './planning/staffing-planning.controller.js';
import { ReportsController } from './reports/reports.controller.js';
import { ReportingClockService } from './reports/reporting-clock.service.js';
import { RoutingAdminService } from './supervision/routing-admin.service.js';
import { FirstAdminService } from './users/first-admin.service.js';
import { InvitesService } from './users/invites.service.js';
import { UsersController } from './users/users.controller.js';
import { UsersService } from './users/users.service.js';
import { RootRedirectController } from './web/root-redirect.controller.js';
import { LabelsController } from './labels/labels.controller.js';
import { SavedViewsController } from './saved-views/saved-views.controller.js';
import { SavedViewsService } from './saved-views/saved-views.service.js';
import { SearchController } from './search/search.controller.js';
import { SpaController } from './web/spa.controller.js';
import { WorkspacesController } from './workspaces/workspaces.controller.js';
import { WorkspacesService } from './workspaces/workspaces.service.js';

/**
 * The agents' inbox: users and sessions, the inbox HTTP API over the service ports it injects
 * (HISTORY_API, ROUTING_API, WEB_CHANNEL_API, SMS_CHANNEL_API, API_KEYS_API, KNOWLEDGE_BASE_API: provided globally by the owning
 * modules in process, or by their RPC clients when the inbox runs alone), live updates on
 * `/ws/inbox`, and the SPA at `/inbox/`.
 */
@Module({
  imports: [
    PlatformConfigModule.forFeature(InboxConfig),
    DatabaseModule.forService({ schema: 'inbox', migrations: inboxMigrations }),
    // Agents' attachments (ADR 0055); one store per process, shared with the web channel.
    AttachmentStoreModule,
  ],
  controllers: [
    AuthController,
    UsersController,
    ConversationsController,
    ContactsController,
    CannedResponsesController,
    RoutingAdminController,
    StaffingPlanningController,
    ReportsController,
    ChannelsAdminController,
    SocialChannelsAdminController,
    ApiKeysAdminController,
    KnowledgeBaseAdminController,
    AttachmentsController,
    OperatorController,
    SpaController,
    RootRedirectController,
    WorkspacesController,
    SearchController,
    LabelsController,
    SavedViewsController,
    NotificationSettingsController,
    SnoozesController,
  ],
  providers: [
    ContactsService,
    SessionsService,
    LoginRateLimiter,
    AuthService,
    SessionGuard,
    UsersService,
    InvitesService,
    FirstAdminService,
    OperatorService,
    ReadPositionsService,
    ConversationsService,
    CannedResponsesService,
    RoutingAdminService,
    ChannelsAdminService,
    SocialChannelsAdminService,
    ApiKeysAdminService,
    KnowledgeBaseAdminService,
    AttachmentsService,
    UnsentAttachmentsSweepService,
    InboxReplica,
    LiveHub,
    LiveService,
    LiveEventsConsumer,
    PresenceService,
    AgentEnrolmentService,
    WorkspacesService,
    ReportingClockService,
    InboxGateway,
    SavedViewsService,
    NotificationSettingsService,
    SnoozesService,
    SnoozeWakesConsumer,
  ],
})
export class InboxModule {}
