import { inboundMessageEvent, workspaceEvent } from '@switchboard/testing';
import type { OutgoingEvent } from './event-bus.js';
import { EVENT_TYPE_HEADER, recordHeadersOf } from './record-headers.js';

const outgoing = (event: OutgoingEvent['event'], trace?: OutgoingEvent['trace']): OutgoingEvent => ({
  topic: 'inbound',
  key: 'k',
  event,
  ...(trace ? { trace } : {}),
});

describe('recordHeadersOf', () => {
  it('gives every untraced record of one type and version the same frozen headers, naming it', () => {
    const first = recordHeadersOf(outgoing(inboundMessageEvent()));
    const second = recordHeadersOf(outgoing(inboundMessageEvent()));
    expect(first).toEqual({ [EVENT_TYPE_HEADER]: 'inbound.message.received@1' });
    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    // Shared, so nobody may change it for the others.
    expect(() => {
      (first as Record<string, string>)[EVENT_TYPE_HEADER] = 'other@1';
    }).toThrow(TypeError);
  });

  it('keeps types and versions apart', () => {
    const assigned = workspaceEvent(
      '00000000-0000-4000-8000-000000000001',
      '00000000-0000-4000-8000-0000000000c1',
      1,
    );
    const inbound = inboundMessageEvent();
    expect(recordHeadersOf(outgoing(assigned))).toEqual({ [EVENT_TYPE_HEADER]: 'conversation.assigned@1' });
    expect(recordHeadersOf(outgoing({ ...inbound, version: 2 }))).toEqual({
      [EVENT_TYPE_HEADER]: 'inbound.message.received@2',
    });
    expect(recordHeadersOf(outgoing(inbound))).toEqual({ [EVENT_TYPE_HEADER]: 'inbound.message.received@1' });
  });

  it('gives a traced record headers of its own, its trace context beside its type', () => {
    const trace = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
    const headers = recordHeadersOf(outgoing(inboundMessageEvent(), trace));
    expect(headers).toEqual({ ...trace, [EVENT_TYPE_HEADER]: 'inbound.message.received@1' });
    expect(Object.isFrozen(headers)).toBe(false);
    expect(recordHeadersOf(outgoing(inboundMessageEvent(), trace))).not.toBe(headers);
  });
});
