import { defineConfig } from '../config/config-definition.js';
import { internalRpcUrlVariable, internalRpcVariables } from './internal-rpc.config.js';

/**
 * Where the inbox and grpc-api, each alone, reach the bot's KnowledgeBaseApi. Optional: without
 * it the knowledge base screens and RPCs say the answer bot is not deployed.
 */
export const botApiUrlVariables = {
  BOT_API_URL: internalRpcUrlVariable(
    'bot',
    'the knowledge base (Admin → Knowledge base, gRPC KnowledgeBaseService). Unset: they say the answer bot is not deployed.',
    { optional: true },
  ),
};

/** What an app that calls the bot over internal RPC reads. */
export const BotApiClientConfig = defineConfig(
  { ...botApiUrlVariables, INTERNAL_API_TOKEN: internalRpcVariables.INTERNAL_API_TOKEN },
  'BotApiClientConfig',
);
