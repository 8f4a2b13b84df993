import { z } from 'zod';
import { channelSchema, identityKindSchema } from '../channels.js';
import { defineEvent, type EventOf, type PayloadOf } from '../event-definition.js';
import { Topics } from '../topics.js';

/**
 * A customer opted out of (STOP) or back into (START) messages on a channel address. Published by
 * the channel adapter on the inbound topic, keyed by the address like the customer's messages, so
 * it is seen in order with the message that carried the keyword. The adapter enforces it on
 * outbound; history and the inbox show it.
 */
export const IdentityOptOutChangedV1 = defineEvent(
  'identity.opt-out.changed',
  1,
  z.object({
    channel: channelSchema,
    channelAccountId: z.string().min(1).max(200),
    identity: z.object({ kind: identityKindSchema, address: z.string().min(1).max(500) }),
    optedOut: z.boolean(),
    /** The keyword that did it (STOP, START, …), as the customer sent it. */
    keyword: z.string().min(1).max(50),
    /** The inbound message that carried the keyword. */
    providerMessageId: z.string().min(1).max(500),
    changedAt: z.iso.datetime({ offset: true }),
  }),
  { topic: Topics.inbound, key: (payload) => payload.identity.address },
);
export type IdentityOptOutChangedV1 = EventOf<typeof IdentityOptOutChangedV1>;
export type IdentityOptOutChangedV1Payload = PayloadOf<typeof IdentityOptOutChangedV1>;
