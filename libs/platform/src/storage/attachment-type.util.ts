/**
 * File types recognised by their first bytes, for every service that takes a file from a person
 * (visitors in the web widget, agents in the inbox): a declared Content-Type alone is not trusted,
 * since a browser or a script may say `image/png` of an HTML page. One copy, so the web channel and
 * the inbox accept exactly the same things (ADR 0055).
 */
const SIGNATURES: Readonly<Record<string, (head: Buffer) => boolean>> = {
  'image/png': (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/gif': (b) =>
    b.subarray(0, 6).toString('latin1') === 'GIF87a' || b.subarray(0, 6).toString('latin1') === 'GIF89a',
  'image/webp': (b) =>
    b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
  'application/pdf': (b) => b.subarray(0, 5).toString('latin1') === '%PDF-',
};

/** The types whose signature is known: PNG, JPEG, GIF, WebP images and PDF. */
export const SIGNED_ATTACHMENT_TYPES: readonly string[] = Object.keys(SIGNATURES);

/** Bytes needed to tell every type above apart (WebP's `WEBP` ends at byte 12). */
export const ATTACHMENT_SIGNATURE_BYTES = 12;

/** Whether the bytes (the whole file, or at least its first 12 bytes) really are of the declared type. */
export function matchesAttachmentType(contentType: string, bytes: Buffer): boolean {
  const check = SIGNATURES[contentType];
  return check !== undefined && bytes.length > 0 && check(bytes);
}
