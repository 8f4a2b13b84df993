import { matchesAttachmentType } from './attachment-type.util.js';

describe('matchesAttachmentType', () => {
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  it('accepts an allowed type whose bytes match', () => {
    expect(matchesAttachmentType('image/png', png)).toBe(true);
    expect(matchesAttachmentType('application/pdf', Buffer.from('%PDF-1.7\n'))).toBe(true);
  });
  it('refuses a declared type the bytes contradict, and types not allowed', () => {
    expect(matchesAttachmentType('image/png', Buffer.from('<script>alert(1)</script>'))).toBe(false);
    expect(matchesAttachmentType('text/html', Buffer.from('<html>'))).toBe(false);
    expect(matchesAttachmentType('image/svg+xml', Buffer.from('<svg/>'))).toBe(false);
    expect(matchesAttachmentType('application/pdf', Buffer.alloc(0))).toBe(false);
  });
});
