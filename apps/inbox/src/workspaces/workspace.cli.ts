import { NestFactory } from '@nestjs/core';
import { ApiError } from '@switchboard/contracts';
import {
  ConfigValidationError,
  configureLogging,
  loadConfig,
  runningEmbeddedPostgresUrl,
  startEmbeddedPostgres,
  type EmbeddedPostgres,
} from '@switchboard/platform';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { timeZoneSchema, workspaceNameSchema } from './workspace.js';
import { WorkspaceCliConfig, WorkspaceCliModule } from './workspace-cli.module.js';
import { WorkspacesService } from './workspaces.service.js';

const USAGE = `Usage: npm run workspace -- <command> [options]

  create --name <name> --admin-email <email> [--admin-name <name>] [--time-zone <IANA zone>]
         creates a workspace and its first admin; prints the admin's password once
  list   every workspace of this installation (id, name, time zone, users, admins)

Uses DATABASE_URL; unset, the embedded database under SWITCHBOARD_DATA_DIR — the one a running
\`npm start\` holds (it goes on running), or started for the command when nothing runs it.
`;

const createArgs = z.object({
  name: workspaceNameSchema,
  'admin-email': z.email().max(320),
  'admin-name': z.string().trim().min(1).max(200),
  'time-zone': timeZoneSchema,
});

/** `npm run workspace`: an operator creates workspaces and lists them, from a shell. */
async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      'admin-email': { type: 'string' },
      'admin-name': { type: 'string', default: 'Admin' },
      'time-zone': { type: 'string', default: 'UTC' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || !command || !['create', 'list'].includes(command)) {
    process.stderr.write(USAGE);
    return values.help ? 0 : 2;
  }
  const parsed = command === 'create' ? createArgs.safeParse(values) : undefined;
  if (parsed && !parsed.success) {
    const problems = parsed.error.issues.map((i) => `  --${i.path.join('.')}: ${i.message}`).join('\n');
    process.stderr.write(`${problems}\n\n${USAGE}`);
    return 2;
  }
  const config = loadConfig(WorkspaceCliConfig, {
    overrides: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
  }).values;
  // stdout is the command's answer: logs go to stderr, warnings and up.
  configureLogging({ level: config.LOG_LEVEL, destination: process.stderr });
  let embedded: EmbeddedPostgres | undefined;
  let databaseUrl = config.DATABASE_URL;
  if (databaseUrl === undefined) {
    databaseUrl = await runningEmbeddedPostgresUrl(config.SWITCHBOARD_DATA_DIR);
    if (databaseUrl === undefined) {
      embedded = await startEmbeddedPostgres({ dataDir: config.SWITCHBOARD_DATA_DIR });
      databaseUrl = embedded.url;
    }
  }
  const app = await NestFactory.createApplicationContext(
    WorkspaceCliModule.forRoot({ LOG_LEVEL: config.LOG_LEVEL, DATABASE_URL: databaseUrl }),
    { logger: ['error', 'warn'], abortOnError: false },
  );
  try {
    const workspaces = app.get(WorkspacesService);
    if (parsed?.success) {
      const input = parsed.data;
      const created = await workspaces.create({
        name: input.name,
        timeZone: input['time-zone'],
        admin: { email: input['admin-email'], displayName: input['admin-name'] },
      });
      process.stderr.write(
        `Created workspace "${created.workspace.name}" (${created.workspace.id}) and its admin ${created.admin.email}.\n` +
          'Their password is printed once, below: hand it over, and have them change it after signing in.\n',
      );
      process.stdout.write(`${created.generatedPassword}\n`);
      return 0;
    }
    process.stdout.write(`${JSON.stringify(await workspaces.listAll(), null, 2)}\n`);
    return 0;
  } finally {
    await app.close();
    await embedded?.stop();
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof ApiError) {
    const details = error.fieldViolations.map((v) => `\n  ${v.field}: ${v.description}`).join('');
    process.stderr.write(`${error.message}${details}\n`);
  } else if (error instanceof ConfigValidationError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exitCode = 1;
}
