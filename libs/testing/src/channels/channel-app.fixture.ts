import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventDefinition, Topics } from '@switchboard/contracts';
import { FilesystemAttachmentStore } from '@switchboard/platform';
import pg from 'pg';
import { type TestDatabase, createTestDatabase } from '../database/test-database.util.js';
import { groupCaughtUp, type TestKafka, testKafka } from '../kafka/test-kafka.fixture.js';
import { type AppProcess, startAppProcess } from '../process/app-process.util.js';
import { type ChannelOutput, observeChannelOutput } from './channel-events.fixture.js';

/**
 * A channel app (channel-sms, channel-social) built and in its own process, on a database, topics
 * and data folder of the test's own, with what it publishes observed from before it started.
 */
export interface ChannelApp<D extends EventDefinition> {
  readonly app: AppProcess;
  /** The apps started beside it on the same database and topics (`beside`), in that order. */
  readonly beside: readonly AppProcess[];
  readonly kafka: TestKafka;
  readonly database: TestDatabase;
  /** A pool on that database (two connections), for what the test reads or writes of its tables. */
  readonly db: pg.Pool;
  /** The app's `AttachmentStore` (the data folder's `attachments/`): files put as the inbox would. */
  readonly files: FilesystemAttachmentStore;
  /** What the app has published on `inbound` and `delivery-status`. */
  readonly output: ChannelOutput<D>;
  /** The messages history stored with this provider id, with the event id each came from. */
  storedMessages(providerMessageId: string): Promise<{ readonly eventId: string }[]>;
  /** True once history (started `beside`) has consumed everything on `inbound` so far. */
  historyCaughtUp(): Promise<boolean>;
  close(): Promise<void>;
}

export interface ChannelAppOptions<D extends EventDefinition> {
  /** Names the database and the topics. */
  readonly name: string;
  /** The types observed on `inbound`. */
  readonly inboundTypes: readonly D[];
  /** The app's own environment: its providers' URLs and credentials, `PUBLIC_BASE_URL`. */
  readonly env: Readonly<Record<string, string>>;
  /** Apps started beside it with the common environment only ('history': what it publishes stored). */
  readonly beside?: readonly string[];
  /** The sealing key the app is given (`SWITCHBOARD_ENCRYPTION_KEY`); a fresh one unless told. */
  readonly encryptionKey?: Buffer;
  /** How long each process may take to be ready; 120 s unless told (a loaded machine). */
  readonly readyTimeoutMs?: number;
}

/**
 * Starts `appName` with `DATABASE_URL`, the test's Kafka topics, `SWITCHBOARD_ENCRYPTION_KEY`,
 * `SWITCHBOARD_DATA_DIR` and `LOG_LEVEL=info`, plus `options.env`; and the `beside` apps on the
 * same database and topics. Resolves once every process is ready.
 */
export async function startChannelApp<D extends EventDefinition>(
  appName: string,
  options: ChannelAppOptions<D>,
): Promise<ChannelApp<D>> {
  const closers: (() => Promise<unknown>)[] = [];
  /** Undoes what was started, last first; every step runs even when one before it failed. */
  const close = async () => {
    const failures: unknown[] = [];
    for (const closer of closers.splice(0).reverse())
      await closer().catch((error: unknown) => failures.push(error));
    if (failures.length > 0) throw failures[0];
  };
  try {
    const database = await createTestDatabase(`channel_${options.name.replaceAll('-', '_')}`);
    closers.push(() => database.drop());
    const db = new pg.Pool({ connectionString: database.url, max: 2 });
    closers.push(() => db.end());
    const dataDir = await mkdtemp(join(tmpdir(), `${options.name}-`));
    closers.push(() => rm(dataDir, { recursive: true, force: true }));
    const kafka = testKafka(options.name);
    closers.push(() => kafka.bus.close());
    const output = await observeChannelOutput(kafka.bus, options.inboundTypes);

    const common = {
      DATABASE_URL: database.url,
      ...kafka.env,
      SWITCHBOARD_ENCRYPTION_KEY: (options.encryptionKey ?? randomBytes(32)).toString('base64'),
      SWITCHBOARD_DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
    };
    const start = async (name: string, env: Record<string, string>) => {
      const child = await startAppProcess(name, env);
      closers.push(() => child.stop('SIGTERM'));
      return child;
    };
    const app = await start(appName, { ...common, ...options.env });
    const beside: AppProcess[] = [];
    for (const name of options.beside ?? []) beside.push(await start(name, common));
    await Promise.all([app, ...beside].map((p) => p.waitUntilReady(options.readyTimeoutMs ?? 120_000)));

    return {
      app,
      beside,
      kafka,
      database,
      db,
      files: new FilesystemAttachmentStore(join(dataDir, 'attachments')),
      output,
      storedMessages: async (providerMessageId) =>
        (
          await db.query<{ event_id: string }>(
            'SELECT event_id FROM history.messages WHERE provider_message_id = $1',
            [providerMessageId],
          )
        ).rows.map((row) => ({ eventId: row.event_id })),
      historyCaughtUp: () =>
        groupCaughtUp(`${kafka.topicPrefix}history.inbound`, kafka.topicPrefix + Topics.inbound),
      close,
    };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}
