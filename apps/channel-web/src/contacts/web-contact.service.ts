import { Injectable } from '@nestjs/common';
import { InjectServiceDataSource, queryRows } from '@switchboard/platform';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { WEB_DATA_SOURCE } from '../channel-web.config.js';
import {
  isVisitorTokenShaped,
  newVisitorId,
  newVisitorToken,
  visitorTokenHash,
} from './identity-verification.util.js';
import type { WebContact } from './web-contact.js';

interface ContactRow {
  id: string;
  workspace_id: string;
  visitor_id: string | null;
  user_id: string | null;
  name: string | null;
  email: string | null;
  customer_id: string | null;
  conversation_id: string | null;
}

export interface UserProfile {
  readonly name?: string;
  readonly email?: string;
}

/** Contacts: visitors found by their token (bound to its workspace), verified users by their id. */
@Injectable()
export class WebContactService {
  constructor(@InjectServiceDataSource(WEB_DATA_SOURCE) private readonly db: DataSource) {}

  /**
   * The visitor a token names in this workspace, or a new visitor with a new token when the token
   * is absent, unknown, or another workspace's (which reads as unknown).
   */
  async resolveVisitor(
    workspaceId: string,
    token: string | undefined,
  ): Promise<{ contact: WebContact; token: string; created: boolean }> {
    if (token !== undefined && isVisitorTokenShaped(token)) {
      const rows: ContactRow[] = await queryRows(
        this.db,
        `UPDATE channels.web_contacts SET last_seen_at = now()
         WHERE workspace_id = $1 AND token_hash = $2 RETURNING *`,
        [workspaceId, visitorTokenHash(token)],
      );
      if (rows[0]) return { contact: toContact(rows[0]), token, created: false };
    }
    const fresh = newVisitorToken();
    const rows: ContactRow[] = await queryRows(
      this.db,
      `INSERT INTO channels.web_contacts (id, workspace_id, visitor_id, token_hash)
       VALUES ($1, $2, $3, $4) RETURNING *`,
      [randomUUID(), workspaceId, newVisitorId(), visitorTokenHash(fresh)],
    );
    return { contact: toContact(rows[0]!), token: fresh, created: true };
  }

  /** The visitor a token names in this workspace, without creating one. */
  async findVisitor(workspaceId: string, token: string): Promise<WebContact | null> {
    if (!isVisitorTokenShaped(token)) return null;
    const rows: ContactRow[] = await queryRows(
      this.db,
      'SELECT * FROM channels.web_contacts WHERE workspace_id = $1 AND token_hash = $2',
      [workspaceId, visitorTokenHash(token)],
    );
    return rows[0] ? toContact(rows[0]) : null;
  }

  /** The verified user's contact (the same on every device), created on first sight. */
  async resolveUser(workspaceId: string, userId: string, profile: UserProfile): Promise<WebContact> {
    const rows: ContactRow[] = await queryRows(
      this.db,
      `INSERT INTO channels.web_contacts (id, workspace_id, user_id, name, email)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (workspace_id, user_id) DO UPDATE SET
         name = COALESCE(EXCLUDED.name, web_contacts.name),
         email = COALESCE(EXCLUDED.email, web_contacts.email),
         last_seen_at = now()
       RETURNING *`,
      [randomUUID(), workspaceId, userId, profile.name ?? null, profile.email ?? null],
    );
    return toContact(rows[0]!);
  }

  async findById(workspaceId: string, contactId: string): Promise<WebContact | null> {
    const rows: ContactRow[] = await queryRows(
      this.db,
      'SELECT * FROM channels.web_contacts WHERE workspace_id = $1 AND id = $2',
      [workspaceId, contactId],
    );
    return rows[0] ? toContact(rows[0]) : null;
  }

  /**
   * The contact a delivery is addressed to: `web_visitor` by visitor id, `web_user` by user id. A
   * visitor merged into a user (signed in on the same browser) is that user now.
   */
  async findByAddress(workspaceId: string, kind: string, address: string): Promise<WebContact | null> {
    const found = await this.findManyByAddress(workspaceId, [{ kind, address }]);
    return found.get(`${kind}|${address}`) ?? null;
  }

  /**
   * Many contacts by their delivery addresses at once (`web_visitor` visitor ids, `web_user` user
   * ids), keyed `kind|address`; merged visitors resolve to the user they became.
   */
  async findManyByAddress(
    workspaceId: string,
    addresses: readonly { kind: string; address: string }[],
  ): Promise<Map<string, WebContact>> {
    const visitors = addresses.filter((a) => a.kind === 'web_visitor').map((a) => a.address);
    const users = addresses.filter((a) => a.kind === 'web_user').map((a) => a.address);
    if (visitors.length === 0 && users.length === 0) return new Map();
    const rows: (ContactRow & { address_kind: string; address: string })[] = await queryRows(
      this.db,
      // Two index lookups: an OR across the two columns would scan the table.
      `SELECT 'web_visitor' AS address_kind, v.visitor_id AS address, c.*
         FROM channels.web_contacts v JOIN channels.web_contacts c ON c.id = COALESCE(v.merged_into, v.id)
        WHERE v.workspace_id = $1 AND v.visitor_id = ANY($2::text[])
       UNION ALL
       SELECT 'web_user', u.user_id, u.* FROM channels.web_contacts u
        WHERE u.workspace_id = $1 AND u.user_id = ANY($3::text[])`,
      [workspaceId, visitors, users],
    );
    return new Map(rows.map((row) => [`${row.address_kind}|${row.address}`, toContact(row)]));
  }

  /**
   * The visitor ids carried over into a signed-in user (ADR 0044), newest first: the user's
   * messages name them as verified identities, so history joins the anonymous customers too.
   */
  async carriedOverVisitorIds(contact: WebContact): Promise<string[]> {
    if (contact.userId === null) return [];
    const rows: { visitor_id: string }[] = await queryRows(
      this.db,
      `SELECT visitor_id FROM channels.web_contacts
        WHERE workspace_id = $1 AND merged_into = $2 AND visitor_id IS NOT NULL
        ORDER BY created_at DESC LIMIT 5`,
      [contact.workspaceId, contact.id],
    );
    return rows.map((r) => r.visitor_id);
  }

  /** The contacts history's customer chats as (a merged visitor's customer: the user it became). */
  async findByCustomer(workspaceId: string, customerId: string): Promise<WebContact[]> {
    const rows: ContactRow[] = await queryRows(
      this.db,
      `SELECT DISTINCT c.* FROM channels.web_contacts v
         JOIN channels.web_contacts c ON c.id = COALESCE(v.merged_into, v.id)
        WHERE v.workspace_id = $1 AND v.customer_id = $2`,
      [workspaceId, customerId],
    );
    return rows.map(toContact);
  }

  /** What the pre-chat form told us; sent with the visitor's next messages. */
  async saveProfile(contact: WebContact, profile: UserProfile): Promise<WebContact> {
    const rows: ContactRow[] = await queryRows(
      this.db,
      `UPDATE channels.web_contacts SET name = COALESCE($3, name), email = COALESCE($4, email)
       WHERE workspace_id = $1 AND id = $2 RETURNING *`,
      [contact.workspaceId, contact.id, profile.name ?? null, profile.email ?? null],
    );
    return rows[0] ? toContact(rows[0]) : contact;
  }
}

function toContact(row: ContactRow): WebContact {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    visitorId: row.visitor_id,
    userId: row.user_id,
    name: row.name,
    email: row.email,
    customerId: row.customer_id,
    conversationId: row.conversation_id,
  };
}
