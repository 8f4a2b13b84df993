import { CreateInbox1764200000000 } from './1764200000000-create-inbox.migration.js';
import { CreateInboxAttachments1764300000000 } from './1764300000000-create-inbox-attachments.migration.js';
import { TrackAttachedInboxAttachments1764310000000 } from './1764310000000-track-attached-inbox-attachments.migration.js';
import { CreatePresenceChoices1764400000000 } from './1764400000000-create-presence-choices.migration.js';
import { CreateWorkspaceSettings1764410000000 } from './1764410000000-create-workspace-settings.migration.js';
import { SignInLimitsPerAddressAndDevice1764971400000 } from './1764971400000-sign-in-limits-per-address-and-device.migration.js';
import { AddUserOperatorFlag1764990000000 } from './1764990000000-add-user-operator-flag.migration.js';
import { CreateNotificationSettings1765000000000 } from './1765000000000-create-notification-settings.migration.js';
import { CreateSnoozes1765000100000 } from './1765000100000-create-snoozes.migration.js';
import { CreateSavedViews1765000500000 } from './1765000500000-create-saved-views.migration.js';
import { NotifySessionChanges1765100000000 } from './1765100000000-notify-session-changes.migration.js';
import { NotifySnoozeChanges1765200000000 } from './1765200000000-notify-snooze-changes.migration.js';

/** Every inbox migration, oldest first. */
export const inboxMigrations = [
  CreateInbox1764200000000,
  CreateInboxAttachments1764300000000,
  TrackAttachedInboxAttachments1764310000000,
  CreatePresenceChoices1764400000000,
  CreateWorkspaceSettings1764410000000,
  SignInLimitsPerAddressAndDevice1764971400000,
  AddUserOperatorFlag1764990000000,
  CreateNotificationSettings1765000000000,
  CreateSnoozes1765000100000,
  CreateSavedViews1765000500000,
  NotifySessionChanges1765100000000,
  NotifySnoozeChanges1765200000000,
];
