import { agentAttachmentUrl } from './attachments.js';

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
