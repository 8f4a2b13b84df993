export * from './bus-logger.js';
export * from './dead-letter.js';
export * from './event-bus.js';
export { EventConsumer, consume, type ConsumerSpec } from './event-consumer.js';
export * from './retry-policy.js';
export { InProcessEventBus, type InProcessEventBusOptions } from './in-process/in-process-event-bus.js';
export type { AppendRecord, EventLogStore, StoredRecord } from './in-process/event-log-store.js';
export { MemoryEventLogStore } from './in-process/memory-event-log.store.js';
export {
  PostgresEventLogStore,
  type PostgresEventLogStoreOptions,
} from './in-process/postgres-event-log.store.js';
export { KafkaEventBus, type KafkaEventBusOptions } from './kafka/kafka-event-bus.js';
export { loadPlatformaticKafkaEventBus } from './kafka/load-platformatic.js';
export { MessagingConfig, messagingVariables } from './messaging.config.js';
export { MessagingModule, createEventBus } from './messaging.module.js';
export { GroupCommitQueue, type GroupCommitLimits } from './group-commit-queue.js';
