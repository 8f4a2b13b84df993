import type { FactoryProvider } from '@nestjs/common';
import { type ConfigOf, loadOrCreateEncryptionKey, parseEncryptionKey } from '@switchboard/platform';
import { SmsChannelConfig } from '../sms-channel.config.js';

/** DI token of the channel's 32-byte master key (SWITCHBOARD_ENCRYPTION_KEY). */
export const SMS_ENCRYPTION_KEY = Symbol('SmsEncryptionKey');

/**
 * SWITCHBOARD_ENCRYPTION_KEY, or in development the key kept in the data directory. Production
 * refuses to invent one: replicas would each generate their own and fail to read each other's
 * credentials (or each other's MMS media URLs). Each use derives its own key from it.
 */
export const encryptionKeyProvider: FactoryProvider<Buffer> = {
  provide: SMS_ENCRYPTION_KEY,
  inject: [SmsChannelConfig.token],
  useFactory: async (config: ConfigOf<typeof SmsChannelConfig>) => {
    if (config.SWITCHBOARD_ENCRYPTION_KEY !== undefined)
      return parseEncryptionKey(config.SWITCHBOARD_ENCRYPTION_KEY)!;
    if (config.NODE_ENV === 'production')
      throw new Error('SWITCHBOARD_ENCRYPTION_KEY is required in production (openssl rand -base64 32).');
    return loadOrCreateEncryptionKey(config.SWITCHBOARD_DATA_DIR);
  },
};
