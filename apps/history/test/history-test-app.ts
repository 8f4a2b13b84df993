import { randomUUID } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  ConversationLabelsChangedV1,
  ConversationMessageAppendedV1,
  ConversationStatusChangedV1,
  CustomerErasedV1,
  CustomerLabelsChangedV1,
  type EventEnvelope,
  HISTORY_API,
  type HistoryApi,
  MessageDeliveryRequestedV1,
  OutboundMessageRequestedV1,
  Topics,
  deadLetterTopic,
} from '@switchboard/contracts';
import { KafkaEventBus, MessagingModule, type SubscriptionHandle } from '@switchboard/messaging';
import { HealthModule, LoggingModule, PlatformConfigModule } from '@switchboard/platform';
import { type TestDatabase, createTestDatabase, testRunId } from '@switchboard/testing';
import pg from 'pg';
// The app under test: its own modules, composed as its main.ts composes them.

import { HistoryAppConfig } from '../src/history-app.config.js';

import { HistoryModule } from '../src/history.module.js';

/**
 * The history module on the real Kafka broker (KAFKA_BROKERS) and a fresh PostgreSQL database,
 * with a channel-side bus to publish what channels and routing publish, and a listener that keeps
 * every event history emits.
 */
export interface HistoryTestApp {
  readonly api: HistoryApi;
  readonly db: pg.Pool;
  /** Emits as the other services do: each event on its definition's topic, under its key. */
  emit(events: readonly EventEnvelope[]): Promise<void>;
  /** Everything history published on `conversations` and `deliveries`, in arrival order. */
  readonly emitted: EventEnvelope[];
  /** Outbound requests history dead-lettered, in arrival order. */
  readonly deadLettered: EventEnvelope[];
  /** One of history's providers, to call it directly (a consumer's batch exactly as a test writes it). */
  get<T>(type: abstract new (...args: never[]) => T): T;
  close(): Promise<void>;
}

export interface HistoryTestAppOptions {
  /** Runs on the fresh database before history boots (and runs its pending migrations). */
  readonly beforeStart?: (databaseUrl: string) => Promise<void>;
}

export async function startHistoryTestApp(
  label: string,
  options: HistoryTestAppOptions = {},
): Promise<HistoryTestApp> {
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');
  const database: TestDatabase = await createTestDatabase(label);
  await options.beforeStart?.(database.url);
  const topicPrefix = `${testRunId()}.${label}-${randomUUID().slice(0, 8)}.`;
  const moduleRef: TestingModule = await Test.createTestingModule({
    imports: [
      PlatformConfigModule.forRoot(HistoryAppConfig, {
        env: {
          DATABASE_URL: database.url,
          KAFKA_BROKERS: brokers.join(','),
          KAFKA_TOPIC_PREFIX: topicPrefix,
          KAFKA_PARTITIONS: '2',
          // The run's choice of Kafka client (ADR 0006), e.g. KAFKA_CLIENT=platformatic.
          ...(process.env.KAFKA_CLIENT === undefined ? {} : { KAFKA_CLIENT: process.env.KAFKA_CLIENT }),
          LOG_LEVEL: 'warn',
        },
      }),
      LoggingModule,
      HealthModule,
      MessagingModule.forRoot(),
      HistoryModule,
    ],
  }).compile();
  await moduleRef.init();
  const others = new KafkaEventBus({
    brokers,
    clientId: 'others',
    topicPrefix,
    partitions: 2,
    replicationFactor: 1,
  });
  const emitted: EventEnvelope[] = [];
  const listener: SubscriptionHandle = await others.subscribe({
    groupId: 'test-listener',
    topics: [Topics.conversations, Topics.deliveries],
    accepts: [
      ConversationMessageAppendedV1,
      ConversationStatusChangedV1,
      CustomerErasedV1,
      ConversationLabelsChangedV1,
      CustomerLabelsChangedV1,
      MessageDeliveryRequestedV1,
    ],
    handleBatch: (batch) => {
      for (const c of batch) emitted.push(c.event);
      return Promise.resolve();
    },
  });
  const deadLettered: EventEnvelope[] = [];
  const deadLetterListener: SubscriptionHandle = await others.subscribe({
    groupId: 'test-dead-letter-listener',
    topics: [deadLetterTopic(Topics.outboundRequests)],
    accepts: [OutboundMessageRequestedV1],
    handleBatch: (batch) => {
      for (const c of batch) deadLettered.push(c.event);
      return Promise.resolve();
    },
  });
  const db = new pg.Pool({ connectionString: database.url, max: 3 });
  return {
    api: moduleRef.get<HistoryApi>(HISTORY_API),
    db,
    emitted,
    deadLettered,
    get: (type) => moduleRef.get(type, { strict: false }),
    emit: async (events) => {
      // A topic the broker created a moment ago may not have a leader yet: try again shortly.
      for (let attempt = 1; ; attempt++) {
        try {
          return await others.emit(events);
        } catch (error) {
          if (attempt >= 20) throw error;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
    },
    close: async () => {
      await listener.stop();
      await deadLetterListener.stop();
      await moduleRef.close();
      await others.close();
      await db.end();
      await database.drop();
    },
  };
}
