import { messagingVariables } from '@switchboard/messaging';
import {
  coreVariables,
  databaseVariables,
  defineConfig,
  httpVariables,
  internalRpcVariables,
  kafkaVariables,
} from '@switchboard/platform';
import { botVariables } from './bot.config.js';

/** Every variable the bot app reads when it runs alone. */
export const BotAppConfig = defineConfig(
  {
    ...coreVariables,
    ...httpVariables,
    ...databaseVariables,
    ...kafkaVariables,
    ...messagingVariables,
    ...internalRpcVariables,
    ...botVariables,
  },
  'BotAppConfig',
);
