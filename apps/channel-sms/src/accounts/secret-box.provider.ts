import type { FactoryProvider } from '@nestjs/common';
import {
  type ConfigOf,
  SecretBox,
  loadOrCreateEncryptionKey,
  parseEncryptionKey,
} from '@switchboard/platform';
import { SmsChannelConfig } from '../sms-channel.config.js';

/**
 * The key that seals auth tokens: SWITCHBOARD_ENCRYPTION_KEY, or in development the key kept in the
 * data directory. Production refuses to invent one: replicas would each generate their own and
 * fail to read each other's credentials.
 */
export const secretBoxProvider: FactoryProvider<SecretBox> = {
  provide: SecretBox,
  inject: [SmsChannelConfig.token],
  useFactory: async (config: ConfigOf<typeof SmsChannelConfig>) => {
    if (config.SWITCHBOARD_ENCRYPTION_KEY !== undefined)
      return new SecretBox(parseEncryptionKey(config.SWITCHBOARD_ENCRYPTION_KEY)!);
    if (config.NODE_ENV === 'production')
      throw new Error('SWITCHBOARD_ENCRYPTION_KEY is required in production (openssl rand -base64 32).');
    return new SecretBox(await loadOrCreateEncryptionKey(config.SWITCHBOARD_DATA_DIR));
  },
};
