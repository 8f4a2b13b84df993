import type { FactoryProvider } from '@nestjs/common';
import { type ConfigOf, SecretBox, secretBoxFromConfig } from '@switchboard/platform';
import { ChannelWebConfig } from '../channel-web.config.js';

/**
 * Seals each workspace's identity-verification secret at rest, with the same key as provider
 * credentials (`secretBoxFromConfig`).
 */
export const secretBoxProvider: FactoryProvider<SecretBox> = {
  provide: SecretBox,
  inject: [ChannelWebConfig.token],
  useFactory: (config: ConfigOf<typeof ChannelWebConfig>) => secretBoxFromConfig(config),
};
