import { Injectable } from '@nestjs/common';
import { InjectServiceDataSource } from '@switchboard/platform';
import type { DataSource } from 'typeorm';

/** What alerts a user: how (desktop notification, sound) and on what. */
export interface NotificationSettings {
  desktop: boolean;
  sound: boolean;
  /** A conversation is assigned or offered to them. */
  onAssigned: boolean;
  /** A customer writes in a conversation assigned to them. */
  onCustomerMessage: boolean;
  /** A colleague names them (@name) in an internal note. */
  onMention: boolean;
}

export const DEFAULT_NOTIFICATION_SETTINGS: NotificationSettings = {
  desktop: true,
  sound: true,
  onAssigned: true,
  onCustomerMessage: true,
  onMention: true,
};

interface Row {
  desktop: boolean;
  sound: boolean;
  on_assigned: boolean;
  on_customer_message: boolean;
  on_mention: boolean;
}

const toView = (row: Row): NotificationSettings => ({
  desktop: row.desktop,
  sound: row.sound,
  onAssigned: row.on_assigned,
  onCustomerMessage: row.on_customer_message,
  onMention: row.on_mention,
});

/** Per-user notification settings in `inbox.notification_settings`, scoped by workspace (ADR 0111). */
@Injectable()
export class NotificationSettingsService {
  constructor(@InjectServiceDataSource('inbox') private readonly db: DataSource) {}

  async get(workspaceId: string, userId: string): Promise<NotificationSettings> {
    const rows: Row[] = await this.db.query(
      `SELECT desktop, sound, on_assigned, on_customer_message, on_mention
         FROM inbox.notification_settings WHERE workspace_id = $1 AND user_id = $2`,
      [workspaceId, userId],
    );
    return rows[0] ? toView(rows[0]) : { ...DEFAULT_NOTIFICATION_SETTINGS };
  }

  async put(
    workspaceId: string,
    userId: string,
    settings: NotificationSettings,
  ): Promise<NotificationSettings> {
    const rows: Row[] = await this.db.query(
      `INSERT INTO inbox.notification_settings
              (workspace_id, user_id, desktop, sound, on_assigned, on_customer_message, on_mention)
       SELECT $1, $2, $3, $4, $5, $6, $7
        WHERE EXISTS (SELECT 1 FROM inbox.users WHERE id = $2 AND workspace_id = $1)
       ON CONFLICT (workspace_id, user_id) DO UPDATE SET
              desktop = EXCLUDED.desktop, sound = EXCLUDED.sound, on_assigned = EXCLUDED.on_assigned,
              on_customer_message = EXCLUDED.on_customer_message, on_mention = EXCLUDED.on_mention,
              updated_at = now()
       RETURNING desktop, sound, on_assigned, on_customer_message, on_mention`,
      [
        workspaceId,
        userId,
        settings.desktop,
        settings.sound,
        settings.onAssigned,
        settings.onCustomerMessage,
        settings.onMention,
      ],
    );
    return rows[0] ? toView(rows[0]) : settings;
  }
}
