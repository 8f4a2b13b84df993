import { z } from 'zod';
import { defineEvent, type EventOf, type PayloadOf } from '../event-definition.js';
import { Topics } from '../topics.js';
import { messageSenderSchema } from './conversation-message-appended.event.js';

/**
 * A customer's labels changed (history, ADR 0117): the whole set now on it. `cause: 'merge'`: a
 * merge gave the survivor the source's labels, or its undo took back those it had gained; absent,
 * someone set them. Ids only. Keyed by workspace, on `conversations`.
 */
export const CustomerLabelsChangedV1 = defineEvent(
  'customer.labels.changed',
  1,
  z.object({
    customerId: z.uuid(),
    labelIds: z.array(z.uuid()).max(200),
    changedBy: messageSenderSchema,
    changedAt: z.iso.datetime({ offset: true }),
    cause: z.enum(['merge']).optional(),
  }),
  { topic: Topics.conversations },
);
export type CustomerLabelsChangedV1 = EventOf<typeof CustomerLabelsChangedV1>;
export type CustomerLabelsChangedV1Payload = PayloadOf<typeof CustomerLabelsChangedV1>;
