import type { PlatformaticKafkaEventBus } from './platformatic-kafka-event-bus.js';

/**
 * The @platformatic/kafka adapter's class, loaded on first use: importing @platformatic/kafka
 * compiles its option schemas (about half a second of CPU), which a process on kafkajs (the
 * default, ADR 0136) or on the in-process log never needs to pay at its start.
 */
export async function loadPlatformaticKafkaEventBus(): Promise<typeof PlatformaticKafkaEventBus> {
  return (await import('./platformatic-kafka-event-bus.js')).PlatformaticKafkaEventBus;
}
