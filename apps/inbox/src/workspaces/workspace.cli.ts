import { loadConfig, runCli, withCliApplication } from '@switchboard/platform';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { type WorkspaceSummary, timeZoneSchema, workspaceNameSchema } from './workspace.js';
import { WorkspaceCliConfig, WorkspaceCliModule } from './workspace-cli.module.js';
import { WorkspacesService } from './workspaces.service.js';

const USAGE = `Usage: npm run workspace -- <command> [options]

  create   --name <name> --admin-email <email> [--admin-name <name>] [--time-zone <IANA zone>]
           creates a workspace and its first admin; prints the admin's password once
  list     every workspace of this installation (id, name, time zone, members, admins)
  operator --workspace <id> --email <email> [--revoke]
           makes that user the installation's operator (Operator → Workspaces in the inbox),
           or no longer one with --revoke; the default workspace's first admin is one already

Uses DATABASE_URL; unset, the embedded database under SWITCHBOARD_DATA_DIR — the one a running
\`npm start\` holds (it goes on running), or started for the command when nothing runs it.
`;

const createArgs = z.object({
  name: workspaceNameSchema,
  'admin-email': z.email().max(320),
  'admin-name': z.string().trim().min(1).max(200),
  'time-zone': timeZoneSchema,
});
const operatorArgs = z.object({
  workspace: z.uuid(),
  email: z.email().max(320),
  revoke: z.boolean(),
});

/** `npm run workspace`: an operator creates workspaces, lists them and names operators, from a shell. */
async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      'admin-email': { type: 'string' },
      'admin-name': { type: 'string', default: 'Admin' },
      'time-zone': { type: 'string', default: 'UTC' },
      workspace: { type: 'string' },
      email: { type: 'string' },
      revoke: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || !command || !['create', 'list', 'operator'].includes(command)) {
    process.stderr.write(USAGE);
    return values.help ? 0 : 2;
  }
  const schema = command === 'create' ? createArgs : command === 'operator' ? operatorArgs : undefined;
  const parsed = schema?.safeParse(values);
  if (parsed && !parsed.success) {
    const problems = parsed.error.issues.map((i) => `  --${i.path.join('.')}: ${i.message}`).join('\n');
    process.stderr.write(`${problems}\n\n${USAGE}`);
    return 2;
  }
  const config = loadConfig(WorkspaceCliConfig, {
    overrides: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
  }).values;
  return withCliApplication(
    config,
    (overrides) => WorkspaceCliModule.forRoot(overrides),
    async (app) => {
      const workspaces = app.get(WorkspacesService);
      if (command === 'create') {
        const input = createArgs.parse(values);
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
      if (command === 'operator') {
        const input = operatorArgs.parse(values);
        const user = await workspaces.setOperator(input.workspace, input.email, !input.revoke);
        process.stderr.write(
          `${user.email} of workspace ${user.workspaceId} is ${user.operator ? 'now an' : 'no longer an'} operator.\n`,
        );
        return 0;
      }
      const all: WorkspaceSummary[] = [];
      let pageToken: string | undefined;
      do {
        const page = await workspaces.listPage({ pageSize: 200, pageToken });
        all.push(...page.items);
        pageToken = page.nextPageToken ?? undefined;
      } while (pageToken !== undefined);
      process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
      return 0;
    },
  );
}

await runCli(main);
