import { z } from 'zod';
import { defineEvent, type EventOf, type PayloadOf } from '../event-definition.js';
import { Topics } from '../topics.js';

/** At most this many conversation ids per event (about 200 KB). */
export const ERASED_CONVERSATIONS_PER_EVENT = 5_000;

/**
 * A customer was erased (history's `eraseCustomer`, GDPR art. 17): their content is gone from
 * history, their conversation and message rows kept for counts. Stores that hold anything of theirs
 * drop or anonymise it (reporting: ADR 0107). Keyed by workspace, after the status changes the
 * erasure made. `conversationIds` lists the customer's conversations at that moment; a customer with
 * more than ERASED_CONVERSATIONS_PER_EVENT gets several events (a record stays under Kafka's 1 MB).
 */
export const CustomerErasedV1 = defineEvent(
  'customer.erased',
  1,
  z.object({
    customerId: z.uuid(),
    conversationIds: z.array(z.uuid()).max(ERASED_CONVERSATIONS_PER_EVENT),
    erasedAt: z.iso.datetime({ offset: true }),
  }),
  { topic: Topics.conversations },
);
export type CustomerErasedV1 = EventOf<typeof CustomerErasedV1>;
export type CustomerErasedV1Payload = PayloadOf<typeof CustomerErasedV1>;
