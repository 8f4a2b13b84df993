import { SnoozedConversations } from './snoozed-conversations.js';

describe('SnoozedConversations', () => {
  it('takes every conversation for maybe snoozed until the table was read after LISTEN', () => {
    const snoozed = new SnoozedConversations();
    expect(snoozed.mayBeSnoozed('c1')).toBe(true);
    const read = snoozed.reading();
    expect(snoozed.mayBeSnoozed('c1')).toBe(true);
    snoozed.read(read, ['c2']);
    expect(snoozed.mayBeSnoozed('c1')).toBe(false);
    expect(snoozed.mayBeSnoozed('c2')).toBe(true);
  });

  it('follows snoozes made and deleted from their notifications', () => {
    const snoozed = new SnoozedConversations();
    snoozed.read(snoozed.reading(), []);
    snoozed.notified('+c1');
    expect(snoozed.mayBeSnoozed('c1')).toBe(true);
    snoozed.notified('-c1');
    expect(snoozed.mayBeSnoozed('c1')).toBe(false);
  });

  it('keeps a snooze notified during the read, which the read may not have seen, and distrusts deletions then', () => {
    const snoozed = new SnoozedConversations();
    snoozed.read(snoozed.reading(), ['old']);
    const read = snoozed.reading();
    snoozed.notified('+new');
    // Deleted after the read's snapshot was taken, or before: the read's answer cannot tell.
    snoozed.notified('-old');
    snoozed.read(read, ['old']);
    expect(snoozed.mayBeSnoozed('new')).toBe(true);
    expect(snoozed.mayBeSnoozed('old')).toBe(true);
    expect(snoozed.mayBeSnoozed('other')).toBe(false);
  });

  it('knows nothing once LISTEN is lost, and ignores a read that began before', () => {
    const snoozed = new SnoozedConversations();
    snoozed.read(snoozed.reading(), []);
    const read = snoozed.reading();
    snoozed.lost();
    snoozed.read(read, []);
    expect(snoozed.mayBeSnoozed('c1')).toBe(true);
    // A later read supersedes an earlier one still under way.
    const first = snoozed.reading();
    const second = snoozed.reading();
    snoozed.read(first, []);
    expect(snoozed.mayBeSnoozed('c1')).toBe(true);
    snoozed.read(second, ['c2']);
    expect(snoozed.mayBeSnoozed('c1')).toBe(false);
  });
});
