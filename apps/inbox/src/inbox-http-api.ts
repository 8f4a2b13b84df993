/**
 * The shapes the inbox's HTTP API answers with, as its SPA reads them. The SPA imports this file
 * through `@switchboard/inbox-http-api` with type-only imports: the server's definitions are
 * checked on both sides and nothing of the server reaches the bundle.
 */
import type { User } from './users/user.js';

export type { Role } from './auth/role.js';
export type { User as UserView } from './users/user.js';
export type { InviteView } from './users/invites.service.js';
export type { OperatorWorkspaceView } from './operator/operator.service.js';
export type { CannedResponse } from './canned-responses/canned-responses.service.js';
export type { NotificationSettings } from './notifications/notification-settings.service.js';
export type { SnoozeView } from './snoozes/snoozes.service.js';
export type { ConversationDetail, ConversationListItem } from './conversations/conversations.service.js';
export type { ContactProfile } from './contacts/contacts.service.js';
export type { SavedView, SavedViewFilters } from './saved-views/saved-views.service.js';
export type { ArticleListView, BotChannelsView } from './knowledge-base/knowledge-base-admin.service.js';
export type { ReportCatalogView } from './reports/reports.controller.js';

/** `GET /api/inbox/session`: who is signed in. */
export type Me = Pick<User, 'id' | 'workspaceId' | 'email' | 'displayName' | 'role' | 'operator'>;
