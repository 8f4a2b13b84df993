import { randomUUID } from 'node:crypto';
import {
  BotHoldChangedV1,
  ConversationAssignedV1,
  ConversationLabelsChangedV1,
  ConversationMessageAppendedV1,
  ConversationStatusChangedV1,
  ConversationUnassignedV1,
  type MessageSender,
} from '@switchboard/contracts';
import { factOf } from '../projection/fact.js';
import { labelChangeOf } from '../projection/label-change.js';
import { isErasure, isLabelChange, replayedFact } from './replayed-fact.js';

const workspaceId = randomUUID();
const conversationId = randomUUID();
const customerId = randomUUID();
const at = '2026-03-02T09:15:00.123Z';

function appended(
  messageId: string,
  sequence: number,
  direction: 'in' | 'out' | 'note',
  sender: MessageSender,
) {
  return ConversationMessageAppendedV1.create({
    workspaceId,
    payload: {
      conversationId,
      customerId,
      messageId,
      sequence,
      direction,
      channel: 'sms',
      channelAccountId: null,
      text: 'hello',
      attachments: [],
      sender,
      createdAt: at,
      openedConversation: sequence === 1,
    },
  });
}

/** A record as history replays it: the same fact as its live event, under the same key (ADR 0106). */
describe('history’s records as facts', () => {
  it('makes a message the fact its live event makes, keyed by the message id', () => {
    const cases: [number, 'in' | 'out' | 'note', MessageSender][] = [
      [1, 'in', { type: 'customer' }],
      [2, 'out', { type: 'agent', id: 'agent-a' }],
      [3, 'out', { type: 'bot', id: 'article:1' }],
      [4, 'out', { type: 'integrator' }],
      [5, 'note', { type: 'agent', id: 'agent-a' }],
      [6, 'in', { type: 'customer' }],
    ];
    for (const [sequence, direction, sender] of cases) {
      const messageId = randomUUID();
      const live = factOf(appended(messageId, sequence, direction, sender));
      const replayed = replayedFact(workspaceId, {
        kind: 'message',
        id: messageId,
        conversationId,
        at,
        sequence,
        direction,
        channel: 'sms',
        sender: { type: sender.type, id: sender.id ?? null },
      });
      expect(replayed).toEqual(live);
      if (live !== null) expect(live).toMatchObject({ eventId: messageId });
    }
  });

  it('makes a status change, an assignment, an unassignment and a hold the facts their events make', () => {
    const status = ConversationStatusChangedV1.create({
      workspaceId,
      payload: {
        conversationId,
        customerId,
        status: 'open',
        previousStatus: 'resolved',
        changedBy: { type: 'agent', id: 'agent-a' },
        changedAt: at,
        cause: 'merge',
      },
    });
    expect(
      replayedFact(workspaceId, {
        kind: 'status',
        id: status.id,
        conversationId,
        at,
        status: 'open',
        previousStatus: 'resolved',
        changedBy: { type: 'agent', id: 'agent-a' },
        cause: 'merge',
      }),
    ).toEqual(factOf(status));

    for (const mode of ['assign', 'offer'] as const) {
      const assigned = ConversationAssignedV1.create({
        workspaceId,
        payload: {
          conversationId,
          queueId: 'billing',
          agentId: 'agent-b',
          mode,
          assignedAt: at,
          explanation: { step: null, reason: 'transfer', candidates: [] },
        },
      });
      expect(
        replayedFact(workspaceId, {
          kind: 'assignment',
          id: assigned.id,
          conversationId,
          at,
          agentId: 'agent-b',
          queueId: 'billing',
          mode,
        }),
      ).toEqual(factOf(assigned));
    }

    const unassigned = ConversationUnassignedV1.create({
      workspaceId,
      payload: { conversationId, agentId: 'agent-b', queueId: null, reason: 'agent_away', unassignedAt: at },
    });
    expect(
      replayedFact(workspaceId, {
        kind: 'assignment',
        id: unassigned.id,
        conversationId,
        at,
        agentId: 'agent-b',
        queueId: null,
        mode: 'unassign',
      }),
    ).toEqual(factOf(unassigned));

    const hold = BotHoldChangedV1.create({
      workspaceId,
      payload: {
        conversationId,
        customerId,
        channel: 'sms',
        held: false,
        reason: 'asked_for_person',
        agentId: null,
        changedAt: at,
      },
    });
    expect(
      replayedFact(workspaceId, {
        kind: 'bot_hold',
        id: hold.id,
        conversationId,
        at,
        held: false,
        reason: 'asked_for_person',
      }),
    ).toEqual(factOf(hold));
  });

  it('keys a rating by its conversation, and reads an erasure as the erasure event does', () => {
    expect(
      replayedFact(workspaceId, { kind: 'csat', id: conversationId, conversationId, at, rating: 4 }),
    ).toEqual({
      eventId: conversationId,
      workspaceId,
      conversationId,
      at: Date.parse(at),
      data: { kind: 'csat', rating: 4 },
    });
    expect(
      replayedFact(workspaceId, {
        kind: 'erasure',
        id: randomUUID(),
        at,
        customerId,
        conversationIds: [conversationId],
      }),
    ).toEqual({ workspaceId, conversationIds: [conversationId], erasedAt: at });
  });

  it('makes a label change the change its event makes, under its event id (ADR 0118)', () => {
    const [billing, vip] = [randomUUID(), randomUUID()];
    const changed = ConversationLabelsChangedV1.create({
      workspaceId,
      payload: {
        conversationId,
        customerId,
        labelIds: [vip, billing, vip],
        changedBy: { type: 'agent', id: 'agent-a' },
        changedAt: at,
      },
    });
    const replayed = replayedFact(workspaceId, {
      kind: 'labels',
      id: changed.id,
      conversationId,
      at,
      labelIds: [vip, billing],
    });
    expect(replayed).toEqual(labelChangeOf(changed));
    expect(replayed).toMatchObject({ eventId: changed.id, changedAt: Date.parse(at) });
    expect(replayed !== null && isLabelChange(replayed) && !isErasure(replayed)).toBe(true);
    const taken = replayedFact(workspaceId, {
      kind: 'labels',
      id: randomUUID(),
      conversationId,
      at,
      labelIds: [],
    });
    expect(taken).toMatchObject({ labelIds: [] });
  });
});
