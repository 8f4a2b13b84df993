import { Inject, Injectable } from '@nestjs/common';
import type { Attachment } from '@switchboard/contracts';
import {
  ATTACHMENT_STORE,
  type AttachmentStore,
  InjectServiceDataSource,
  SIGNED_ATTACHMENT_TYPES as ALLOWED_ATTACHMENT_TYPES,
  matchesAttachmentType,
  storeKey,
  workspaceStoreKey,
  sanitizeFileName,
  queryRows,
} from '@switchboard/platform';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { DataSource } from 'typeorm';
import { WEB_DATA_SOURCE } from '../channel-web.config.js';
import type { WebContact } from '../contacts/web-contact.js';
import type { TranscriptAttachment } from '../transcript/transcript-item.js';
import { MAX_ATTACHMENT_BYTES } from './attachment-type.util.js';

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

/** An attachment's bytes, streamed, with what to serve them as. */
export interface AttachmentContent {
  readonly contentType: string;
  readonly fileName: string | null;
  readonly size: number;
  /** Read it to the end or destroy it: it may hold a file or a bucket's connection. */
  readonly body: Readable;
}

interface GrantRow {
  id: string;
  storage_key: string;
  content_type: string;
  size_bytes: number;
  file_name: string | null;
}

/** A reply's attachments for one contact: what `grantDelivered` turns into downloadable views. */
export interface DeliveredAttachments {
  readonly contact: WebContact;
  readonly attachments: readonly Attachment[];
}

/**
 * Files visitors attach (images, PDF; 10 MB), kept in the process's `AttachmentStore` (the data
 * directory or an S3-compatible bucket, ADR 0045) under `web/<workspace>/<id>` and indexed in
 * `channels.web_attachments`. Served only to the contact who sent them and to a contact an agent
 * forwarded one to (the inbox serves them to agents from the shared store). Files agents
 * send to a contact are granted to that contact (`web_attachment_grants`, ADR 0043) and served to
 * it alone, by the grant's id.
 */
@Injectable()
export class WebAttachmentService {
  constructor(
    @InjectServiceDataSource(WEB_DATA_SOURCE) private readonly db: DataSource,
    @Inject(ATTACHMENT_STORE) private readonly files: AttachmentStore,
  ) {}

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
    const storageKey = storeKey('web', contact.workspaceId, id);
    // Durable before it is indexed: a crash leaves at worst an orphan file, never a row without bytes.
    await this.files.put(storageKey, body, { size: body.length, contentType });
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

  /**
   * Grants each contact the files of a reply delivered to it, and returns what its transcript shows
   * (the grant's id, which only that contact can download). The same storage key delivered to the
   * same contact again keeps its grant, so a redelivered batch shows the same ids. Whether the key
   * is ours and in the workspace is checked when the file is opened.
   */
  async grantDelivered(
    workspaceId: string,
    deliveries: readonly DeliveredAttachments[],
  ): Promise<TranscriptAttachment[][]> {
    // One row per (contact, key): a statement's ON CONFLICT can't touch the same row twice.
    const unique = new Map<string, { contact: WebContact; a: Attachment }>();
    for (const d of deliveries)
      for (const a of d.attachments) unique.set(`${d.contact.id}|${a.storageKey}`, { contact: d.contact, a });
    const flat = [...unique.values()];
    if (flat.length === 0) return deliveries.map(() => []);
    const rows = await queryRows<GrantRow & { contact_id: string }>(
      this.db,
      `INSERT INTO channels.web_attachment_grants
         (id, workspace_id, contact_id, storage_key, content_type, size_bytes, file_name)
       SELECT gen_random_uuid(), $1, c, k, t, s, n
       FROM unnest($2::uuid[], $3::text[], $4::text[], $5::int[], $6::text[]) AS u(c, k, t, s, n)
       ON CONFLICT (contact_id, storage_key) DO UPDATE SET storage_key = EXCLUDED.storage_key
       RETURNING id, contact_id, storage_key, content_type, size_bytes, file_name`,
      [
        workspaceId,
        flat.map((f) => f.contact.id),
        flat.map((f) => f.a.storageKey),
        flat.map((f) => f.a.contentType),
        flat.map((f) => f.a.sizeBytes),
        flat.map((f) => (f.a.fileName === undefined ? null : sanitizeFileName(f.a.fileName))),
      ],
    );
    const byKey = new Map(rows.map((row) => [`${row.contact_id}|${row.storage_key}`, row]));
    return deliveries.map((d) =>
      d.attachments.map((a) => {
        const row = byKey.get(`${d.contact.id}|${a.storageKey}`)!;
        return {
          id: row.id,
          contentType: row.content_type,
          sizeBytes: row.size_bytes,
          ...(row.file_name === null ? {} : { fileName: row.file_name }),
        };
      }),
    );
  }

