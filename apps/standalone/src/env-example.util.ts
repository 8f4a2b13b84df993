import { channelApiUrlVariables } from '@switchboard/app-inbox';
import {
  historyApiUrlVariables,
  internalRpcVariables,
  renderEnvExample,
  routingApiUrlVariables,
} from '@switchboard/platform';
import { StandaloneConfig } from './standalone.config.js';

/** `.env.example` is generated from the config definitions, so it can't forget a variable. */
export function standaloneEnvExample(): string {
  const standalone = renderEnvExample(
    StandaloneConfig.variables,
    'Switchboard configuration. `npm start` needs none of it; each app alone reads the subset it uses.\n' +
      '# Regenerate with `npm run env:example` (a test fails when this file is out of date).',
  );
  // What only the apps run alone read: their service interfaces to each other (ADR 0004).
  const distributed = renderEnvExample(
    {
      ...internalRpcVariables,
      ...historyApiUrlVariables,
      ...routingApiUrlVariables,
      ...channelApiUrlVariables,
    },
    'Each app alone (the distributed mode): internal RPC between the apps, over TCP. `npm start` reads none of it.',
    { commented: true },
  );
  return `${standalone}\n${distributed}`;
}
