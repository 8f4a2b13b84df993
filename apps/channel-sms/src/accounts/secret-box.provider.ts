import type { FactoryProvider } from '@nestjs/common';
import { type ConfigOf, SecretBox, secretBoxFromConfig } from '@switchboard/platform';
import { SmsChannelConfig } from '../sms-channel.config.js';

/** Seals each SMS account's auth token at rest (`secretBoxFromConfig`). */
export const secretBoxProvider: FactoryProvider<SecretBox> = {
  provide: SecretBox,
  inject: [SmsChannelConfig.token],
  useFactory: (config: ConfigOf<typeof SmsChannelConfig>) => secretBoxFromConfig(config),
};
