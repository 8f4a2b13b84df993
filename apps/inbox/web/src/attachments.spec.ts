import { MMS_CONTENT_TYPES, SOCIAL_CHANNEL_LIMITS } from '@switchboard/contracts';
import {
  SMS_ATTACHMENT_TYPES,
  SOCIAL_LIMITS,
  agentAttachmentUrl,
  channelAttachmentProblem,
} from './attachments.js';

describe('agentAttachmentUrl', () => {
  it("opens agents' files by id and customers' files by key, and nothing else", () => {
    const ws = '00000000-0000-4000-8000-000000000001';
    const id = '6f1c2a4e-9b1d-4c3e-8f2a-1b2c3d4e5f60';
    expect(agentAttachmentUrl(`inbox/${ws}/${id}`)).toBe(`/api/inbox/attachments/${id}`);
    expect(agentAttachmentUrl(`web/${ws}/${id}`, 'a b.png')).toBe(
      `/api/inbox/attachments/customer?key=web%2F${ws}%2F${id}&name=a%20b.png`,
    );
    expect(agentAttachmentUrl(`sms-media/${ws}/${id}`)).toBe(
      `/api/inbox/attachments/customer?key=sms-media%2F${ws}%2F${id}`,
    );
    expect(agentAttachmentUrl(`sms-media/${id}`)).toBe(
      `/api/inbox/attachments/customer?key=sms-media%2F${id}`,
    );
    expect(agentAttachmentUrl(`inbox/${ws}/${id}/../../x`)).toBeNull();
    expect(agentAttachmentUrl(`web/${ws}/${id}/../x`)).toBeNull();
    expect(agentAttachmentUrl(`elsewhere/${ws}/${id}`)).toBeNull();
  });
});

describe('channelAttachmentProblem', () => {
  const png = { contentType: 'image/png', sizeBytes: 200_000, fileName: 'map.png' };
  const webp = { contentType: 'image/webp', sizeBytes: 50_000, fileName: 'sticker.webp' };

  it('names a file MMS cannot carry, and lets the web channel or a note take it', () => {
    expect(channelAttachmentProblem('sms', [png, webp])).toMatch(/^sticker\.webp can't go by SMS/);
    expect(channelAttachmentProblem('web', [png, webp])).toBeNull();
    expect(channelAttachmentProblem(null, [webp])).toBeNull();
    expect(channelAttachmentProblem('sms', [png])).toBeNull();
    expect(channelAttachmentProblem('sms', [])).toBeNull();
  });

  it("stops at Twilio's 5 MB for a whole MMS", () => {
    const photo = { contentType: 'image/jpeg', sizeBytes: 3_000_000, fileName: null };
    expect(channelAttachmentProblem('sms', [photo])).toBeNull();
    expect(channelAttachmentProblem('sms', [photo, photo])).toMatch(/at most 5 MB.*6\.0 MB/);
  });

  it('matches what the SMS channel sends', () => {
    expect([...SMS_ATTACHMENT_TYPES].sort()).toEqual([...MMS_CONTENT_TYPES].sort());
  });
});

describe('channelAttachmentProblem on the social channels', () => {
  it('knows the limits channel-social enforces', () => {
    for (const channel of ['whatsapp', 'messenger', 'instagram', 'telegram'] as const) {
      expect(SOCIAL_LIMITS[channel].maxTextLength).toBe(SOCIAL_CHANNEL_LIMITS[channel].maxTextLength);
      expect(SOCIAL_LIMITS[channel].maxFileBytes).toBe(SOCIAL_CHANNEL_LIMITS[channel].maxFileBytes);
    }
    expect(SOCIAL_LIMITS.instagram.mediaTypes).toEqual(SOCIAL_CHANNEL_LIMITS.instagram.mediaTypes);
  });

  it('says when a reply is longer than the channel takes, or a file it cannot carry', () => {
    expect(channelAttachmentProblem('instagram', [], 'x'.repeat(1_000))).toMatch(/at most 999 characters/);
    expect(channelAttachmentProblem('messenger', [], 'x'.repeat(2_000))).toBeNull();
    expect(channelAttachmentProblem('messenger', [], 'x'.repeat(2_001))).toMatch(
      /Messenger message holds at most 2000/,
    );
    expect(
      channelAttachmentProblem('instagram', [
        { contentType: 'application/pdf', sizeBytes: 10, fileName: 'a.pdf' },
      ]),
    ).toMatch(/only JPEG and PNG/);
    expect(
      channelAttachmentProblem('whatsapp', [
        { contentType: 'image/png', sizeBytes: 17 * 1024 * 1024, fileName: 'big.png' },
      ]),
    ).toMatch(/too large for WhatsApp/);
    expect(
      channelAttachmentProblem(
        'telegram',
        [{ contentType: 'image/png', sizeBytes: 10, fileName: 'a.png' }],
        'hi',
      ),
    ).toBeNull();
  });
});
