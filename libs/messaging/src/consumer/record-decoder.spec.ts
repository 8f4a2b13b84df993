import { ConversationAssignedV1, type EventEnvelope, InboundMessageReceivedV1 } from '@switchboard/contracts';
import { inboundMessageEvent, workspaceEvent } from '@switchboard/testing';
import type { RawRecord } from '../dead-letter.js';
import { EVENT_TYPE_HEADER } from '../record-headers.js';
import { RecordDecoder } from './record-decoder.js';

const inbound = 'inbound.message.received@1';
const assigned = 'conversation.assigned@1';

function record(value: string | object, headers?: RawRecord['headers']): RawRecord {
  return {
    topic: 'inbound',
    partition: 3,
    offset: '42',
    key: 'k',
    value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    headers,
  };
}

const assignment = (): EventEnvelope =>
  workspaceEvent('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-0000000000c1', 1);

describe('RecordDecoder', () => {
  const decoder = new RecordDecoder([InboundMessageReceivedV1]);

  it('decodes an accepted record named by its type header as it decodes one without the header', () => {
    const event = inboundMessageEvent();
    const named = decoder.decode(record(event, { [EVENT_TYPE_HEADER]: Buffer.from(inbound) }));
    const unnamed = decoder.decode(record(event));
    expect(named).toEqual({
      kind: 'event',
      consumed: { event, topic: 'inbound', partition: 3, offset: '42', key: 'k' },
    });
    expect(unnamed).toEqual(named);
  });

  it('reads the header as a string (@platformatic/kafka) as well as a buffer (kafkajs)', () => {
    const event = inboundMessageEvent();
    expect(decoder.decode(record(event, { [EVENT_TYPE_HEADER]: inbound })).kind).toBe('event');
  });

  it('skips a record whose header names a known type it does not accept, without reading it', () => {
    expect(decoder.decode(record('not json at all', { [EVENT_TYPE_HEADER]: assigned }))).toEqual({
      kind: 'skip',
    });
  });

  it('skips an unaccepted valid event without the header after reading it, as before', () => {
    expect(decoder.decode(record(assignment()))).toEqual({ kind: 'skip' });
    expect(decoder.decode(record('not json'))).toMatchObject({ kind: 'reject', reason: 'unparseable' });
  });

  it('rejects an accepted type that fails validation the same way with or without the header', () => {
    const event = inboundMessageEvent();
    const broken = { ...event, payload: { ...event.payload, channel: 'pigeon' } };
    const named = decoder.decode(record(broken, { [EVENT_TYPE_HEADER]: inbound }));
    expect(named).toMatchObject({ kind: 'reject', reason: 'invalid' });
    expect(named).toEqual(decoder.decode(record(broken)));
    expect(decoder.decode(record('{', { [EVENT_TYPE_HEADER]: inbound }))).toMatchObject({
      kind: 'reject',
      reason: 'unparseable',
    });
  });

  it('goes by the body when the header names another accepted type than the body is', () => {
    const both = new RecordDecoder([InboundMessageReceivedV1, ConversationAssignedV1]);
    const event = assignment();
    const result = both.decode(record(event, { [EVENT_TYPE_HEADER]: inbound }));
    expect(result).toMatchObject({ kind: 'event', consumed: { event: { id: event.id, type: event.type } } });
  });

  it('decodes in full a record whose header names a type unknown here', () => {
    const event = inboundMessageEvent();
    expect(decoder.decode(record(event, { [EVENT_TYPE_HEADER]: 'inbound.message.received@9' })).kind).toBe(
      'event',
    );
    expect(
      decoder.decode(record({ ...event, version: 9 }, { [EVENT_TYPE_HEADER]: 'inbound.message.received@9' })),
    ).toMatchObject({ kind: 'reject', reason: 'unknown-type' });
  });
});
