import { loadConfig, runCli, withCliApplication } from '@switchboard/platform';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { RebuildCliConfig, RebuildCliModule } from './rebuild-cli.module.js';
import { RebuildService } from './rebuild.service.js';

const USAGE = `Usage: npm run reports:rebuild -- --workspace <id>

  Rebuilds the workspace's reporting figures from history's records (ADR 0106): reads them from
  history (HistoryApi.replayRecords), adds the facts the reporting store lacks, and recomputes the
  workspace's figures in one transaction. The reporting consumer may go on running: it waits for
  that transaction, and nothing it reads meanwhile is lost or counted twice. Prints what it did.

Uses DATABASE_URL (the reporting schema), HISTORY_API_URL (tcp://host:port where history serves
internal RPC) and INTERNAL_API_TOKEN.
`;

const args = z.object({ workspace: z.uuid() });

/** `npm run reports:rebuild`: an operator rebuilds one workspace's reports from a shell. */
async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { workspace: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stderr.write(USAGE);
    return 0;
  }
  const parsed = args.safeParse(values);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  --${i.path.join('.')}: ${i.message}`).join('\n');
    process.stderr.write(`${problems}\n\n${USAGE}`);
    return 2;
  }
  const config = loadConfig(RebuildCliConfig, {
    overrides: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
  }).values;
  return withCliApplication(
    config,
    (overrides) => RebuildCliModule.forRoot(overrides),
    async (app) => {
      const result = await app.get(RebuildService).rebuild(parsed.data.workspace);
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return 0;
    },
  );
}

await runCli(main);
