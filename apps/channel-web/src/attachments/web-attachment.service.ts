import { Injectable } from '@nestjs/common';
import type { Attachment } from '@switchboard/contracts';
import { type ConfigOf, InjectConfig, InjectServiceDataSource } from '@switchboard/platform';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { queryRows } from '../database/query-rows.util.js';
import { ChannelWebConfig, WEB_DATA_SOURCE } from '../channel-web.config.js';
import type { WebContact } from '../contacts/web-contact.js';
import type { TranscriptAttachment } from '../transcript/transcript-item.js';
import {
  ALLOWED_ATTACHMENT_TYPES,
  MAX_ATTACHMENT_BYTES,
  matchesAttachmentType,
} from './attachment-type.util.js';

interface AttachmentRow {
  id: string;
  workspace_id: string;
  contact_id: string;
  storage_key: string;
  content_type: string;
  size_bytes: number;
  file_name: string | null;
}

export class AttachmentRejectedError extends Error {
  override readonly name = 'AttachmentRejectedError';
}

/** An attachment's bytes with what to serve them as. */
export interface AttachmentContent {
  readonly contentType: string;
  readonly fileName: string | null;
  readonly body: Buffer;
}

/**
 * Files visitors attach (images, PDF; 10 MB), kept under SWITCHBOARD_DATA_DIR/web-attachments and
 * indexed in `channels.web_attachments`. Served only to the contact who sent them (the widget) and,
 * through `openByStorageKey`, to the agents of the workspace (the inbox calls it).
 */
@Injectable()
export class WebAttachmentService {
  private readonly root: string;

  constructor(
    @InjectServiceDataSource(WEB_DATA_SOURCE) private readonly db: DataSource,
    @InjectConfig(ChannelWebConfig) config: ConfigOf<typeof ChannelWebConfig>,
  ) {
    this.root = path.join(config.SWITCHBOARD_DATA_DIR, 'web-attachments');
  }

  async store(
    contact: WebContact,
    contentType: string,
    fileName: string | null,
    body: Buffer,
  ): Promise<TranscriptAttachment> {
    if (!ALLOWED_ATTACHMENT_TYPES.includes(contentType))
      throw new AttachmentRejectedError(`only ${ALLOWED_ATTACHMENT_TYPES.join(', ')} may be attached`);
    if (body.length > MAX_ATTACHMENT_BYTES)
      throw new AttachmentRejectedError('attachments are limited to 10 MB');
    if (!matchesAttachmentType(contentType, body))
      throw new AttachmentRejectedError(`the file is not a valid ${contentType}`);
    const id = randomUUID();
    const storageKey = `web/${contact.workspaceId}/${id}`;
    const file = this.fileOf(storageKey);
    await mkdir(path.dirname(file), { recursive: true });
    // Written whole before it is indexed: a crash leaves at worst an orphan file, never a row without bytes.
    await writeFile(`${file}.partial`, body);
    await rename(`${file}.partial`, file);
    const name = fileName === null ? null : sanitizeFileName(fileName);
    await queryRows(
      this.db,
      `INSERT INTO channels.web_attachments (id, workspace_id, contact_id, storage_key, content_type, size_bytes, file_name)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [id, contact.workspaceId, contact.id, storageKey, contentType, body.length, name],
    );
    return { id, contentType, sizeBytes: body.length, ...(name === null ? {} : { fileName: name }) };
  }

  /** The contact's own attachments by id, as events carry them; ids of others are refused. */
  async forMessage(
    contact: WebContact,
    ids: readonly string[],
  ): Promise<{ view: TranscriptAttachment[]; event: Attachment[] }> {
    if (ids.length === 0) return { view: [], event: [] };
    const rows: AttachmentRow[] = await queryRows(
      this.db,
      `SELECT * FROM channels.web_attachments WHERE workspace_id = $1 AND contact_id = $2 AND id = ANY($3::uuid[])`,
      [contact.workspaceId, contact.id, ids],
    );
    if (rows.length !== new Set(ids).size) throw new AttachmentRejectedError('unknown attachment');
    return {
      view: rows.map((row) => ({
        id: row.id,
        contentType: row.content_type,
        sizeBytes: row.size_bytes,
        ...(row.file_name === null ? {} : { fileName: row.file_name }),
      })),
      event: rows.map((row) => ({
        storageKey: row.storage_key,
        contentType: row.content_type,
        sizeBytes: row.size_bytes,
        ...(row.file_name === null ? {} : { fileName: row.file_name }),
      })),
    };
  }

  /** For the widget: null unless this contact sent it. */
  async openForContact(contact: WebContact, id: string): Promise<AttachmentContent | null> {
    const rows: AttachmentRow[] = await queryRows(
      this.db,
      'SELECT * FROM channels.web_attachments WHERE workspace_id = $1 AND contact_id = $2 AND id = $3',
      [contact.workspaceId, contact.id, id],
    );
    return rows[0] ? this.read(rows[0]) : null;
  }

  /** For the inbox (the workspace's agents): the bytes behind an event's storage key, in that workspace only. */
  async openByStorageKey(workspaceId: string, storageKey: string): Promise<AttachmentContent | null> {
    const rows: AttachmentRow[] = await queryRows(
      this.db,
      'SELECT * FROM channels.web_attachments WHERE workspace_id = $1 AND storage_key = $2',
      [workspaceId, storageKey],
    );
    return rows[0] ? this.read(rows[0]) : null;
  }

  private async read(row: AttachmentRow): Promise<AttachmentContent> {
    return {
      contentType: row.content_type,
      fileName: row.file_name,
      body: await readFile(this.fileOf(row.storage_key)),
    };
  }

  private fileOf(storageKey: string): string {
    // Keys are ours (web/<uuid>/<uuid>), never a client's path.
    return path.join(this.root, ...storageKey.split('/').slice(1));
  }
}

function sanitizeFileName(name: string): string {
  const cleaned = name
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f/\\"]/g, '_')
    .trim()
    .slice(0, 200);
  return cleaned === '' ? 'file' : cleaned;
}
