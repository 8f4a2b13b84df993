import { type S3Server, startS3Server } from '@switchboard/testing';
import { ConfigValidationError } from '../config/config-validation.error.js';
import { describeAttachmentStoreContract } from './attachment-store.contract.js';
import { createAttachmentStore } from './attachment-store.factory.js';
import { AttachmentStorageConfig } from './attachment-storage.config.js';
import { S3AttachmentStore } from './s3-attachment.store.js';

/**
 * The S3 backend through the real AWS SDK against a loopback S3 that verifies every request's
 * SigV4 signature (libs/testing `startS3Server`, ADR 0045).
 */
describe('S3AttachmentStore', () => {
  let s3: S3Server;
  let store: S3AttachmentStore;

  const configFor = (server: S3Server, overrides: Record<string, string> = {}) =>
    AttachmentStorageConfig.parse({
      SWITCHBOARD_DATA_DIR: '/nonexistent',
      ATTACHMENT_STORAGE: 's3',
      ATTACHMENT_S3_BUCKET: server.bucket,
      ATTACHMENT_S3_REGION: server.region,
      ATTACHMENT_S3_ENDPOINT: server.url,
      ATTACHMENT_S3_FORCE_PATH_STYLE: 'true',
      ATTACHMENT_S3_ACCESS_KEY_ID: server.accessKeyId,
      ATTACHMENT_S3_SECRET_ACCESS_KEY: server.secretAccessKey,
      ATTACHMENT_S3_KEY_PREFIX: 'switchboard/',
      ...overrides,
    });

  beforeAll(async () => {
    s3 = await startS3Server({ bucket: 'attachments', region: 'eu-west-3' });
    store = createAttachmentStore(configFor(s3)) as S3AttachmentStore;
  });

  afterAll(async () => {
    store?.destroy();
    await s3?.close();
  });

  describeAttachmentStoreContract('s3', () => store);

  it('puts objects in the configured bucket under the key prefix, with their type, signed', async () => {
    await store.put('web/ws-7/photo', Buffer.from('png bytes'), { size: 9, contentType: 'image/png' });
    expect(s3.objects.get('switchboard/web/ws-7/photo')).toMatchObject({ contentType: 'image/png' });
    expect(s3.objects.get('switchboard/web/ws-7/photo')!.body.toString()).toBe('png bytes');
    // Every request reached the bucket with a verified signature; none was refused.
    expect(s3.requests.length).toBeGreaterThan(0);
    expect(s3.requests.filter((r) => r.status === 403)).toEqual([]);
  });

  it('fails, without echoing the secret, when the credentials are wrong', async () => {
    const wrongSecret = 'wrong-secret-value-1234567890';
    const bad = createAttachmentStore(
      configFor(s3, { ATTACHMENT_S3_SECRET_ACCESS_KEY: wrongSecret }),
    ) as S3AttachmentStore;
    try {
      const failure = await bad.put('web/ws-7/x', Buffer.from('x'), { size: 1 }).then(
        () => null,
        (error: unknown) => error as Error,
      );
      expect(failure?.name).toBe('SignatureDoesNotMatch');
      expect(String(failure?.message)).not.toContain(wrongSecret);
      expect(s3.objects.has('switchboard/web/ws-7/x')).toBe(false);
    } finally {
      bad.destroy();
    }
  });

  it('refuses at boot an s3 store without a bucket, or with half the credentials', () => {
    const env = {
      SWITCHBOARD_DATA_DIR: '/tmp',
      ATTACHMENT_STORAGE: 's3',
      ATTACHMENT_S3_SECRET_ACCESS_KEY: 'hidden-secret',
    };
    let failure: unknown;
    try {
      createAttachmentStore(AttachmentStorageConfig.parse(env));
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(ConfigValidationError);
    expect((failure as ConfigValidationError).problems.map((p) => p.variable).sort()).toEqual([
      'ATTACHMENT_S3_ACCESS_KEY_ID',
      'ATTACHMENT_S3_BUCKET',
    ]);
    expect((failure as Error).message).not.toContain('hidden-secret');
  });
});
