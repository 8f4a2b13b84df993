import { type S3Server, startS3Server } from '@switchboard/testing';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { ConfigValidationError } from '../config/config-validation.error.js';
import {
  type AttachmentStore,
  AttachmentSizeMismatchError,
  InvalidAttachmentKeyError,
} from './attachment-store.js';
import { createAttachmentStore } from './attachment-store.factory.js';
import { AttachmentStorageConfig } from './attachment-storage.config.js';
import { FilesystemAttachmentStore } from './filesystem-attachment.store.js';
import { S3AttachmentStore } from './s3-attachment.store.js';

describe('FilesystemAttachmentStore', () => {
  let dataDir: string;
  let store: FilesystemAttachmentStore;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'attachments-'));
    store = createAttachmentStore(
      AttachmentStorageConfig.parse({ SWITCHBOARD_DATA_DIR: dataDir }),
    ) as FilesystemAttachmentStore;
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  describeAttachmentStoreContract('filesystem', () => store);

  it('is the default, and keeps files under the data directory’s attachments folder by key', async () => {
    expect(store).toBeInstanceOf(FilesystemAttachmentStore);
    await store.put('web/ws-9/file', Buffer.from('on disk'), { size: 7 });
    expect(store.fileOf('web/ws-9/file')).toBe(path.join(dataDir, 'attachments', 'web', 'ws-9', 'file'));
    expect(await readFile(path.join(dataDir, 'attachments', 'web', 'ws-9', 'file'), 'utf8')).toBe('on disk');
  });

  it('leaves no partial file behind when a stream fails', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.from('some'));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(store.put('web/ws-9/failed', failing, { size: 100 })).rejects.toThrow('client went away');
    expect(await store.get('web/ws-9/failed')).toBeNull();
    expect(
      (await readdir(path.join(dataDir, 'attachments', 'web', 'ws-9'))).filter((f) => f.endsWith('.partial')),
    ).toEqual([]);
  });
});

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

/**
 * What every `AttachmentStore` must do, run against each backend's real thing: a directory, and
 * (through the real AWS SDK) a loopback S3 that verifies every request's SigV4 signature
 * (libs/testing `startS3Server`, ADR 0045).
 */
function describeAttachmentStoreContract(name: string, store: () => AttachmentStore): void {
  describe(`${name}: the AttachmentStore contract`, () => {
    const read = async (key: string) => {
      const stored = await store().get(key);
      return stored === null ? null : { size: stored.size, text: await text(stored.body) };
    };

    it('keeps bytes and streams by key, and gives them back with their length', async () => {
      await store().put('web/ws-1/a', Buffer.from('hello bytes'), { size: 11, contentType: 'text/plain' });
      const chunks = ['streamed ', 'in ', 'three parts'];
      await store().put('web/ws-1/b', Readable.from(chunks.map((c) => Buffer.from(c))), { size: 23 });
      expect(await read('web/ws-1/a')).toEqual({ size: 11, text: 'hello bytes' });
      expect(await read('web/ws-1/b')).toEqual({ size: 23, text: 'streamed in three parts' });
    });

    it('streams a file larger than one chunk whole', async () => {
      const big = Buffer.alloc(3 * 1024 * 1024 + 17, 0);
      for (let i = 0; i < big.length; i += 4093) big[i] = i % 251;
      await store().put(
        'web/ws-1/big',
        Readable.from([big.subarray(0, 1_000_000), big.subarray(1_000_000)]),
        {
          size: big.length,
        },
      );
      const stored = await store().get('web/ws-1/big');
      const chunks: Buffer[] = [];
      for await (const chunk of stored!.body as AsyncIterable<Buffer>) chunks.push(chunk);
      expect(stored!.size).toBe(big.length);
      expect(Buffer.concat(chunks).equals(big)).toBe(true);
    });

    it('replaces what a key held, and reads an unknown key as null', async () => {
      await store().put('web/ws-1/c', Buffer.from('first'), { size: 5 });
      await store().put('web/ws-1/c', Buffer.from('second'), { size: 6 });
      expect(await read('web/ws-1/c')).toEqual({ size: 6, text: 'second' });
      expect(await store().get('web/ws-1/never')).toBeNull();
      expect(await store().get('web/ws-2/c')).toBeNull();
    });

    it('deletes, and deleting again is not an error', async () => {
      await store().put('web/ws-1/d', Buffer.from('bye'), { size: 3 });
      await store().delete('web/ws-1/d');
      expect(await store().get('web/ws-1/d')).toBeNull();
      await expect(store().delete('web/ws-1/d')).resolves.toBeUndefined();
    });

    it('keeps nothing of a stream whose length is not the one announced', async () => {
      await expect(
        store().put('web/ws-1/short', Readable.from([Buffer.from('abc')]), { size: 10 }),
      ).rejects.toThrow(AttachmentSizeMismatchError);
      await expect(
        store().put('web/ws-1/long', Readable.from([Buffer.from('abcdef')]), { size: 2 }),
      ).rejects.toThrow(AttachmentSizeMismatchError);
      expect(await store().get('web/ws-1/short')).toBeNull();
      expect(await store().get('web/ws-1/long')).toBeNull();
    });

    it('refuses keys that could leave the store or mean another object', async () => {
      for (const key of ['../etc/passwd', '/abs', 'web//x', 'web/../x', 'web/x/', '', 'web/.hidden', 'a b'])
        await expect(store().put(key, Buffer.from('x'), { size: 1 })).rejects.toThrow(
          InvalidAttachmentKeyError,
        );
      await expect(store().get('web/../../x')).rejects.toThrow(InvalidAttachmentKeyError);
    });
  });
}
