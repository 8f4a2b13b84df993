import { z } from 'zod';
import { defineConfig } from '../config/config-definition.js';
import { configVariable } from '../config/config-variable.js';

/** `tcp://host:port`, nothing else: where another app serves its port over internal RPC. */
export function parseInternalRpcUrl(value: string): { host: string; port: number } | undefined {
  if (!URL.canParse(value)) return undefined;
  const url = new URL(value);
  if (url.protocol !== 'tcp:' || url.hostname === '' || url.port === '') return undefined;
  if (url.username || url.password || (url.pathname !== '' && url.pathname !== '/') || url.search || url.hash)
    return undefined;
  // new URL('tcp://[::1]:3001').hostname is "[::1]"; net.connect wants the bare address.
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port) };
}

const isInternalRpcUrl = (value: string) => parseInternalRpcUrl(value) !== undefined;

/**
 * A variable holding where the `app` app serves internal RPC, e.g. `tcp://history:3001`; `purpose`
 * says what is called there. Optional ones may stay unset (the service is not deployed).
 */
export function internalRpcUrlVariable(app: string, purpose: string, options: { optional?: boolean } = {}) {
  const url = z.string().refine(isInternalRpcUrl);
  return configVariable({
    description: `Where the ${app} app serves internal RPC (its INTERNAL_RPC_PORT) when each app runs alone: ${purpose}`,
    schema: options.optional ? url.optional() : url,
    expected: 'a tcp://host:port URL',
    example: `tcp://${app}:3001`,
  });
}

export const internalRpcVariables = {
  INTERNAL_API_TOKEN: configVariable({
    description:
      'Shared secret the apps present to each other on internal RPC (service interfaces across processes). ' +
      'Unset: an app that serves a port refuses every call.',
    schema: z.string().min(32).optional(),
    expected: 'at least 32 characters',
    sensitive: true,
    example: 'a-long-random-string-of-at-least-32-characters',
  }),
  INTERNAL_RPC_PORT: configVariable({
    description:
      'TCP port on which an app that runs alone serves its service interface to the other apps ' +
      '(internal RPC on @nestjs/microservices, beside the HTTP PORT).',
    schema: z.string().regex(/^\d+$/).transform(Number).pipe(z.int().min(0).max(65535)),
    default: '3001',
    expected: 'an integer from 0 to 65535 (0: any free port)',
  }),
};

/** What an app that serves its interface over internal RPC reads. */
export const InternalRpcConfig = defineConfig(internalRpcVariables, 'InternalRpcConfig');

/** What an app that calls others over internal RPC reads beside their URLs. */
export const internalRpcClientVariables = { INTERNAL_API_TOKEN: internalRpcVariables.INTERNAL_API_TOKEN };

export const historyApiUrlVariables = {
  HISTORY_API_URL: internalRpcUrlVariable('history', 'customers, conversations and timelines.'),
};
export const routingApiUrlVariables = {
  ROUTING_API_URL: internalRpcUrlVariable('routing', 'agents, queues, supervision and commands.'),
};

/** What an app that calls history over internal RPC reads. */
export const HistoryApiClientConfig = defineConfig(
  { ...historyApiUrlVariables, ...internalRpcClientVariables },
  'HistoryApiClientConfig',
);
/** What an app that calls routing over internal RPC reads. */
export const RoutingApiClientConfig = defineConfig(
  { ...routingApiUrlVariables, ...internalRpcClientVariables },
  'RoutingApiClientConfig',
);
