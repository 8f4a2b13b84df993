import { z } from 'zod';
import { attachmentSchema, channelSchema, identityKindSchema, messageTextSchema } from '../channels.js';
import { defineEvent, type EventOf, type PayloadOf } from '../event-definition.js';
import { Topics } from '../topics.js';

/** A customer's message, normalized by a channel adapter. Keyed by the sender's address. */
export const InboundMessageReceivedV1 = defineEvent(
  'inbound.message.received',
  1,
  z.object({
    channel: channelSchema,
    channelAccountId: z.string().min(1).max(200),
    /** The provider's id for this message (Twilio MessageSid, Meta mid/wamid, …): the dedupe key. */
    providerMessageId: z.string().min(1).max(500),
    sender: z.object({
      kind: identityKindSchema,
      /** Normalized address: E.164 for phones, lower-cased email, platform id otherwise. */
      address: z.string().min(1).max(500),
      /** True only when the channel itself proves the address (a phone number Twilio delivered from, a signed web user). */
      verified: z.boolean(),
      displayName: z.string().max(200).optional(),
      /**
       * Other addresses the channel knows for this sender: a signed web user's email or phone (the
       * site vouches for them: verified), a pre-chat form's email (typed by the visitor: not
       * verified). Verified ones link customers; unverified ones only ever suggest a merge.
       */
      identities: z
        .array(
          z.object({ kind: identityKindSchema, address: z.string().min(1).max(500), verified: z.boolean() }),
        )
        .max(10)
        .optional(),
    }),
    text: messageTextSchema.nullable(),
    attachments: z.array(attachmentSchema).max(20).default([]),
    receivedAt: z.iso.datetime({ offset: true }),
    /** Routing hints the channel knows: language, a queue named by a bot, page or bot ids. */
    hints: z.record(z.string().max(100), z.string().max(500)).optional(),
  }),
  { topic: Topics.inbound, key: (payload) => payload.sender.address },
);
export type InboundMessageReceivedV1 = EventOf<typeof InboundMessageReceivedV1>;
export type InboundMessageReceivedV1Payload = PayloadOf<typeof InboundMessageReceivedV1>;