  /** For the widget: null unless this contact sent it, or an agent sent it to this contact. */
  async openForContact(contact: WebContact, id: string): Promise<AttachmentContent | null> {
    const rows: AttachmentRow[] = await queryRows(
      this.db,
      'SELECT * FROM channels.web_attachments WHERE workspace_id = $1 AND contact_id = $2 AND id = $3',
      [contact.workspaceId, contact.id, id],
    );
    if (rows[0]) return this.read(rows[0].storage_key, rows[0].content_type, rows[0].file_name);
    // Also the grants of visitors merged into this contact: a merge moves a visitor's grants unless
    // the user already had one for the file, and the transcript items it copied name the visitor's.
    const grants: GrantRow[] = await queryRows(
      this.db,
      `SELECT g.* FROM channels.web_attachment_grants g
        WHERE g.workspace_id = $1 AND g.id = $3
          AND (g.contact_id = $2 OR g.contact_id IN (
                SELECT m.id FROM channels.web_contacts m WHERE m.workspace_id = $1 AND m.merged_into = $2))`,
      [contact.workspaceId, contact.id, id],
    );
    const grant = grants[0];
    if (!grant) return null;
    // An agent's upload (ADR 0055): the inbox checked its bytes against its type and keyed it under
    // its workspace; it is read from the shared store only in the grant's workspace, and only as a
    // type the inbox accepts (never, say, as HTML whatever an event claimed).
    const agentFile = workspaceStoreKey(contact.workspaceId, grant.storage_key, ['inbox']);
    if (agentFile !== null) {
      if (!ALLOWED_ATTACHMENT_TYPES.includes(grant.content_type)) return null;
      return this.read(agentFile, grant.content_type, grant.file_name);
    }
    if (grant.storage_key.startsWith('web/')) {
      const content = await this.openByStorageKey(contact.workspaceId, grant.storage_key);
      // Served as the reply named it, but never as a type the stored bytes were not checked against.
      return content === null ? null : { ...content, fileName: grant.file_name ?? content.fileName };
    }
    // A customer's MMS the SMS channel copied into the store (ADR 0033): read only under the
    // grant's workspace. Its type is the one the SMS channel published (the carrier's); sendStoredFile
    // shows only images inline, with nosniff and a sandbox, as for any granted file.
    const smsMedia = workspaceStoreKey(contact.workspaceId, grant.storage_key, ['sms-media']);
    if (smsMedia !== null) return this.read(smsMedia, grant.content_type, grant.file_name);
    // Any other key (a URL, another store's) is granted but not served: we fetch nothing on a
    // customer's behalf.
    return null;
  }

  /** For grants: a web attachment's bytes (`web/…`) by its storage key, in that workspace only. */
  private async openByStorageKey(workspaceId: string, storageKey: string): Promise<AttachmentContent | null> {
    if (workspaceStoreKey(workspaceId, storageKey, ['web']) === null) return null;
    const rows: AttachmentRow[] = await queryRows(
      this.db,
      'SELECT * FROM channels.web_attachments WHERE workspace_id = $1 AND storage_key = $2',
      [workspaceId, storageKey],
    );
    return rows[0] ? this.read(rows[0].storage_key, rows[0].content_type, rows[0].file_name) : null;
  }

  /** Null if the bytes are gone (a row indexed before a store was emptied by hand): not found. */
  private async read(
    storageKey: string,
    contentType: string,
    fileName: string | null,
  ): Promise<AttachmentContent | null> {
    const stored = await this.files.get(storageKey);
    return stored === null ? null : { contentType, fileName, size: stored.size, body: stored.body };
  }
}
