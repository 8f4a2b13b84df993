import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as contracts from './index.js';
import {
  allEventDefinitions,
  allTopics,
  CsatSubmittedV1,
  eventKey,
  findEventDefinition,
  IdentityOptOutChangedV1,
  ParticipantActivityV1,
  Topics,
} from './index.js';
import { InboundMessageReceivedV1 } from './events/inbound-message-received.event.js';
import { OutboundMessageRequestedV1 } from './events/outbound-message-requested.event.js';

describe('event contracts', () => {
  it('registers every definition once, by type and version', () => {
    const keys = allEventDefinitions.map((d) => eventKey(d.type, d.version));
    expect(new Set(keys).size).toBe(keys.length);
    for (const d of allEventDefinitions) expect(findEventDefinition(d.type, d.version)).toBe(d);
    expect(findEventDefinition('inbound.message.received', 2)).toBeUndefined();
  });

  it('names a topic for every definition; inbound events keyed by the sender, the rest by workspace', () => {
    for (const d of allEventDefinitions) expect(allTopics).toContain(d.topic);
    const workspaceId = randomUUID();
    const sender = { kind: 'phone' as const, address: '+15551230003' };
    const inbound = InboundMessageReceivedV1.create({
      workspaceId,
      payload: {
        channel: 'sms',
        channelAccountId: 'a',
        providerMessageId: 'SM1',
        sender: { ...sender, verified: true },
        text: 'hi',
        attachments: [],
        receivedAt: new Date().toISOString(),
      },
    });
    const optOut = IdentityOptOutChangedV1.create({
      workspaceId,
      payload: {
        channel: 'sms',
        channelAccountId: 'a',
        identity: sender,
        optedOut: true,
        keyword: 'STOP',
        providerMessageId: 'SM2',
        changedAt: new Date().toISOString(),
      },
    });
    const csat = CsatSubmittedV1.create({
      workspaceId,
      payload: {
        conversationId: randomUUID(),
        channel: 'web',
        channelAccountId: 'w',
        sender,
        rating: 5,
        submittedAt: new Date().toISOString(),
      },
    });
    for (const [definition, event] of [
      [InboundMessageReceivedV1, inbound],
      [IdentityOptOutChangedV1, optOut],
      [CsatSubmittedV1, csat],
    ] as const) {
      expect(definition.topic).toBe(Topics.inbound);
      expect((definition.keyOf as (e: typeof event) => string)(event)).toBe('+15551230003');
    }
    const typing = ParticipantActivityV1.create({
      workspaceId,
      payload: {
        conversationId: randomUUID(),
        customerId: randomUUID(),
        participant: { type: 'agent', id: 'a1' },
        activity: 'typing',
        at: new Date().toISOString(),
      },
    });
    expect(ParticipantActivityV1.topic).toBe(Topics.activity);
    expect(ParticipantActivityV1.keyOf(typing)).toBe(workspaceId);
  });

  it("is listed whole in docs/architecture.md's table of events, each event in its topic's row", () => {
    const page = readFileSync(
      fileURLToPath(new URL('../../../docs/architecture.md', import.meta.url)),
      'utf8',
    );
    const table = page.split('The events, by topic:')[1]!.split('\n\n')[1]!;
    const rows = new Map(
      table.split('\n').flatMap((line) => {
        const cells = /^\|\s*`([a-z-]+)`\s*\|([^|]*)\|/.exec(line);
        return cells ? [[cells[1]!, cells[2]!] as const] : [];
      }),
    );
    const named = Object.entries(contracts).filter(([, value]) =>
      (allEventDefinitions as readonly unknown[]).includes(value),
    ) as [string, (typeof allEventDefinitions)[number]][];
    expect(named).toHaveLength(allEventDefinitions.length);
    for (const [name, definition] of named) {
      expect({
        name,
        row: rows.get(definition.topic.replace(/^switchboard\./, ''))?.includes(`\`${name}\``),
      }).toEqual({ name, row: true });
    }
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
    ).toThrow(/text, an attachment or a template/);
    expect(() =>
      OutboundMessageRequestedV1.create({ workspaceId: randomUUID(), payload: { ...base, text: 'hi' } }),
    ).toThrow(/customerId or conversationId/);
  });
});
