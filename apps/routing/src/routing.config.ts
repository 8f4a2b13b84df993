import { configVariable, defineConfig } from '@switchboard/platform';
import { z } from 'zod';

const seconds = (max: number) => z.string().regex(/^\d+$/).transform(Number).pipe(z.int().min(0).max(max));

export const routingVariables = {
  ROUTING_DISCONNECT_GRACE_SECONDS: configVariable({
    description:
      'How long an agent whose inbox connection dropped stays online (taking no new conversations) before ' +
      'routing sets them offline and returns their unanswered conversations to the queue. 0: at once.',
    schema: seconds(3600),
    default: '30',
    expected: 'seconds, 0 to 3600',
  }),
  ROUTING_TRANSFER_WAIT_SECONDS: configVariable({
    description:
      'How long a conversation transferred to a busy agent waits for them before its queue routes it to someone else.',
    schema: seconds(86_400),
    default: '120',
    expected: 'seconds, 0 to 86400',
  }),
  ROUTING_BOT_REPLY_SECONDS: configVariable({
    description:
      'How long the answer bot may leave a customer message unanswered in a conversation it holds before ' +
      'routing hands the conversation to agents itself (reason bot_timeout): a stopped or stuck bot leaves ' +
      'a customer waiting at most this long.',
    schema: z.string().regex(/^\d+$/).transform(Number).pipe(z.int().min(1).max(3600)),
    default: '30',
    expected: 'seconds, 1 to 3600',
  }),
  ROUTING_JOURNAL_RETENTION_HOURS: configVariable({
    description:
      'How long routing keeps journal entries it has applied. They only serve to drop an event Kafka ' +
      'redelivers (after a crash between journaling and committing the offset), so hours are plenty.',
    schema: z.string().regex(/^\d+$/).transform(Number).pipe(z.int().min(1).max(8760)),
    default: '24',
    expected: 'hours, 1 to 8760',
  }),
};

/** What the routing service reads from the app's config. */
export const RoutingConfig = defineConfig(routingVariables, 'RoutingConfig');
