import { randomUUID } from 'node:crypto';
import { allEventDefinitions, eventKey, findEventDefinition } from './index.js';
import { InboundMessageReceivedV1 } from './events/inbound-message-received.event.js';
import { OutboundMessageRequestedV1 } from './events/outbound-message-requested.event.js';

describe('event contracts', () => {
  it('registers every definition once, by type and version', () => {
    const keys = allEventDefinitions.map((d) => eventKey(d.type, d.version));
    expect(new Set(keys).size).toBe(keys.length);
    for (const d of allEventDefinitions) expect(findEventDefinition(d.type, d.version)).toBe(d);
    expect(findEventDefinition('inbound.message.received', 2)).toBeUndefined();
  });

  it('validates payloads when an event is created, naming the bad field', () => {
    expect(() =>
      InboundMessageReceivedV1.create({
        workspaceId: randomUUID(),
        payload: { channel: 'fax' } as never,
      }),
    ).toThrow(/channel/);
  });

  it('fills the envelope: id, correlation id defaulting to it, timestamp', () => {
    const event = OutboundMessageRequestedV1.create({
      workspaceId: randomUUID(),
      payload: {
        idempotencyKey: 'reply-1',
        conversationId: randomUUID(),
        text: 'On its way!',
        internalNote: false,
        attachments: [],
        sender: { type: 'agent', id: 'a1' },
      },
    });
    expect(event.type).toBe('outbound.message.requested');
    expect(event.version).toBe(1);
    expect(event.correlationId).toBe(event.id);
    expect(Date.parse(event.occurredAt)).not.toBeNaN();
  });

  it('refuses an outbound request with neither text nor attachment, or without a target', () => {
    const base = {
      idempotencyKey: 'k',
      internalNote: false,
      attachments: [],
      sender: { type: 'bot' as const },
    };
    expect(() =>
      OutboundMessageRequestedV1.create({
        workspaceId: randomUUID(),
        payload: { ...base, text: '', customerId: randomUUID() },
      }),
    ).toThrow(/text or an attachment/);
    expect(() =>
      OutboundMessageRequestedV1.create({ workspaceId: randomUUID(), payload: { ...base, text: 'hi' } }),
    ).toThrow(/customerId or conversationId/);
  });
});
