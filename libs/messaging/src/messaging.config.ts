import { configVariable, databaseVariables, defineConfig, kafkaVariables } from '@switchboard/platform';
import { z } from 'zod';

export const messagingVariables = {
  KAFKA_SESSION_TIMEOUT_MS: configVariable({
    description:
      'How long a consumer that stopped heartbeating (a crashed pod) keeps its partitions before Kafka hands them to another replica.',
    schema: z.string().regex(/^\d+$/).transform(Number).pipe(z.int().min(6_000).max(300_000)),
    default: '30000',
    expected: 'milliseconds, from 6000 to 300000',
  }),
};

/** What `MessagingModule` reads: Kafka when `KAFKA_BROKERS` is set, else the in-process log on `DATABASE_URL`. */
export const MessagingConfig = defineConfig(
  { ...kafkaVariables, ...messagingVariables, DATABASE_URL: databaseVariables.DATABASE_URL },
  'MessagingConfig',
);
