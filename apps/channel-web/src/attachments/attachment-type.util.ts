/** Types a visitor may upload, each recognised by its first bytes (a declared type alone is not trusted). */
const SIGNATURES: Record<string, (head: Buffer) => boolean> = {
  'image/png': (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/gif': (b) =>
    b.subarray(0, 6).toString('latin1') === 'GIF87a' || b.subarray(0, 6).toString('latin1') === 'GIF89a',
  'image/webp': (b) =>
    b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
  'application/pdf': (b) => b.subarray(0, 5).toString('latin1') === '%PDF-',
};

export const ALLOWED_ATTACHMENT_TYPES = Object.keys(SIGNATURES);
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

/** Whether the bytes really are of the declared, allowed type. */
export function matchesAttachmentType(contentType: string, bytes: Buffer): boolean {
  const check = SIGNATURES[contentType];
  return check !== undefined && bytes.length > 0 && check(bytes);
}
