import { configVariable, databaseVariables, defineConfig, kafkaVariables } from '@switchboard/platform';
import { z } from 'zod';

function milliseconds(min: number, max: number) {
  return z.string().regex(/^\d+$/).transform(Number).pipe(z.int().min(min).max(max));
}

/**
 * The consumer group's timing (ADR 0081): a killed replica's partitions move to the others after
 * the session timeout, plus up to a heartbeat for them to hear of it, plus their rejoin. With
 * these defaults test:cluster measured 5.9 s from a text's acknowledgement to its conversation
 * assigned when a replica was killed (docs/operations.md).
 */
export const messagingVariables = {
  KAFKA_SESSION_TIMEOUT_MS: configVariable({
    description:
      'How long a consumer that stopped heartbeating (a crashed pod) keeps its partitions before Kafka hands them to another replica.',
    schema: milliseconds(6_000, 300_000),
    default: '6000',
    expected: 'milliseconds, from 6000 to 300000',
  }),
  KAFKA_HEARTBEAT_INTERVAL_MS: configVariable({
    description:
      'How often a consumer tells the group it is alive, and hears that the group is rebalancing; under a third of the session timeout.',
    schema: milliseconds(100, 100_000),
    default: '1000',
    expected: 'milliseconds, from 100 to 100000',
  }),
  KAFKA_REBALANCE_TIMEOUT_MS: configVariable({
    description:
      'How long a rebalance waits for a member still finishing its batch before going on without it (its batch is then delivered again).',
    schema: milliseconds(6_000, 300_000),
    default: '20000',
    expected: 'milliseconds, from 6000 to 300000',
  }),
};

/** What `MessagingModule` reads: Kafka when `KAFKA_BROKERS` is set, else the in-process log on `DATABASE_URL`. */
export const MessagingConfig = defineConfig(
  { ...kafkaVariables, ...messagingVariables, DATABASE_URL: databaseVariables.DATABASE_URL },
  'MessagingConfig',
);
