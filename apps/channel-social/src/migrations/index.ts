import { CreateSocialChannel1765000000000 } from './1765000000000-create-social-channel.migration.js';
import { SocialVerifyTokens1765100000000 } from './1765100000000-social-verify-tokens.migration.js';

/** Every migration of the `channels` schema's social tables, oldest first. */
export const socialChannelMigrations = [CreateSocialChannel1765000000000, SocialVerifyTokens1765100000000];
