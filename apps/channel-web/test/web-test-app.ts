import { Module, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import {
  type Attachment,
  type SecureForm,
  CsatSubmittedV1,
  DeliveryStatusChangedV1,
  InboundMessageReceivedV1,
  MessageDeliveryRequestedV1,
  ParticipantActivityV1,
  Topics,
} from '@switchboard/contracts';
import { KafkaEventBus, MessagingModule } from '@switchboard/messaging';
import { configureHttpApp, HealthModule, LoggingModule, PlatformConfigModule } from '@switchboard/platform';
import { type TestDatabase, createTestDatabase, testRunId, waitFor } from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import WebSocket from 'ws';
import { ChannelWebAppConfig } from '../src/channel-web-app.config.js';
import { ChannelWebModule } from '../src/channel-web.module.js';
import { WidgetSettingsService } from '../src/settings/widget-settings.service.js';

/**
 * The web channel in this process, as runHttpService runs it (ws adapter, one port), on the real
 * broker and a fresh PostgreSQL database; plus a bus of the test's own to inject deliveries and
 * watch what the channel publishes.
 */
export interface WebTestApp {
  readonly app: INestApplication;
  readonly url: string;
  readonly wsUrl: string;
  readonly bus: KafkaEventBus;
  /** Every topic of this app (and its replicas) starts with it. */
  readonly topicPrefix: string;
  readonly db: pg.Pool;
  readonly settings: WidgetSettingsService;
  readonly widgetKey: string;
  readonly workspaceId: string;
  readonly inbound: (InboundMessageReceivedV1 | CsatSubmittedV1)[];
  readonly statuses: DeliveryStatusChangedV1[];
  readonly activity: ParticipantActivityV1[];
  /** Another replica of the channel on the same database and topics (its own pool, LISTEN and consumers). */
  startReplica(): Promise<{ url: string; wsUrl: string; close(): Promise<void> }>;
  /** Publishes an agent's reply to a web contact, as history does. */
  reply(
    recipient: { kind: 'web_visitor' | 'web_user'; address: string },
    text: string,
    extra?: Partial<Reply>,
  ): Promise<string>;
  close(): Promise<void>;
}

interface Reply {
  messageId: string;
  customerId: string;
  conversationId: string;
  agentName: string;
  attachments: Attachment[];
  form: SecureForm;
}

export async function startWebTestApp(
  label: string,
  options: {
    workspaceId?: string;
    env?: Record<string, string>;
    /** Providers run beside the channel, as the standalone app runs the inbox's gateway. */
    beside?: Type[];
  } = {},
): Promise<WebTestApp> {
  const database: TestDatabase = await createTestDatabase(label);
  const topicPrefix = `${testRunId()}.web-${randomUUID().slice(0, 8)}.`;
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');
  const env = {
    DATABASE_URL: database.url,
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_TOPIC_PREFIX: topicPrefix,
    KAFKA_PARTITIONS: '2',
    SWITCHBOARD_DATA_DIR: await mkdtemp(path.join(tmpdir(), 'sb-web-')),
    SWITCHBOARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    NODE_ENV: 'test',
    ...options.env,
  };

  const app = await startNestApp(env, options.beside);
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const settings = app.get(WidgetSettingsService);
  const workspaceId = options.workspaceId ?? randomUUID();
  const { widgetKey } = await settings.get(workspaceId);

  const bus = new KafkaEventBus({
    brokers,
    clientId: `${label}-observer`,
    topicPrefix,
    partitions: 2,
    replicationFactor: 1,
  });
  const inbound: (InboundMessageReceivedV1 | CsatSubmittedV1)[] = [];
  const statuses: DeliveryStatusChangedV1[] = [];
  const activity: ParticipantActivityV1[] = [];
  const subscriptions = await Promise.all([
    bus.subscribe({
      groupId: 'observer.inbound',
      topics: [Topics.inbound],
      accepts: [InboundMessageReceivedV1, CsatSubmittedV1],
      handleBatch: (batch) => Promise.resolve(void inbound.push(...batch.map((c) => c.event))),
    }),
    bus.subscribe({
      groupId: 'observer.status',
      topics: [Topics.deliveryStatus],
      accepts: [DeliveryStatusChangedV1],
      handleBatch: (batch) => Promise.resolve(void statuses.push(...batch.map((c) => c.event))),
    }),
    bus.subscribe({
      groupId: 'observer.activity',
      topics: [Topics.activity],
      accepts: [ParticipantActivityV1],
      handleBatch: (batch) => Promise.resolve(void activity.push(...batch.map((c) => c.event))),
    }),
  ]);
  await Promise.all(subscriptions.map((s) => s.assigned));
  const db = new pg.Pool({ connectionString: database.url, max: 2 });

  return {
    app,
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/ws/widget?key=${widgetKey}`,
    bus,
    topicPrefix,
    db,
    settings,
    widgetKey,
    workspaceId,
    inbound,
    statuses,
    activity,
    async startReplica() {
      const replica = await startNestApp(env);
      const replicaUrl = (await replica.getUrl()).replace('[::1]', '127.0.0.1');
      return {
        url: replicaUrl,
        wsUrl: `${replicaUrl.replace(/^http/, 'ws')}/ws/widget?key=${widgetKey}`,
        close: () => replica.close(),
      };
    },
    async reply(recipient, text, extra = {}) {
      const messageId = extra.messageId ?? randomUUID();
      await bus.emit(
        MessageDeliveryRequestedV1.create({
          workspaceId,
          payload: {
            messageId,
            conversationId: extra.conversationId ?? '00000000-0000-4000-8000-00000000c0c0',
            customerId: extra.customerId ?? '00000000-0000-4000-8000-00000000cccc',
            channel: 'web',
            channelAccountId: widgetKey,
            recipient,
            text,
            attachments: extra.attachments ?? [],
            sender: { type: 'agent', id: 'agent-1', name: extra.agentName ?? 'Alex Agent' },
            ...(extra.form ? { form: extra.form } : {}),
            requestedAt: new Date().toISOString(),
          },
        }),
      );
      return messageId;
    },
    async close() {
      await Promise.all(subscriptions.map((s) => s.stop()));
      await bus.close();
      await app.close();
      await db.end();
      await database.drop();
    },
  };
}

async function startNestApp(env: Record<string, string>, beside: Type[] = []): Promise<INestApplication> {
  @Module({
    imports: [
      PlatformConfigModule.forRoot(ChannelWebAppConfig, { env }),
      LoggingModule,
      HealthModule,
      MessagingModule.forRoot(),
      ChannelWebModule,
    ],
    providers: beside,
  })
  class TestRootModule {}

  const app = await NestFactory.create(TestRootModule, { logger: false, abortOnError: false });
  // The headers runHttpService gives every app (no X-Powered-By, nosniff, no-store, frames).
  configureHttpApp(app);
  app.useWebSocketAdapter(new WsAdapter(app));
  await app.listen(0, '127.0.0.1');
  return app;
}

/** A widget as a socket: what a page's panel does, without the page. */
export class WidgetClient {
  readonly received: Record<string, unknown>[] = [];
  closeCode: number | undefined;
  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) =>
      this.received.push(JSON.parse(data.toString('utf8')) as Record<string, unknown>),
    );
    socket.on('close', (code) => (this.closeCode = code));
  }

  static async connect(
    wsUrl: string,
    origin: string | undefined,
    headers: Record<string, string> = {},
  ): Promise<WidgetClient> {
    const socket = new WebSocket(wsUrl, {
      headers: { ...headers, ...(origin === undefined ? {} : { origin }) },
    });
    const client = new WidgetClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  send(message: object): void {
    this.socket.send(JSON.stringify(message));
  }

  /** Says hello and resolves with the welcome. */
  async hello(hello: object = {}): Promise<Record<string, unknown>> {
    this.send({ t: 'hello', ...hello });
    return this.next((m) => m.t === 'welcome', 'welcome');
  }

  messages(type: string): Record<string, unknown>[] {
    return this.received.filter((m) => m.t === type);
  }

  /** Items received, in order of arrival. */
  items(): {
    seq: number;
    id: string;
    dir: string;
    kind: string;
    text: string | null;
    conversationId: string | null;
  }[] {
    return this.messages('item').map((m) => m.item as never);
  }

  next(
    match: (m: Record<string, unknown>) => boolean,
    what: string,
    timeoutMs = 15_000,
  ): Promise<Record<string, unknown>> {
    const seen = this.received.length;
    void seen;
    return waitFor(() => this.received.find(match), { what, timeoutMs });
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}
