import type { ConversationView } from '@switchboard/contracts';
import { canAct } from '../conversations/conversations.service.js';
import { unreadCount } from '../conversations/read-positions.service.js';
import { originAllowed } from './origin-check.util.js';
import { roleAtLeast } from './role.js';
import { secretTokensEqual } from './secret-token.util.js';
import { readCookie } from './session-cookie.util.js';

describe('inbox access rules', () => {
  it('nests roles: admin ⊇ supervisor ⊇ agent', () => {
    expect(roleAtLeast('admin', 'supervisor')).toBe(true);
    expect(roleAtLeast('supervisor', 'agent')).toBe(true);
    expect(roleAtLeast('agent', 'supervisor')).toBe(false);
    expect(roleAtLeast('supervisor', 'admin')).toBe(false);
  });

  it('lets agents act on their own and unassigned conversations only', () => {
    const conversation = (assigneeId: string | null) => ({ assigneeId }) as ConversationView;
    expect(canAct({ role: 'agent', userId: 'a' }, conversation('a'))).toBe(true);
    expect(canAct({ role: 'agent', userId: 'a' }, conversation(null))).toBe(true);
    expect(canAct({ role: 'agent', userId: 'a' }, conversation('b'))).toBe(false);
    expect(canAct({ role: 'supervisor', userId: 'a' }, conversation('b'))).toBe(true);
  });

  it('accepts the configured origins, or else the request’s own host', () => {
    expect(originAllowed(undefined, 'inbox.test', 'http', undefined)).toBe(true);
    expect(originAllowed('http://inbox.test', 'inbox.test', 'http', undefined)).toBe(true);
    expect(originAllowed('https://inbox.test', 'inbox.test', 'http', undefined)).toBe(true);
    expect(originAllowed('https://evil.test', 'inbox.test', 'http', undefined)).toBe(false);
    expect(originAllowed('https://inbox.test.evil.test', 'inbox.test', 'https', undefined)).toBe(false);
    expect(originAllowed('https://app.test', 'inbox.test', 'http', ['https://app.test'])).toBe(true);
    expect(originAllowed('http://inbox.test', 'inbox.test', 'http', ['https://app.test'])).toBe(false);
  });

  it('counts unread messages from the read position, never below zero', () => {
    expect(unreadCount(7, undefined)).toBe(7);
    expect(unreadCount(7, 5)).toBe(2);
    expect(unreadCount(7, 9)).toBe(0);
  });

  it('reads one cookie and compares tokens in constant time', () => {
    expect(readCookie('a=1; sb_inbox_session=abc%3D; b=2', 'sb_inbox_session')).toBe('abc=');
    expect(readCookie('sb_inbox_session_x=1', 'sb_inbox_session')).toBeUndefined();
    expect(readCookie('sb_inbox_session=%E0%A4%A', 'sb_inbox_session')).toBeUndefined();
    expect(secretTokensEqual('abc', 'abc')).toBe(true);
    expect(secretTokensEqual('abc', 'abd')).toBe(false);
    expect(secretTokensEqual('abc', 'abcd')).toBe(false);
  });
});
