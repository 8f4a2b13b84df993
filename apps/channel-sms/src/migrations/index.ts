import { CreateSmsChannel1764100000000 } from './1764100000000-create-sms-channel.migration.js';

/** Every migration of the `channels` schema's SMS tables, oldest first. */
export const smsChannelMigrations = [CreateSmsChannel1764100000000];
