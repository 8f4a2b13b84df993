import { z } from 'zod';
import { defineConfig } from '../config/config-definition.js';
import { configVariable } from '../config/config-variable.js';
import { internalRpcVariables } from './internal-rpc.config.js';

/**
 * Where the inbox and grpc-api, each alone, reach the bot's KnowledgeBaseApi. Optional: without
 * it the knowledge base screens and RPCs say the answer bot is not deployed.
 */
export const botApiUrlVariables = {
  BOT_API_URL: configVariable({
    description:
      'Base URL of the bot app when each app runs alone: the knowledge base (Admin → Knowledge base, ' +
      'gRPC KnowledgeBaseService) is called over internal RPC there. Unset: they say the answer bot is not deployed.',
    schema: z
      .string()
      .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol))
      .optional(),
    expected: 'an http(s) URL',
    example: 'http://bot:3000',
  }),
};

/** What an app that calls the bot over internal RPC reads. */
export const BotApiClientConfig = defineConfig(
  { ...botApiUrlVariables, INTERNAL_API_TOKEN: internalRpcVariables.INTERNAL_API_TOKEN },
  'BotApiClientConfig',
);
