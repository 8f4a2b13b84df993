import type { FactoryProvider } from '@nestjs/common';
import {
  type ConfigOf,
  SecretBox,
  loadOrCreateEncryptionKey,
  parseEncryptionKey,
} from '@switchboard/platform';
import { ChannelWebConfig } from '../channel-web.config.js';

/**
 * Seals each workspace's identity-verification secret at rest, with the same key as provider
 * credentials (SWITCHBOARD_ENCRYPTION_KEY, or the development key in the data directory).
 */
export const secretBoxProvider: FactoryProvider<SecretBox> = {
  provide: SecretBox,
  inject: [ChannelWebConfig.token],
  useFactory: async (config: ConfigOf<typeof ChannelWebConfig>) => {
    if (config.SWITCHBOARD_ENCRYPTION_KEY !== undefined)
      return new SecretBox(parseEncryptionKey(config.SWITCHBOARD_ENCRYPTION_KEY)!);
    if (config.NODE_ENV === 'production')
      throw new Error('SWITCHBOARD_ENCRYPTION_KEY is required in production (openssl rand -base64 32).');
    return new SecretBox(await loadOrCreateEncryptionKey(config.SWITCHBOARD_DATA_DIR));
  },
};
