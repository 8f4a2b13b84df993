/**
 * What an agent may attach, each type recognised by its first bytes (a declared type alone is not
 * trusted): the types the web widget shows (images inline, PDF as a download). The same signatures
 * as the web channel's visitor uploads; apps do not import each other, so they are repeated here.
 */
const SIGNATURES: Record<string, (head: Buffer) => boolean> = {
  'image/png': (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/gif': (b) =>
    b.subarray(0, 6).toString('latin1') === 'GIF87a' || b.subarray(0, 6).toString('latin1') === 'GIF89a',
  'image/webp': (b) =>
    b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
  'application/pdf': (b) => b.subarray(0, 5).toString('latin1') === '%PDF-',
};

export const AGENT_ATTACHMENT_TYPES = Object.keys(SIGNATURES);
export const MAX_AGENT_ATTACHMENT_BYTES = 10 * 1024 * 1024;
/** Files per reply. */
export const MAX_ATTACHMENTS_PER_REPLY = 5;
/** Shown in a page as images; everything else is served as a download. */
export const INLINE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** Whether the bytes really are of the declared, allowed type. */
export function matchesAttachmentType(contentType: string, bytes: Buffer): boolean {
  const check = SIGNATURES[contentType];
  return check !== undefined && bytes.length > 0 && check(bytes);
}

/** A name safe in a header and a list: no control characters, slashes or quotes; 200 characters. */
export function sanitizeFileName(name: string): string {
  const cleaned = name
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f/\\"]/g, '_')
    .trim()
    .slice(0, 200);
  return cleaned === '' ? 'file' : cleaned;
}
