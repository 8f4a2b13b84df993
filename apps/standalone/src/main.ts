import { join } from 'node:path';
import {
  ConfigValidationError,
  loadConfig,
  runHttpService,
  startEmbeddedPostgres,
} from '@switchboard/platform';
import { StandaloneConfig } from './standalone.config.js';
import { StandaloneModule } from './standalone.module.js';

/**
 * `npm start`: the whole platform in one process. Without DATABASE_URL it starts an embedded
 * PostgreSQL whose data lives under SWITCHBOARD_DATA_DIR; without KAFKA_BROKERS events go over the
 * in-process log (kept in that same database, so nothing acknowledged is lost on a crash).
 */
let config;
try {
  config = loadConfig(StandaloneConfig).values;
} catch (error) {
  if (!(error instanceof ConfigValidationError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

const embedded =
  config.DATABASE_URL === undefined
    ? await startEmbeddedPostgres({ dataDir: config.SWITCHBOARD_DATA_DIR })
    : undefined;

const overrides = embedded ? { DATABASE_URL: embedded.url } : {};
await runHttpService(StandaloneModule.forRoot(overrides), {
  config: StandaloneConfig,
  overrides,
  // Meta batches up to 1,000 events in one webhook (channel-social).
  jsonBodyLimit: '4mb',
  afterClose: async () => embedded?.stop(),
  onListening: (_app, url) => {
    const lines = [
      '',
      '  Switchboard is running.',
      '',
      `  Inbox         ${url}/inbox/   (agents sign in here)`,
      `  Demo page     ${url}/demo   (chat as a customer)`,
      `  Health        ${url}/healthz   (ready: ${url}/readyz)`,
      `  gRPC API      localhost:${config.GRPC_PORT}   (keys: npm run apikey -- create --help)`,
      `  Database      ${embedded ? `embedded PostgreSQL, data in ${join(config.SWITCHBOARD_DATA_DIR, 'postgres')}` : 'DATABASE_URL'}`,
      `  Event log     ${config.KAFKA_BROKERS ? `Kafka at ${config.KAFKA_BROKERS.join(',')}` : 'in-process (kept in PostgreSQL)'}`,
      '',
      '  Stop with Ctrl+C; data survives restarts.',
      '',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  },
});
