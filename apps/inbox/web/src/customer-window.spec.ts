import { windowNotice } from './customer-window.js';

const HOUR = 60 * 60 * 1000;
const now = Date.parse('2026-12-05T12:00:00Z');
const inbound = (channel: 'whatsapp' | 'messenger' | 'sms', hoursAgo: number) => ({
  direction: 'in' as const,
  channel,
  createdAt: new Date(now - hoursAgo * HOUR).toISOString(),
});

describe('windowNotice', () => {
  it('counts down 24 hours from the customer’s last message on that channel, whatever we sent since', () => {
    const messages = [
      inbound('whatsapp', 30),
      inbound('whatsapp', 2.5),
      { direction: 'out' as const, channel: 'whatsapp' as const, createdAt: new Date(now).toISOString() },
    ];
    expect(windowNotice('whatsapp', messages, now)).toEqual({
      open: true,
      text: expect.stringMatching(/open for 21 h 30 min/),
    });
  });

  it('says WhatsApp takes only templates once closed, and Messenger only the human agent tag', () => {
    expect(windowNotice('whatsapp', [inbound('whatsapp', 24), inbound('sms', 1)], now)).toEqual({
      open: false,
      text: expect.stringMatching(/only an approved template/),
    });
    expect(windowNotice('messenger', [], now)?.text).toMatch(/human agent tag/);
  });

  it('has nothing to say on channels without a window', () => {
    expect(windowNotice('sms', [inbound('sms', 100)], now)).toBeNull();
    expect(windowNotice('telegram', [], now)).toBeNull();
    expect(windowNotice(null, [], now)).toBeNull();
  });
});
