import type { FactoryProvider } from '@nestjs/common';
import { type ConfigOf, SecretBox, encryptionKeyFromConfig } from '@switchboard/platform';
import { SocialChannelConfig } from '../social-channel.config.js';

/** The box that seals the social accounts' tokens and secrets at rest (ADR 0032), with the master key. */
export const secretBoxProvider: FactoryProvider<SecretBox> = {
  provide: SecretBox,
  inject: [SocialChannelConfig.token],
  useFactory: async (config: ConfigOf<typeof SocialChannelConfig>) =>
    new SecretBox(await encryptionKeyFromConfig(config)),
};
