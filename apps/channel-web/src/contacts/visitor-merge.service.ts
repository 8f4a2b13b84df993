import { Injectable } from '@nestjs/common';
import { InjectServiceDataSource, queryRows } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { WEB_DATA_SOURCE } from '../channel-web.config.js';
import { TRANSCRIPT_CHANNEL, encodeNotice } from '../transcript/transcript-notice.js';
import { isVisitorTokenShaped, visitorTokenHash } from './identity-verification.util.js';
import type { WebContact } from './web-contact.js';

/**
 * A visitor who chatted anonymously and then signed in on the same browser (the widget presents
 * its visitor token with the verified user's hello) becomes that user (ADR 0044): the visitor's
 * transcript is appended to the user's, its uploads and files sent to it follow, its token stops
 * naming anyone, and replies to its address reach the user.
 */
@Injectable()
export class VisitorMergeService {
  constructor(@InjectServiceDataSource(WEB_DATA_SOURCE) private readonly db: DataSource) {}

  /** Returns how many transcript items the user gained (0 when the token names no live visitor). */
  async mergeIntoUser(user: WebContact, visitorToken: string): Promise<number> {
    if (user.userId === null || !isVisitorTokenShaped(visitorToken)) return 0;
    return this.db.transaction(async (tx) => {
      // Only a visitor of the user's workspace, not already merged (its token is retired then).
      const visitors = await queryRows<{ id: string }>(
        tx,
        `SELECT id FROM channels.web_contacts
          WHERE workspace_id = $1 AND token_hash = $2 AND user_id IS NULL AND merged_into IS NULL`,
        [user.workspaceId, visitorTokenHash(visitorToken)],
      );
      const visitorId = visitors[0]?.id;
      if (visitorId === undefined) return 0;
      // In id order, as every transcript append locks contacts: no deadlock with a delivery batch.
      const locked = await queryRows<{ id: string; merged_into: string | null; token_hash: Buffer | null }>(
        tx,
        `SELECT id, merged_into, token_hash FROM channels.web_contacts
          WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
        [[visitorId, user.id]],
      );
      if (locked.find((row) => row.id === visitorId)?.token_hash === null) return 0;
      // After the user's own items, in the visitor's order: numbers the user's tabs have stay valid.
      const copied = await queryRows<{ seq: number }>(
        tx,
        `INSERT INTO channels.web_transcript
           (workspace_id, contact_id, seq, item_id, kind, direction, text, attachments, author,
            conversation_id, created_at, delivered_at, read_at, form)
         SELECT v.workspace_id, $2, u.last_seq + row_number() OVER (ORDER BY v.seq), v.item_id, v.kind,
                v.direction, v.text, v.attachments, v.author, v.conversation_id, v.created_at,
                v.delivered_at, v.read_at, v.form
           FROM channels.web_transcript v, channels.web_contacts u
          WHERE v.contact_id = $1 AND u.id = $2
            AND NOT EXISTS (SELECT 1 FROM channels.web_transcript x WHERE x.contact_id = $2 AND x.item_id = v.item_id)
         RETURNING seq`,
        [visitorId, user.id],
      );
      await queryRows(
        tx,
        `UPDATE channels.web_contacts u SET last_seq = u.last_seq + $3,
           customer_id = COALESCE(u.customer_id, v.customer_id),
           conversation_id = COALESCE(u.conversation_id, v.conversation_id)
          FROM channels.web_contacts v WHERE u.id = $2 AND v.id = $1`,
        [visitorId, user.id, copied.length],
      );
      // The copied items name these files by id: the user downloads them now.
      await queryRows(tx, 'UPDATE channels.web_attachments SET contact_id = $2 WHERE contact_id = $1', [
        visitorId,
        user.id,
      ]);
      // A grant the user already has for the same file stays the visitor's (one grant per contact
      // and file); openForContact serves the grants of visitors merged into a contact to it.
      await queryRows(
        tx,
        `UPDATE channels.web_attachment_grants g SET contact_id = $2 WHERE g.contact_id = $1
           AND NOT EXISTS (SELECT 1 FROM channels.web_attachment_grants o
                            WHERE o.contact_id = $2 AND o.storage_key = g.storage_key)`,
        [visitorId, user.id],
      );
      // Retired: whoever uses this browser after signing out starts as a new visitor.
      await queryRows(
        tx,
        'UPDATE channels.web_contacts SET merged_into = $2, token_hash = NULL WHERE id = $1',
        [visitorId, user.id],
      );
      // Sent at commit: the user's open tabs (other devices) re-read from their last item.
      if (copied.length > 0)
        await queryRows(tx, 'SELECT pg_notify($1, $2)', [
          TRANSCRIPT_CHANNEL,
          encodeNotice({ kind: 'item', contactId: user.id }),
        ]);
      return copied.length;
    });
  }
}
