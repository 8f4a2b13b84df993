import { mentionAtCaret, mentions } from './mentions.js';

describe('mentions in internal notes', () => {
  it('finds a colleague named with @, in any case, at a word boundary', () => {
    expect(mentions('@Ann Lee can you take this?', 'Ann Lee')).toBe(true);
    expect(mentions('over to you, @ann lee.', 'Ann Lee')).toBe(true);
    expect(mentions('ask @Anna', 'Ann')).toBe(false);
    expect(mentions('mail ann@Ann', 'Ann')).toBe(false);
    expect(mentions('no mention of Ann here', 'Ann')).toBe(false);
    expect(mentions('@Zoë?', 'Zoë')).toBe(true);
    expect(mentions('@(a.b)', '(a.b)')).toBe(true);
    expect(mentions('@anything', '  ')).toBe(false);
  });

  it('reads the @partial being typed at the caret', () => {
    expect(mentionAtCaret('hello @An', 9)).toEqual({ start: 6, partial: 'An' });
    expect(mentionAtCaret('@', 1)).toEqual({ start: 0, partial: '' });
    expect(mentionAtCaret('mail ann@x', 10)).toBeNull();
    expect(mentionAtCaret('hello @An and more', 9)).toEqual({ start: 6, partial: 'An' });
    expect(mentionAtCaret('no mention', 10)).toBeNull();
  });
});
