import { DEFAULT_WORKSPACE_ID } from '@switchboard/contracts';
import { loadConfig, runCli, withCliApplication } from '@switchboard/platform';
import { parseArgs } from 'node:util';
import { ApiKeyCliConfig } from './api-key-cli.config.js';
import { ApiKeyCliModule } from './api-key-cli.module.js';
import type { ApiKeyScope } from './api-key.js';
import { ApiKeyService } from './api-key.service.js';

const USAGE = `Usage: npm run apikey -- <command> [options]

  create --name <name> --scope read|read-write [--workspace <id>] [--rate <calls/s>] [--created-by <who>]
         prints the key once: store it in your integration's secrets, it cannot be shown again
  list   [--workspace <id>]
  revoke --id <key id> [--workspace <id>]

--workspace defaults to the default workspace (${DEFAULT_WORKSPACE_ID}).
Uses DATABASE_URL; unset, the embedded database under SWITCHBOARD_DATA_DIR — the one a running
\`npm start\` holds (it goes on running), or started for the command when nothing runs it.
Admins can do the same in the inbox: Admin → API keys.
`;

/**
 * `npm run apikey`: an admin's way to create, list and revoke integrators' API keys from a shell,
 * through the same ApiKeyService the inbox calls.
 */
async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      workspace: { type: 'string', default: DEFAULT_WORKSPACE_ID },
      name: { type: 'string' },
      scope: { type: 'string' },
      rate: { type: 'string' },
      id: { type: 'string' },
      'created-by': { type: 'string', default: 'cli' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || !command || !['create', 'list', 'revoke'].includes(command)) {
    process.stderr.write(USAGE);
    return values.help ? 0 : 2;
  }
  // A CLI is an edge like main.ts: the config is validated here, once.
  const config = loadConfig(ApiKeyCliConfig, {
    overrides: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
  }).values;
  return withCliApplication(
    config,
    (overrides) => ApiKeyCliModule.forRoot(overrides),
    async (app) => {
      const keys = app.get(ApiKeyService);
      switch (command) {
        case 'create': {
          if (!values.name || !values.scope) {
            process.stderr.write('create needs --name and --scope\n\n' + USAGE);
            return 2;
          }
          const rate = values.rate === undefined ? null : Number(values.rate);
          const { key, apiKey } = await keys.createApiKey(values.workspace, {
            name: values.name,
            scope: values.scope as ApiKeyScope,
            createdBy: values['created-by'],
            rateLimitPerSecond: rate,
          });
          process.stderr.write(
            `Created API key ${apiKey.id} (${apiKey.scope}) "${apiKey.name}" in workspace ${apiKey.workspaceId}.\n` +
              'The key is printed once, below; it cannot be shown again:\n',
          );
          process.stdout.write(`${key}\n`);
          return 0;
        }
        case 'list': {
          const list = await keys.listApiKeys(values.workspace);
          process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
          return 0;
        }
        case 'revoke': {
          if (!values.id) {
            process.stderr.write('revoke needs --id\n\n' + USAGE);
            return 2;
          }
          const revoked = await keys.revokeApiKey(values.workspace, values.id);
          process.stderr.write(`Revoked API key ${revoked.id} at ${revoked.revokedAt}.\n`);
          return 0;
        }
        default:
          return 2;
      }
    },
  );
}

await runCli(main);
