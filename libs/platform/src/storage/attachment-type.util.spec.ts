import { Readable } from 'node:stream';
import {
  ATTACHMENT_SIGNATURE_BYTES,
  SIGNED_ATTACHMENT_TYPES,
  matchesAttachmentType,
  readSignature,
  sanitizeFileName,
} from './attachment-type.util.js';

describe('matchesAttachmentType', () => {
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  it('accepts an allowed type whose bytes match', () => {
    expect(matchesAttachmentType('image/png', png)).toBe(true);
    expect(matchesAttachmentType('image/jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe(true);
    expect(matchesAttachmentType('image/gif', Buffer.from('GIF89a\x01\x00'))).toBe(true);
    expect(matchesAttachmentType('image/webp', Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 '))).toBe(true);
    expect(matchesAttachmentType('application/pdf', Buffer.from('%PDF-1.7\n'))).toBe(true);
  });
  it('refuses a declared type the bytes contradict, and types not allowed', () => {
    expect(matchesAttachmentType('image/png', Buffer.from('<script>alert(1)</script>'))).toBe(false);
    expect(matchesAttachmentType('image/jpeg', png)).toBe(false);
    expect(matchesAttachmentType('image/webp', Buffer.from('RIFF\x10\x00\x00\x00WAVEfmt '))).toBe(false);
    expect(matchesAttachmentType('text/html', Buffer.from('<html>'))).toBe(false);
    expect(matchesAttachmentType('image/svg+xml', Buffer.from('<svg/>'))).toBe(false);
    expect(matchesAttachmentType('application/pdf', Buffer.alloc(0))).toBe(false);
  });
  it('knows exactly the five types people may attach', () => {
    expect([...SIGNED_ATTACHMENT_TYPES].sort()).toEqual([
      'application/pdf',
      'image/gif',
      'image/jpeg',
      'image/png',
      'image/webp',
    ]);
  });
});

describe('readSignature', () => {
  it('reads the first bytes and puts them back, so the stream still reads whole', async () => {
    const bytes = Buffer.from('89504e470d0a1a0a0000000d4948445200000001', 'hex');
    const body = Readable.from([bytes.subarray(0, 5), bytes.subarray(5)], { objectMode: false });
    const read = await readSignature(body);
    expect(read.head.length).toBeGreaterThanOrEqual(ATTACHMENT_SIGNATURE_BYTES);
    expect(matchesAttachmentType('image/png', read.head)).toBe(true);
    const whole = Buffer.concat(await read.body.toArray());
    expect(whole.equals(bytes)).toBe(true);
  });

  it('answers what there is of a file shorter than a signature', async () => {
    const body = Readable.from([Buffer.from('%PDF')], { objectMode: false });
    const read = await readSignature(body);
    expect(read.head.toString('latin1')).toBe('%PDF');
    expect(Buffer.concat(await read.body.toArray()).toString('latin1')).toBe('%PDF');
  });
});

describe('sanitizeFileName', () => {
  it('keeps a name safe in a header: no control characters, slashes or quotes, at most 200 characters', () => {
    expect(sanitizeFileName('../a\\b"c\r\nd.png')).toBe('.._a_b_c__d.png');
    expect(sanitizeFileName('x'.repeat(300))).toHaveLength(200);
    expect(sanitizeFileName('  ')).toBe('file');
  });
});
