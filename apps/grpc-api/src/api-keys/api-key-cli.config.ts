import { coreVariables, databaseVariables, defineConfig, storageVariables } from '@switchboard/platform';

/** What `npm run apikey` reads: the database (or the embedded one under SWITCHBOARD_DATA_DIR). */
export const ApiKeyCliConfig = defineConfig(
  { ...coreVariables, ...databaseVariables, ...storageVariables },
  'ApiKeyCliConfig',
);
