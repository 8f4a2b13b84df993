import { RebuildCliModule, rebuildCommand } from '@switchboard/app-reporting/rebuild';
import { loadConfig, runCli } from '@switchboard/platform';
import { ReportsRebuildConfig, ReportsRebuildModule } from './reports-rebuild.module.js';

const USAGE = `Usage: npm run reports:rebuild -- --workspace <id>

  Rebuilds the workspace's reporting figures and labels from history's records (ADR 0106, 0118):
  adds the facts and label changes the reporting store lacks, and recomputes the workspace's
  figures in one transaction. The platform may go on running: its reporting consumer waits for
  that transaction, and nothing it reads meanwhile is lost or counted twice. Prints what it did.

  Beside \`npm start\`: no settings needed (its embedded database under SWITCHBOARD_DATA_DIR, or
  DATABASE_URL); history's records are read from that database. With each app alone: DATABASE_URL,
  HISTORY_API_URL (tcp://host:port where history serves internal RPC) and INTERNAL_API_TOKEN.
`;

/** `npm run reports:rebuild`: history's records from this database, or over internal RPC when named. */
await runCli((argv) =>
  rebuildCommand(argv, USAGE, () => {
    const config = loadConfig(ReportsRebuildConfig, {
      overrides: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    }).values;
    return {
      config,
      module: (overrides) =>
        config.HISTORY_API_URL === undefined
          ? ReportsRebuildModule.forRoot(overrides)
          : RebuildCliModule.forRoot(overrides),
    };
  }),
);
