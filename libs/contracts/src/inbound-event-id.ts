import { createHash } from 'node:crypto';

/** The namespace of inbound messages' event ids (a random UUID, fixed forever: ids must not change). */
const INBOUND_NAMESPACE = Buffer.from('6f1c2d0a9b3e4c7f8a215d6e0b94c3a7', 'hex');

/**
 * The id of the `InboundMessageReceivedV1` a provider's message becomes: a name-based UUID
 * (version 5, RFC 9562) of the channel account and the provider's message id. A provider's retry
 * of a webhook published again carries the same event id, so every consumer's dedupe by event id
 * (and history's by the same natural key) makes it one message (ADR 0036).
 */
export function inboundEventId(channelAccountId: string, providerMessageId: string): string {
  const hash = createHash('sha1')
    .update(INBOUND_NAMESPACE)
    .update(`${channelAccountId}\u0000${providerMessageId}`, 'utf8')
    .digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
