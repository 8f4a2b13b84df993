import { Inject, Injectable } from '@nestjs/common';
import { type Attachment, InvalidArgumentError, NotFoundError } from '@switchboard/contracts';
import {
  ATTACHMENT_STORE,
  type AttachmentStore,
  InjectServiceDataSource,
  SIGNED_ATTACHMENT_TYPES,
  matchesAttachmentType,
  storeKey,
  workspaceStoreKey,
  readSignature,
  sanitizeFileName,
} from '@switchboard/platform';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { DataSource } from 'typeorm';
import type { SessionContext } from '../auth/session-context.js';
import {
  AGENT_ATTACHMENT_TYPES,
  MAX_AGENT_ATTACHMENT_BYTES,
  MAX_ATTACHMENTS_PER_REPLY,
} from './attachment-type.util.js';

interface AttachmentRow {
  id: string;
  workspace_id: string;
  storage_key: string;
  content_type: string;
  size_bytes: number;
  file_name: string | null;
}

/** An agent's upload as the composer shows it. */
export interface UploadedAttachment {
  id: string;
  contentType: string;
  sizeBytes: number;
  fileName: string | null;
}

export interface AttachmentContent {
  contentType: string;
  fileName: string | null;
  size: number;
  body: Readable;
}

/**
 * Files agents attach to replies (ADR 0055): checked (type by its first bytes, 10 MB), stored in
 * the process's AttachmentStore under `inbox/<workspace>/<id>`, durable before indexed in
 * `inbox.attachments`. A reply names its files by these ids, resolved in the session's workspace
 * into the storage keys history and the channels carry; the web channel grants each to its
 * recipient (ADR 0043). Uploads no reply named are swept after a while (`UnsentAttachmentsSweeper`).
 */
@Injectable()
export class AttachmentsService {
  constructor(
    @InjectServiceDataSource('inbox') private readonly db: DataSource,
    @Inject(ATTACHMENT_STORE) private readonly files: AttachmentStore,
  ) {}

  async upload(
    session: SessionContext,
    contentType: string,
    fileName: string | null,
    body: Buffer,
  ): Promise<UploadedAttachment> {
    if (!AGENT_ATTACHMENT_TYPES.includes(contentType))
      throw new InvalidArgumentError('this type of file cannot be attached', [
        { field: 'file', description: `one of ${AGENT_ATTACHMENT_TYPES.join(', ')}` },
      ]);
    if (body.length > MAX_AGENT_ATTACHMENT_BYTES) throw tooLarge();
    if (!matchesAttachmentType(contentType, body))
      throw new InvalidArgumentError('the file is not what its type says', [
        { field: 'file', description: `not a valid ${contentType}` },
      ]);
    const id = randomUUID();
    const storageKey = storeKey('inbox', session.workspaceId, id);
    const name = fileName === null ? null : sanitizeFileName(fileName);
    // Durable before it is indexed: a crash leaves at worst an orphan file, never a row without bytes.
    await this.files.put(storageKey, body, { size: body.length, contentType });
    await this.db.query(
      `INSERT INTO inbox.attachments (id, workspace_id, uploaded_by, storage_key, content_type, size_bytes, file_name)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [id, session.workspaceId, session.userId, storageKey, contentType, body.length, name],
    );
    return { id, contentType, sizeBytes: body.length, fileName: name };
  }

  /** The files a reply names, as messages carry them; an id of another workspace is not found. */
  async forReply(session: SessionContext, ids: readonly string[]): Promise<Attachment[]> {
    if (ids.length === 0) return [];
    if (ids.length > MAX_ATTACHMENTS_PER_REPLY)
      throw new InvalidArgumentError('too many attachments', [
        { field: 'attachmentIds', description: `at most ${MAX_ATTACHMENTS_PER_REPLY} files per reply` },
      ]);
    // Marked attached before the reply goes to history: the sweep of unsent uploads never takes a
    // file a sent message names (a reply that then fails keeps its files: the safe side). The
    // row lock also waits out a sweep deleting it, which then reads as not found.
    const [rows]: [AttachmentRow[], number] = await this.db.query(
      `UPDATE inbox.attachments SET attached_at = coalesce(attached_at, now())
        WHERE workspace_id = $1 AND id = ANY($2::uuid[])
        RETURNING *`,
      [session.workspaceId, ids],
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => {
      const row = byId.get(id);
      if (!row) throw new NotFoundError(`attachment ${id}`);
      return {
        storageKey: row.storage_key,
        contentType: row.content_type,
        sizeBytes: row.size_bytes,
        ...(row.file_name === null ? {} : { fileName: row.file_name }),
      };
    });
  }

  /** For the workspace's agents: an agent's file by its id; null if it is not this workspace's. */
  async open(session: SessionContext, id: string): Promise<AttachmentContent | null> {
    if (!UUID.test(id)) return null;
    const rows: AttachmentRow[] = await this.db.query(
      'SELECT * FROM inbox.attachments WHERE workspace_id = $1 AND id = $2',
      [session.workspaceId, id],
    );
    const row = rows[0];
    if (!row) return null;
    const stored = await this.files.get(row.storage_key);
    return stored === null
      ? null
      : { contentType: row.content_type, fileName: row.file_name, size: stored.size, body: stored.body };
  }

  /**
   * A customer's file in a message of this workspace — a web visitor's upload (`web/…`) or an MMS
   * the SMS channel copied (`sms-media/…`) — for the workspace's agents to see. The key's
   * workspace segment must be the session's (a key from before MMS media moved to the store,
   * `sms-media/<id>`, is looked up under the session's workspace, where it was moved). Served as
   * the type its first bytes prove, else as bytes to download: a message's claimed type is not
   * trusted.
   */
  async openCustomerFile(
    session: SessionContext,
    storageKey: string,
    fileName: string | null,
  ): Promise<AttachmentContent | null> {
    const key = workspaceStoreKey(session.workspaceId, storageKey, ['web', 'sms-media', 'social-media']);
    if (key === null) return null;
    const stored = await this.files.get(key);
    if (stored === null) return null;
    const { head, body } = await readSignature(stored.body);
    const contentType =
      SIGNED_ATTACHMENT_TYPES.find((type) => matchesAttachmentType(type, head)) ?? 'application/octet-stream';
    return {
      contentType,
      fileName: fileName === null ? null : sanitizeFileName(fileName),
      size: stored.size,
      body,
    };
  }
}

function tooLarge(): InvalidArgumentError {
  return new InvalidArgumentError('the file is too large', [{ field: 'file', description: 'at most 10 MB' }]);
}

export { tooLarge as attachmentTooLarge };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
