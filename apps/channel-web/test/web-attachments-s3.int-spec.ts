import { type S3Server, startS3Server } from '@switchboard/testing';
import { userHash } from '../src/contacts/identity-verification.util.js';
import { type WebTestApp, startWebTestApp } from './web-test-app.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

/**
 * The web channel with ATTACHMENT_STORAGE=s3 (ADR 0045), on the real broker and PostgreSQL, its
 * uploads in a loopback S3 that verifies every request's SigV4 signature. Uploads and downloads
 * are made as signed-in users, whose HTTP headers carry the email and phone the hash covers.
 */
describe('web attachments in an S3-compatible bucket', () => {
  let s3: S3Server;
  let t: WebTestApp;
  let secret: string;

  beforeAll(async () => {
    s3 = await startS3Server({ bucket: 'web-files', region: 'eu-central-1' });
    t = await startWebTestApp('web_s3', {
      env: {
        ATTACHMENT_STORAGE: 's3',
        ATTACHMENT_S3_BUCKET: s3.bucket,
        ATTACHMENT_S3_REGION: s3.region,
        ATTACHMENT_S3_ENDPOINT: s3.url,
        ATTACHMENT_S3_FORCE_PATH_STYLE: 'true',
        ATTACHMENT_S3_ACCESS_KEY_ID: s3.accessKeyId,
        ATTACHMENT_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      },
    });
    secret = (await t.settings.get(t.workspaceId)).identitySecret;
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await s3?.close();
  });

  const headersOf = (user: { id: string; email?: string; phone?: string }) => ({
    origin: t.url,
    'x-user-id': user.id,
    'x-user-hash': userHash(secret, user),
    ...(user.email ? { 'x-user-email': user.email } : {}),
    ...(user.phone ? { 'x-user-phone': user.phone } : {}),
  });

  it('keeps a signed-in user’s upload in the bucket and serves it to that user alone', async () => {
    const ada = { id: 'user-ada', email: 'ada@example.com', phone: '+14155550199' };
    const uploaded = await fetch(`${t.url}/widget/attachments?key=${t.widgetKey}`, {
      method: 'POST',
      headers: { ...headersOf(ada), 'content-type': 'image/png', 'x-file-name': 'dot.png' },
      body: new Uint8Array(PNG),
    });
    expect(uploaded.status).toBe(201);
    const { id } = (await uploaded.json()) as { id: string };
    const object = s3.objects.get(`web/${t.workspaceId}/${id}`);
    expect(object?.body.equals(PNG)).toBe(true);
    expect(object?.contentType).toBe('image/png');

    const own = await fetch(`${t.url}/widget/attachments/${id}?key=${t.widgetKey}`, {
      headers: headersOf(ada),
    });
    expect(own.status).toBe(200);
    expect(own.headers.get('content-type')).toBe('image/png');
    expect(own.headers.get('content-length')).toBe(String(PNG.length));
    expect(Buffer.from(await own.arrayBuffer()).equals(PNG)).toBe(true);

    // Another user reads it as not found; a header claiming a phone the hash does not cover is refused.
    const bob = await fetch(`${t.url}/widget/attachments/${id}?key=${t.widgetKey}`, {
      headers: headersOf({ id: 'user-bob' }),
    });
    expect(bob.status).toBe(404);
    const edited = await fetch(`${t.url}/widget/attachments/${id}?key=${t.widgetKey}`, {
      headers: { ...headersOf(ada), 'x-user-phone': '+14155550100' },
    });
    expect(edited.status).toBe(403);
    expect(s3.requests.filter((r) => r.status === 403)).toEqual([]);
  });

  it('reads an indexed upload whose object is gone as not found', async () => {
    const cy = { id: 'user-cy' };
    const uploaded = await fetch(`${t.url}/widget/attachments?key=${t.widgetKey}`, {
      method: 'POST',
      headers: { ...headersOf(cy), 'content-type': 'image/png' },
      body: new Uint8Array(PNG),
    });
    const { id } = (await uploaded.json()) as { id: string };
    (s3.objects as Map<string, unknown>).delete(`web/${t.workspaceId}/${id}`);
    const gone = await fetch(`${t.url}/widget/attachments/${id}?key=${t.widgetKey}`, {
      headers: headersOf(cy),
    });
    expect(gone.status).toBe(404);
  });
});
