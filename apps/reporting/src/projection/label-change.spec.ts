import { ConversationLabelsChangedV1, CsatSubmittedV1 } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import { labelChangeOf, latestPerConversation } from './label-change.js';

const workspaceId = randomUUID();
const [c1, c2] = [randomUUID(), randomUUID()].sort();
const [vip, billing] = [randomUUID(), randomUUID()];

function changed(conversationId: string, labelIds: string[], changedAt: string) {
  return ConversationLabelsChangedV1.create({
    workspaceId,
    payload: {
      conversationId,
      customerId: randomUUID(),
      labelIds,
      changedBy: { type: 'agent', id: 'a' },
      changedAt,
    },
  });
}

describe('label changes', () => {
  it('reads the whole set of a conversation.labels.changed, and nothing of other events', () => {
    const event = changed(c1!, [vip, billing, vip], '2026-03-02T10:00:00+01:00');
    expect(labelChangeOf(event)).toEqual({
      eventId: event.id,
      workspaceId,
      conversationId: c1,
      labelIds: [vip, billing].sort(),
      changedAt: Date.UTC(2026, 2, 2, 9),
    });
    const rating = CsatSubmittedV1.create({
      workspaceId,
      payload: {
        conversationId: c1!,
        channel: 'web',
        channelAccountId: 'widget',
        sender: { kind: 'web_visitor', address: 'x' },
        rating: 5,
        submittedAt: '2026-03-02T10:00:00Z',
      },
    });
    expect(labelChangeOf(rating)).toBeNull();
  });

  it('keeps the latest change of each conversation, whatever the order, in key order', () => {
    const early = labelChangeOf(changed(c2!, [vip], '2026-03-02T10:00:00Z'))!;
    const late = labelChangeOf(changed(c2!, [], '2026-03-02T10:05:00Z'))!;
    const other = labelChangeOf(changed(c1!, [billing], '2026-03-02T09:00:00Z'))!;
    expect(latestPerConversation([late, early, other, early])).toEqual([other, late]);
    expect(latestPerConversation([early, other, late])).toEqual([other, late]);
    // The same instant: the greater event id, so every member and every replay agree.
    const twin = { ...early, eventId: 'ffffffff-ffff-4fff-bfff-ffffffffffff', labelIds: [billing] };
    expect(latestPerConversation([twin, early])).toEqual([twin]);
    expect(latestPerConversation([early, twin])).toEqual([twin]);
  });
});
