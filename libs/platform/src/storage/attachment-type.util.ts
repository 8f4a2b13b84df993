import { Readable } from 'node:stream';

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

/**
 * The stream's first bytes (enough to tell its type, `ATTACHMENT_SIGNATURE_BYTES`; fewer if the
 * file is shorter) and the stream to read the whole file from: the same one with the bytes put
 * back, or, if reading them reached its end (a stream cannot be refilled then), one of those bytes.
 */
export async function readSignature(body: Readable): Promise<{ head: Buffer; body: Readable }> {
  let ended = false;
  const head = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const done = (error?: Error) => {
      body.off('readable', onReadable).off('end', onEnd).off('error', done);
      if (error) reject(error);
      else resolve(Buffer.concat(chunks));
    };
    const onEnd = () => {
      ended = true;
      done();
    };
    const onReadable = () => {
      let chunk: Buffer | null;
      while (length < ATTACHMENT_SIGNATURE_BYTES && (chunk = body.read() as Buffer | null) !== null) {
        chunks.push(chunk);
        length += chunk.length;
      }
      if (length >= ATTACHMENT_SIGNATURE_BYTES) done();
    };
    body.on('readable', onReadable).on('end', onEnd).on('error', done);
  });
  if (ended) return { head, body: Readable.from(head.length > 0 ? [head] : [], { objectMode: false }) };
  if (head.length > 0) body.unshift(head);
  return { head, body };
}

/** A file name safe in a header and a list: no control characters, slashes or quotes; 200 characters. */
export function sanitizeFileName(name: string): string {
  const cleaned = name
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f/\\"]/g, '_')
    .trim()
    .slice(0, 200);
  return cleaned === '' ? 'file' : cleaned;
}
