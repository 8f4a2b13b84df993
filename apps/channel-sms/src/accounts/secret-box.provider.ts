import type { FactoryProvider } from '@nestjs/common';
import { SecretBox } from '@switchboard/platform';
import { SMS_ENCRYPTION_KEY } from './encryption-key.provider.js';

/** The box that seals auth tokens at rest (ADR 0032), with the channel's master key. */
export const secretBoxProvider: FactoryProvider<SecretBox> = {
  provide: SecretBox,
  inject: [SMS_ENCRYPTION_KEY],
  useFactory: (key: Buffer) => new SecretBox(key),
};
