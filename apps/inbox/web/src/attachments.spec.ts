import { MMS_CONTENT_TYPES } from '@switchboard/contracts';
import { SMS_ATTACHMENT_TYPES, agentAttachmentUrl, channelAttachmentProblem } from './attachments.js';

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
