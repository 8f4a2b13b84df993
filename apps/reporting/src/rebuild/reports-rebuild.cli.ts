import { loadConfig, runCli } from '@switchboard/platform';
import { RebuildCliConfig, RebuildCliModule } from './rebuild-cli.module.js';
import { rebuildCommand } from './rebuild-command.js';

const USAGE = `Usage: node dist/apps/reporting/src/rebuild/reports-rebuild.cli.js --workspace <id>

  Rebuilds the workspace's reporting figures and labels from history's records (ADR 0106, 0118):
  reads them from history (HistoryApi.replayRecords), adds the facts and label changes the
  reporting store lacks, and recomputes the workspace's figures in one transaction. The reporting
  consumer may go on running: it waits for that transaction, and nothing it reads meanwhile is
  lost or counted twice. Prints what it did.

Uses DATABASE_URL (the reporting schema), HISTORY_API_URL (tcp://host:port where history serves
internal RPC) and INTERNAL_API_TOKEN. In the standalone deployment, \`npm run reports:rebuild\`
reads history's records from its own database instead.
`;

/** Reporting's own command, for each app alone (Helm): history over internal RPC. */
await runCli((argv) =>
  rebuildCommand(argv, USAGE, () => ({
    config: loadConfig(RebuildCliConfig, { overrides: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' } })
      .values,
    module: (overrides) => RebuildCliModule.forRoot(overrides),
  })),
);
