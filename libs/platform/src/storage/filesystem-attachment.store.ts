import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type AttachmentPutOptions,
  type AttachmentStore,
  AttachmentSizeMismatchError,
  type StoredAttachment,
  assertAttachmentKey,
} from './attachment-store.js';

/**
 * Attachments as files under `root` (SWITCHBOARD_DATA_DIR/attachments): the key is the relative
 * path. A put writes a temporary file beside the target, fsyncs it, renames it over the target and
 * fsyncs the directory, so a reader or a crash sees the old bytes or the new ones, never a part.
 */
export class FilesystemAttachmentStore implements AttachmentStore {
  constructor(private readonly root: string) {}

  async put(key: string, body: Readable | Uint8Array, options: AttachmentPutOptions): Promise<void> {
    const file = this.fileOf(key);
    const directory = path.dirname(file);
    await mkdir(directory, { recursive: true });
    const temporary = path.join(
      directory,
      `.${path.basename(file)}.${randomBytes(6).toString('hex')}.partial`,
    );
    let written = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        written += chunk.length;
        // Stop early: a stream longer than announced is refused without writing all of it.
        if (written > options.size) done(new AttachmentSizeMismatchError(options.size, written));
        else done(null, chunk);
      },
    });
    try {
      const source = body instanceof Uint8Array ? Readable.from([body]) : body;
      await pipeline(source, counter, createWriteStream(temporary, { flags: 'wx' }));
      if (written !== options.size) throw new AttachmentSizeMismatchError(options.size, written);
      await fsync(temporary);
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    // The rename itself is durable only once the directory is.
    await fsync(directory);
  }

  async get(key: string): Promise<StoredAttachment | null> {
    const file = this.fileOf(key);
    // Opened before stat, so the size is the one of the file being read even if a put replaces it.
    const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return null;
      throw error;
    });
    if (handle === null) return null;
    const { size } = await handle.stat();
    return { body: handle.createReadStream(), size };
  }

  async delete(key: string): Promise<void> {
    await rm(this.fileOf(key), { force: true });
  }

  /** Where a key's bytes are: for operators and tests; callers go through put/get. */
  fileOf(key: string): string {
    assertAttachmentKey(key);
    return path.join(this.root, ...key.split('/'));
  }
}

async function fsync(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
