import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AppProcess,
  type TestDatabase,
  createTestDatabase,
  settle,
  startAppProcess,
} from '@switchboard/testing';
// deploy/ holds plain-JS scripts outside the @switchboard/* aliases.
// eslint-disable-next-line no-restricted-imports
import { type RunningBroker, startBroker } from '../../../../deploy/local/kafka/kafka-broker.mjs';

/** The app's JSON log lines at error level or above (the platform's pino writes level labels). */
function errorLines(app: AppProcess): string[] {
  return app
    .output()
    .split('\n')
    .filter((line) => {
      try {
        const { level } = JSON.parse(line) as { level?: unknown };
        return level === 'error' || level === 'fatal';
      } catch {
        return false;
      }
    });
}

/**
 * Every app of the distributed deployment, built and run as its own process against a broker
 * started for this test alone (so its group coordinator is still loading and its topics are new,
 * as on a first deployment), started, left to settle and stopped: nothing went wrong, so nothing
 * may be logged as an error.
 */
describe('a clean start of every app', () => {
  let dataDir: string;
  let broker: RunningBroker | undefined;
  let database: TestDatabase;
  const apps = new Map<string, AppProcess>();

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'switchboard-clean-start-'));
    [broker, database] = await Promise.all([startBroker({ dataDir }), createTestDatabase('clean_start')]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...apps.values()].map((app) => app.stop('SIGKILL')));
    await broker?.stop();
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('logs no error line from start to stop', async () => {
    const common = {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: broker!.brokers,
      KAFKA_TOPIC_PREFIX: `clean-${randomUUID().slice(0, 8)}.`,
      KAFKA_PARTITIONS: '2',
      INTERNAL_API_TOKEN: randomUUID() + randomUUID(),
      SWITCHBOARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    };
    const start = async (name: string, env: Record<string, string> = {}) => {
      const app = await startAppProcess(name, { ...common, ...env });
      apps.set(name, app);
      return app;
    };
    // The apps others call first, as a deployment's readiness gates would order them.
    const [history, routing, web, sms] = await Promise.all(
      ['history', 'routing', 'channel-web', 'channel-sms'].map((name) => start(name)),
    );
    await Promise.all([history, routing, web, sms].map((app) => app!.waitUntilReady(120_000)));
    const urls = {
      HISTORY_API_URL: history!.rpcUrl,
      ROUTING_API_URL: routing!.rpcUrl,
      CHANNEL_WEB_API_URL: web!.rpcUrl,
      CHANNEL_SMS_API_URL: sms!.rpcUrl,
    };
    // The inbox calls grpc-api for the admin screen's API keys.
    const grpc = await start('grpc-api', urls);
    await grpc.waitUntilReady(120_000);
    const inbox = await start('inbox', {
      ...urls,
      GRPC_API_URL: grpc.rpcUrl,
      ADMIN_EMAIL: 'admin@example.test',
      ADMIN_PASSWORD: randomUUID(),
    });
    await inbox.waitUntilReady(120_000);
    // Consumers join their groups and fetch for a while after readiness.
    await settle(10_000);
    const exits = await Promise.all([...apps.values()].map((app) => app.stop('SIGTERM')));
    expect(exits).toEqual([...apps.keys()].map(() => 0));

    const errors = Object.fromEntries([...apps].map(([name, app]) => [name, errorLines(app)]));
    expect(errors).toEqual(Object.fromEntries([...apps.keys()].map((name) => [name, []])));
  }, 360_000);
});
