import { z } from 'zod';
import { defineConfig } from '../config/config-definition.js';
import { configVariable } from '../config/config-variable.js';

function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'http:' || protocol === 'https:';
}

const serviceUrl = (app: string) =>
  configVariable({
    description: `Base URL of the ${app} app when each app runs alone: its service interface is called over internal RPC there.`,
    schema: z.string().refine(isHttpUrl),
    expected: 'an http(s) URL',
    example: `http://${app}:3000`,
  });

export const internalRpcVariables = {
  INTERNAL_API_TOKEN: configVariable({
    description:
      'Shared secret the apps present to each other on internal RPC (service interfaces across processes). ' +
      'Unset: the app serves no internal RPC.',
    schema: z.string().min(32).optional(),
    expected: 'at least 32 characters',
    sensitive: true,
    example: 'a-long-random-string-of-at-least-32-characters',
  }),
};

/** What an app that serves its interface over internal RPC reads. */
export const InternalRpcConfig = defineConfig(internalRpcVariables, 'InternalRpcConfig');

export const historyApiUrlVariables = { HISTORY_API_URL: serviceUrl('history') };
export const routingApiUrlVariables = { ROUTING_API_URL: serviceUrl('routing') };

/** What an app that calls history over internal RPC reads. */
export const HistoryApiClientConfig = defineConfig(
  { ...historyApiUrlVariables, INTERNAL_API_TOKEN: internalRpcVariables.INTERNAL_API_TOKEN },
  'HistoryApiClientConfig',
);
/** What an app that calls routing over internal RPC reads. */
export const RoutingApiClientConfig = defineConfig(
  { ...routingApiUrlVariables, INTERNAL_API_TOKEN: internalRpcVariables.INTERNAL_API_TOKEN },
  'RoutingApiClientConfig',
);
