import { ConversationHolders, EVERYONE, SUPERVISORS, unionOf } from './live-audience.js';

describe('live audience', () => {
  const t = (s: number) => new Date(Date.UTC(2026, 11, 5, 12, 0, s)).toISOString();

  it('knows nobody until a decision or a lookup; a lookup never overrides a decision', () => {
    const holders = new ConversationHolders();
    expect(holders.audienceOf('c')).toBeUndefined();
    holders.assigned('c', 'ada', t(1));
    holders.learn('c', null);
    expect(holders.audienceOf('c')).toEqual({ kind: 'holders', userIds: ['ada'] });
    holders.learn('d', null);
    expect(holders.audienceOf('d')).toBe(EVERYONE);
  });

  it('orders decisions by their time, as history does: a late older one changes nothing', () => {
    const holders = new ConversationHolders();
    holders.assigned('c', 'ada', t(5));
    holders.assigned('c', 'bob', t(3));
    expect(holders.holderOf('c')).toBe('ada');
    holders.unassigned('c', 'ada', t(4));
    expect(holders.holderOf('c')).toBe('ada');
    holders.unassigned('c', 'ada', t(6));
    expect(holders.holderOf('c')).toBeNull();
  });

  it("clears, at the same instant, only the agent's own assignment (a transfer's two steps)", () => {
    const holders = new ConversationHolders();
    holders.assigned('c', 'bob', t(5));
    holders.unassigned('c', 'ada', t(5));
    expect(holders.holderOf('c')).toBe('bob');
    holders.unassigned('c', 'bob', t(5));
    expect(holders.holderOf('c')).toBeNull();
  });

  it('joins audiences: everyone wins, holders add up', () => {
    expect(unionOf(SUPERVISORS, EVERYONE)).toBe(EVERYONE);
    expect(unionOf({ kind: 'holders', userIds: ['a'] }, { kind: 'holders', userIds: ['b', 'a'] })).toEqual({
      kind: 'holders',
      userIds: ['a', 'b'],
    });
  });
});
