import { agentAttachmentUrl } from './attachments.js';

describe('agentAttachmentUrl', () => {
  it("opens agents' files through the inbox and nothing else", () => {
    const ws = '00000000-0000-4000-8000-000000000001';
    const id = '6f1c2a4e-9b1d-4c3e-8f2a-1b2c3d4e5f60';
    expect(agentAttachmentUrl(`inbox/${ws}/${id}`)).toBe(`/api/inbox/attachments/${id}`);
    expect(agentAttachmentUrl(`web/${ws}/${id}`)).toBeNull();
    expect(agentAttachmentUrl(`inbox/${ws}/${id}/../../x`)).toBeNull();
    expect(agentAttachmentUrl(`sms-media/${id}`)).toBeNull();
  });
});
