import { CreateWebChannel1764200000000 } from './1764200000000-create-web-channel.migration.js';

/** Every migration of the `channels` schema's web tables, oldest first. */
export const webChannelMigrations = [CreateWebChannel1764200000000];
