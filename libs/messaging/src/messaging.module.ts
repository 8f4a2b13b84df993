import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import {
  HealthModule,
  HealthRegistry,
  PlatformConfigService,
  createLogger,
  type ConfigOf,
} from '@switchboard/platform';
import { EventBus } from './event-bus.js';
import { InProcessEventBus } from './in-process/in-process-event-bus.js';
import { PostgresEventLogStore } from './in-process/postgres-event-log.store.js';
import { KafkaEventBus, type KafkaEventBusOptions } from './kafka/kafka-event-bus.js';
import { loadPlatformaticKafkaEventBus } from './kafka/load-platformatic.js';
import { MessagingConfig } from './messaging.config.js';

/** The in-process log keeps fewer partitions than a Kafka topic: its consumers all live in one process. */
const IN_PROCESS_PARTITIONS = 8;
const HOUR_MS = 60 * 60_000;

export async function createEventBus(config: ConfigOf<typeof MessagingConfig>): Promise<EventBus> {
  const logger = createLogger('event-bus');
  if (config.KAFKA_BROKERS !== undefined) {
    logger.info(
      { brokers: config.KAFKA_BROKERS, topicPrefix: config.KAFKA_TOPIC_PREFIX, client: config.KAFKA_CLIENT },
      'event bus: Kafka',
    );
    const options: KafkaEventBusOptions = {
      brokers: config.KAFKA_BROKERS,
      clientId: config.KAFKA_CLIENT_ID,
      topicPrefix: config.KAFKA_TOPIC_PREFIX,
      partitions: config.KAFKA_PARTITIONS,
      replicationFactor: config.KAFKA_REPLICATION_FACTOR,
      sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
      heartbeatIntervalMs: config.KAFKA_HEARTBEAT_INTERVAL_MS,
      rebalanceTimeoutMs: config.KAFKA_REBALANCE_TIMEOUT_MS,
      ...(config.DATABASE_URL !== undefined && config.KAFKA_CRASH_CHECK_INTERVAL_MS > 0
        ? {
            crashedMemberEviction: {
              databaseUrl: config.DATABASE_URL,
              intervalMs: config.KAFKA_CRASH_CHECK_INTERVAL_MS,
            },
          }
        : {}),
      logger,
    };
    return config.KAFKA_CLIENT === 'platformatic'
      ? new (await loadPlatformaticKafkaEventBus())(options)
      : new KafkaEventBus(options);
  }
  if (config.DATABASE_URL === undefined) {
    throw new Error(
      'Set KAFKA_BROKERS (distributed mode) or DATABASE_URL (the in-process event log lives there).',
    );
  }
  logger.info({}, 'event bus: in-process, on PostgreSQL');
  const store = new PostgresEventLogStore({ connectionString: config.DATABASE_URL });
  await store.init();
  return new InProcessEventBus(store, {
    partitions: IN_PROCESS_PARTITIONS,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    retentionMs: config.EVENT_LOG_RETENTION_HOURS * HOUR_MS,
    groupRetentionMs: config.EVENT_LOG_GROUP_RETENTION_DAYS * 24 * HOUR_MS,
    logger,
  });
}

/** Closes the bus after the HTTP server and the consumers have stopped, draining what is in flight. */
class EventBusLifecycle implements OnApplicationShutdown {
  constructor(@Inject(EventBus) private readonly bus: EventBus) {}

  async onApplicationShutdown(): Promise<void> {
    await this.bus.close();
  }
}

/**
 * `MessagingModule.forRoot()` once per process provides `EventBus` everywhere, and its readiness
 * check (`event-bus`). Needs `...kafkaVariables` and `DATABASE_URL` in the app's config definition.
 */
@Module({})
export class MessagingModule {
  static forRoot(): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      imports: [HealthModule],
      providers: [
        {
          provide: EventBus,
          inject: [PlatformConfigService, HealthRegistry],
          useFactory: async (config: PlatformConfigService, health: HealthRegistry) => {
            const bus = await createEventBus(config.get(MessagingConfig));
            health.register('event-bus', () => bus.checkHealth());
            return bus;
          },
        },
        EventBusLifecycle,
      ],
      exports: [EventBus],
    };
  }
}
