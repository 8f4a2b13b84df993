import { type ConfigOf, FilesystemAttachmentStore } from '@switchboard/platform';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SmsChannelConfig } from '../sms-channel.config.js';
import { MediaStoreUnavailableError, MmsMediaService } from './mms-media.service.js';

describe('MmsMediaService', () => {
  const workspaceId = randomUUID();
  const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(64)]);
  let dir: string;
  let files: FilesystemAttachmentStore;
  const service = (publicBaseUrl: string | undefined) =>
    new MmsMediaService(
      { PUBLIC_BASE_URL: publicBaseUrl } as ConfigOf<typeof SmsChannelConfig>,
      files,
      randomBytes(32),
    );
  const stored = async (body: Buffer, workspace = workspaceId) => {
    const storageKey = `inbox/${workspace}/${randomUUID()}`;
    await files.put(storageKey, body, { size: body.length });
    return { storageKey, contentType: 'image/png', sizeBytes: body.length };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mms-media-'));
    files = new FilesystemAttachmentStore(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('keeps refusing files without PUBLIC_BASE_URL: Twilio would have nowhere to fetch them', async () => {
    const result = await service(undefined).prepare(workspaceId, [await stored(png)], 'hi');
    expect(result).toMatchObject({ ok: false, code: 'attachments_not_supported' });
    expect(!result.ok && result.message).toContain('PUBLIC_BASE_URL');
  });

  it('serves a prepared URL, and nothing for a key outside its workspace or bytes that are not their type', async () => {
    const media = service('https://sms.example.test');
    const ok = await media.prepare(workspaceId, [await stored(png)], '');
    if (!ok.ok) throw new Error(ok.message);
    const token = ok.mediaUrls[0]!.split('/sms/media/')[1]!;
    const opened = await media.open(token);
    expect(opened).toMatchObject({ contentType: 'image/png', size: png.length });
    opened!.body.destroy();
    // Another service's key (another master key) never opens here.
    expect(await service('https://sms.example.test').open(token)).toBeNull();

    const foreign = await media.prepare(workspaceId, [await stored(png, randomUUID())], '');
    expect(foreign).toMatchObject({ ok: false, code: 'attachment_not_available' });
    const sneaky = await media.prepare(
      workspaceId,
      [{ ...(await stored(Buffer.from('<html><script>x</script></html>'))), contentType: 'image/png' }],
      '',
    );
    expect(sneaky).toMatchObject({ ok: false, code: 'attachment_not_available' });
    const gone = await media.prepare(
      workspaceId,
      [{ storageKey: `inbox/${workspaceId}/${randomUUID()}`, contentType: 'image/png', sizeBytes: 1 }],
      '',
    );
    expect(gone).toMatchObject({ ok: false, code: 'attachment_not_available' });
  });

  it("forwards a customer's MMS of the workspace, not another's nor one from before the store", async () => {
    const media = service('https://sms.example.test');
    const mms = async (key: string) => {
      await files.put(key, png, { size: png.length });
      return { storageKey: key, contentType: 'image/png', sizeBytes: png.length };
    };
    const ours = await media.prepare(
      workspaceId,
      [await mms(`sms-media/${workspaceId}/${randomUUID()}`)],
      '',
    );
    expect(ours).toMatchObject({ ok: true });
    const theirs = await media.prepare(
      workspaceId,
      [await mms(`sms-media/${randomUUID()}/${randomUUID()}`)],
      '',
    );
    expect(theirs).toMatchObject({ ok: false, code: 'attachment_not_available' });
    const legacy = await media.prepare(workspaceId, [await mms(`sms-media/${randomUUID()}`)], '');
    expect(legacy).toMatchObject({ ok: false, code: 'attachment_not_available' });
  });

  it('refuses more than 10 files, as Twilio would', async () => {
    const file = await stored(png);
    const result = await service('https://sms.example.test').prepare(workspaceId, Array(11).fill(file), '');
    expect(result).toMatchObject({ ok: false, code: 'too_many_attachments' });
  });

  it('reports a failing store as unavailable (the reply waits), not as a missing file', async () => {
    const failing = new MmsMediaService(
      { PUBLIC_BASE_URL: 'https://sms.example.test' } as ConfigOf<typeof SmsChannelConfig>,
      {
        get: () => Promise.reject(new Error('connect ECONNREFUSED')),
        put: () => Promise.resolve(),
        delete: () => Promise.resolve(),
      },
      randomBytes(32),
    );
    await expect(failing.prepare(workspaceId, [await stored(png)], '')).rejects.toBeInstanceOf(
      MediaStoreUnavailableError,
    );
  });
});
