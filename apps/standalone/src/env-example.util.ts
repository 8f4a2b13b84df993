import { renderEnvExample } from '@switchboard/platform';
import { StandaloneConfig } from './standalone.config.js';

/** `.env.example` is generated from the config definitions, so it can't forget a variable. */
export function standaloneEnvExample(): string {
  return renderEnvExample(
    StandaloneConfig.variables,
    'Switchboard configuration. `npm start` needs none of it; each app alone reads the subset it uses.\n' +
      '# Regenerate with `npm run env:example` (a test fails when this file is out of date).',
  );
}
