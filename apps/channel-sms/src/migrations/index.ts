import { CreateSmsChannel1764100000000 } from './1764100000000-create-sms-channel.migration.js';
import { SmsSendAttempts1765300000000 } from './1765300000000-sms-send-attempts.migration.js';

/** Every migration of the `channels` schema's SMS tables, oldest first. */
export const smsChannelMigrations = [CreateSmsChannel1764100000000, SmsSendAttempts1765300000000];
