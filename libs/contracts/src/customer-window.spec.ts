import { decideWindow } from './customer-window.js';

const HOUR = 60 * 60 * 1000;
const now = new Date('2026-12-05T12:00:00Z');
const ago = (hours: number) => new Date(now.getTime() - hours * HOUR);

describe('decideWindow', () => {
  it('lets any channel reply freely within 24 hours of the customer’s last message', () => {
    for (const channel of ['whatsapp', 'messenger', 'instagram'] as const)
      expect(decideWindow(channel, ago(23.9), now, { humanAgentTag: false })).toEqual({
        kind: 'open',
        closesAt: new Date(ago(23.9).getTime() + 24 * HOUR),
      });
  });

  it('allows WhatsApp only templates after 24 hours, and before the customer ever wrote', () => {
    expect(decideWindow('whatsapp', ago(24), now, { humanAgentTag: true }).kind).toBe('template_only');
    expect(decideWindow('whatsapp', null, now, { humanAgentTag: false }).kind).toBe('template_only');
  });

  it('uses the HUMAN_AGENT tag on Messenger and Instagram up to 7 days where the page has it, and refuses after', () => {
    expect(decideWindow('messenger', ago(30), now, { humanAgentTag: true }).kind).toBe('human_agent');
    expect(decideWindow('instagram', ago(7 * 24 - 1), now, { humanAgentTag: true }).kind).toBe('human_agent');
    const late = decideWindow('messenger', ago(7 * 24 + 1), now, { humanAgentTag: true });
    expect(late).toMatchObject({ kind: 'closed', code: 'window_closed' });
    const untagged = decideWindow('instagram', ago(30), now, { humanAgentTag: false });
    expect(untagged).toMatchObject({ kind: 'closed', message: expect.stringContaining('human agent tag') });
    expect(decideWindow('messenger', null, now, { humanAgentTag: true }).kind).toBe('closed');
  });

  it('has no window on Telegram', () => {
    expect(decideWindow('telegram', null, now, { humanAgentTag: false }).kind).toBe('open');
  });
});
