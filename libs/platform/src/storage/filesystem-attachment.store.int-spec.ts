import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describeAttachmentStoreContract } from './attachment-store.contract.js';
import { createAttachmentStore } from './attachment-store.factory.js';
import { AttachmentStorageConfig } from './attachment-storage.config.js';
import { FilesystemAttachmentStore } from './filesystem-attachment.store.js';

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
