import { configVariable, databaseVariables, defineConfig, kafkaVariables } from '@switchboard/platform';
import { z } from 'zod';

function milliseconds(min: number, max: number) {
  return z.string().regex(/^\d+$/).transform(Number).pipe(z.int().min(min).max(max));
}

/**
 * The consumer group's timing (ADR 0091): a killed replica's partitions move to the others after
 * the session timeout, plus up to a heartbeat for them to hear of it, plus their rejoin. With
 * these defaults test:cluster measured 5.9 s from a text's acknowledgement to its conversation
 * assigned when a replica was killed (docs/operations.md).
 */
export const messagingVariables = {
  KAFKA_CLIENT: configVariable({
    description:
      'The Kafka client library the event bus produces and consumes with: kafkajs, or @platformatic/kafka (same guarantees, same contract suite; see ADR 0006 for the measurements behind the default).',
    schema: z.enum(['kafkajs', 'platformatic']),
    default: 'kafkajs',
    expected: 'kafkajs or platformatic',
  }),
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
  KAFKA_CRASH_CHECK_INTERVAL_MS: configVariable({
    description:
      'How often each replica looks for members of its consumer groups whose process is gone (its PostgreSQL session closed: kill -9, OOM kill) and evicts them, so that their partitions move at once rather than after the session timeout (ADR 0092). 0: the session timeout alone.',
    schema: z
      .string()
      .regex(/^\d+$/)
      .transform(Number)
      .pipe(z.int().refine((ms) => ms === 0 || (ms >= 100 && ms <= 60_000), '0, or from 100 to 60000')),
    default: '1000',
    expected: 'milliseconds, 0 or from 100 to 60000',
  }),
  EVENT_LOG_RETENTION_HOURS: configVariable({
    description:
      'In-process event log (no KAFKA_BROKERS): how long a record every consumer group has processed stays in bus.records (a group added later starts with what is kept). Storage: about 1.8 kB per stored message; see docs/architecture.md.',
    schema: z
      .string()
      .regex(/^\d+$/)
      .transform(Number)
      .pipe(
        z
          .int()
          .min(1)
          .max(24 * 30),
      ),
    default: '24',
    expected: 'hours, from 1 to 720',
  }),
  EVENT_LOG_GROUP_RETENTION_DAYS: configVariable({
    description:
      "In-process event log: a consumer group not seen for this long (a service no longer deployed) is forgotten, so that its position no longer holds records back (as Kafka expires an empty group's offsets).",
    schema: z.string().regex(/^\d+$/).transform(Number).pipe(z.int().min(1).max(90)),
    default: '7',
    expected: 'days, from 1 to 90',
  }),
};

/** What `MessagingModule` reads: Kafka when `KAFKA_BROKERS` is set, else the in-process log on `DATABASE_URL`. */
export const MessagingConfig = defineConfig(
  { ...kafkaVariables, ...messagingVariables, DATABASE_URL: databaseVariables.DATABASE_URL },
  'MessagingConfig',
);
