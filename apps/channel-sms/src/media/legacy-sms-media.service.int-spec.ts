import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AttachmentStore, FilesystemAttachmentStore } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { type SmsTestDatabase, createSmsTestDatabase } from '../testing/sms-database.fixture.js';
import { LegacySmsMediaService } from './legacy-sms-media.service.js';

async function readAll(store: AttachmentStore, key: string): Promise<Buffer | null> {
  const stored = await store.get(key);
  if (stored === null) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of stored.body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** MMS media kept in `channels.sms_media` before ADR 0033's amendment, moved on the real PostgreSQL. */
describe('LegacySmsMediaService', () => {
  let database: SmsTestDatabase | undefined;
  let db: DataSource;
  let dir: string;
  let files: FilesystemAttachmentStore;
  const insert = (key: string, workspaceId: string, body: Buffer) =>
    db.query(
      `INSERT INTO channels.sms_media (storage_key, workspace_id, content_type, size_bytes, body)
       VALUES ($1, $2, 'image/jpeg', $3, $4)`,
      [key, workspaceId, body.length, body],
    );

  beforeAll(async () => {
    database = await createSmsTestDatabase('sms_legacy_media');
    db = database.db;
    dir = await mkdtemp(join(tmpdir(), 'sms-legacy-media-'));
    files = new FilesystemAttachmentStore(dir);
  });

  afterAll(async () => {
    await database?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("moves every row's bytes to sms-media/<its workspace>/<its id> and empties the table", async () => {
    const workspaces = [randomUUID(), randomUUID()];
    const rows = Array.from({ length: 19 }, (_, i) => ({
      id: randomUUID(),
      workspaceId: workspaces[i % 2]!,
      body: randomBytes(100 + i),
    }));
    for (const row of rows) await insert(`sms-media/${row.id}`, row.workspaceId, row.body);

    expect(await new LegacySmsMediaService(db, files).moveAll()).toBe(rows.length);

    for (const row of rows) {
      expect((await readAll(files, `sms-media/${row.workspaceId}/${row.id}`))?.equals(row.body)).toBe(true);
      // Not under the other workspace: that is what keeps a legacy key in its workspace.
      const other = workspaces.find((w) => w !== row.workspaceId)!;
      expect(await files.get(`sms-media/${other}/${row.id}`)).toBeNull();
    }
    const left = await db.query<{ n: string }[]>('SELECT count(*) AS n FROM channels.sms_media');
    expect(Number(left[0]!.n)).toBe(0);
    expect(await new LegacySmsMediaService(db, files).moveAll()).toBe(0);
  });

  it('keeps a row whose bytes the store refused, so the next boot moves it', async () => {
    const id = randomUUID();
    const workspaceId = randomUUID();
    const body = randomBytes(64);
    await insert(`sms-media/${id}`, workspaceId, body);
    const failing: AttachmentStore = {
      put: () => Promise.reject(new Error('bucket unavailable')),
      get: (key) => files.get(key),
      delete: (key) => files.delete(key),
    };

    await expect(new LegacySmsMediaService(db, failing).moveAll()).rejects.toThrow('bucket unavailable');
    const kept = await db.query<{ body: Buffer }[]>(
      'SELECT body FROM channels.sms_media WHERE storage_key = $1',
      [`sms-media/${id}`],
    );
    expect(kept[0]!.body.equals(body)).toBe(true);

    expect(await new LegacySmsMediaService(db, files).moveAll()).toBe(1);
    expect((await readAll(files, `sms-media/${workspaceId}/${id}`))?.equals(body)).toBe(true);
  });
});
