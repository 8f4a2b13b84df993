import { Global, type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import {
  API_KEYS_API,
  HISTORY_API,
  KNOWLEDGE_BASE_API,
  type KnowledgeBaseApi,
  REPORTING_API,
  type ReportingApi,
  ROUTING_API,
  SMS_CHANNEL_API,
  WEB_CHANNEL_API,
} from '@switchboard/contracts';
import { EventBus, MessagingModule } from '@switchboard/messaging';
import { configureHttpApp, HealthModule, LoggingModule, PlatformConfigModule } from '@switchboard/platform';
import {
  InMemoryHistory,
  InMemoryRouting,
  type TestDatabase,
  createTestDatabase,
  testRunId,
} from '@switchboard/testing';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { routeStatusChangesFirst } from '../src/conversations/conversation-status.route.js';
import { InboxServiceConfig } from '../src/inbox-app.config.js';
import { InboxModule } from '../src/inbox.module.js';
import { InMemoryApiKeys } from './in-memory-api-keys.fixture.js';
import { InMemorySmsChannel, InMemoryWebChannel } from './in-memory-channels.fixture.js';

export interface InboxTestApp {
  readonly app: INestApplication;
  readonly url: string;
  readonly database: TestDatabase;
  readonly history: InMemoryHistory;
  readonly routing: InMemoryRouting;
  readonly webChannel: InMemoryWebChannel;
  readonly smsChannel: InMemorySmsChannel;
  readonly bus: EventBus;
  readonly adminEmail: string;
  readonly adminPassword: string;
  close(): Promise<void>;
}

/**
 * The inbox on a fresh PostgreSQL database and the real Kafka broker (a topic prefix of its own),
 * listening on a free port, with the history, routing and channel port doubles in place of the services.
 */
export async function startInboxTestApp(
  label: string,
  options: {
    database?: TestDatabase;
    topicPrefix?: string;
    env?: Record<string, string>;
    /** Another replica's doubles: replicas share the history and routing services. */
    ports?: { history: InMemoryHistory; routing: InMemoryRouting };
    /** The bot's knowledge base (a client of the real bot); none: the inbox without the bot. */
    knowledgeBase?: KnowledgeBaseApi;
    /** The reporting store (a client of the real reporting app); none: reports answer it is not deployed. */
    reporting?: ReportingApi;
  } = {},
): Promise<InboxTestApp> {
  const database = options.database ?? (await createTestDatabase(label));
  const history = options.ports?.history ?? new InMemoryHistory();
  const routing = options.ports?.routing ?? new InMemoryRouting(history);
  const webChannel = new InMemoryWebChannel();
  const smsChannel = new InMemorySmsChannel();
  const adminEmail = 'admin@example.test';
  const adminPassword = 'correct horse battery';

  @Global()
  @Module({
    providers: [
      { provide: HISTORY_API, useValue: history },
      { provide: ROUTING_API, useValue: routing },
      { provide: WEB_CHANNEL_API, useValue: webChannel },
      { provide: SMS_CHANNEL_API, useValue: smsChannel },
      { provide: API_KEYS_API, useValue: new InMemoryApiKeys() },
      { provide: KNOWLEDGE_BASE_API, useValue: options.knowledgeBase ?? null },
      { provide: REPORTING_API, useValue: options.reporting ?? null },
    ],
    exports: [
      HISTORY_API,
      ROUTING_API,
      WEB_CHANNEL_API,
      SMS_CHANNEL_API,
      API_KEYS_API,
      KNOWLEDGE_BASE_API,
      REPORTING_API,
    ],
  })
  class PortDoublesModule {}

  @Module({
    imports: [
      PlatformConfigModule.forRoot(InboxServiceConfig, {
        overrides: {
          DATABASE_URL: database.url,
          LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
          KAFKA_TOPIC_PREFIX:
            options.topicPrefix ?? `${testRunId()}-${label}-${randomBytes(3).toString('hex')}.`,
          ADMIN_EMAIL: adminEmail,
          ADMIN_PASSWORD: adminPassword,
          // Agents' attachments land under it (the filesystem store).
          SWITCHBOARD_DATA_DIR: await mkdtemp(path.join(tmpdir(), 'sb-inbox-')),
          ...options.env,
        },
      }),
      LoggingModule,
      HealthModule,
      MessagingModule.forRoot(),
      PortDoublesModule,
      InboxModule,
    ],
  })
  class InboxTestModule {}

  const app = await NestFactory.create(InboxTestModule, { logger: false, rawBody: true });
  // The headers runHttpService gives every app (no X-Powered-By, nosniff, no-store, frames).
  configureHttpApp(app);
  app.useWebSocketAdapter(new WsAdapter(app));
  await app.listen(0, '127.0.0.1');
  // As main.ts does: every resolve on node:http ahead of express (ADR 0150).
  routeStatusChangesFirst(app);
  const bus = app.get(EventBus);
  history.bus ??= bus;
  routing.bus ??= bus;
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
    url,
    database,
    history,
    routing,
    webChannel,
    smsChannel,
    bus,
    adminEmail,
    adminPassword,
    close: async () => {
      await app.close();
      if (!options.database) await database.drop();
    },
  };
}
