import type { FactoryProvider } from '@nestjs/common';
import { type ConfigOf, encryptionKeyFromConfig } from '@switchboard/platform';
import { SmsChannelConfig } from '../sms-channel.config.js';

/** DI token of the channel's 32-byte master key (SWITCHBOARD_ENCRYPTION_KEY). */
export const SMS_ENCRYPTION_KEY = Symbol('SmsEncryptionKey');

/**
 * The master key (`encryptionKeyFromConfig`): it seals auth tokens, and MMS media URLs derive
 * their own key from it, so every replica reads what another wrote.
 */
export const encryptionKeyProvider: FactoryProvider<Buffer> = {
  provide: SMS_ENCRYPTION_KEY,
  inject: [SmsChannelConfig.token],
  useFactory: (config: ConfigOf<typeof SmsChannelConfig>) => encryptionKeyFromConfig(config),
};
