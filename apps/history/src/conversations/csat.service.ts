import { Injectable } from '@nestjs/common';
import type { CsatSubmittedV1 } from '@switchboard/contracts';
import { InjectServiceDataSource, createLogger } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { maskCardNumbers } from '../card-numbers/card-number-mask.util.js';
import { rows } from '../database/sql.util.js';
import { normalizeIdentityValue } from '../identities/identity-value.util.js';

/**
 * A customer's rating of a conversation. Only the conversation's own customer can rate it (the
 * sender's identity must belong to it); a later rating replaces an earlier one, a redelivered
 * older one changes nothing.
 */
@Injectable()
export class CsatService {
  private readonly logger = createLogger('history.csat');

  constructor(@InjectServiceDataSource('history') private readonly db: DataSource) {}

  async record(event: CsatSubmittedV1): Promise<void> {
    const p = event.payload;
    const updated = await rows<{ id: string }>(
      this.db,
      `UPDATE history.conversations c
       SET csat_rating = $4, csat_comment = $5, csat_submitted_at = $6, updated_at = now()
       FROM history.identities i
       WHERE c.workspace_id = $1 AND c.id = $2
         AND i.workspace_id = $1 AND i.kind = $3 AND i.value = $7 AND i.customer_id = c.customer_id
         AND (c.csat_submitted_at IS NULL OR c.csat_submitted_at <= $6)
       RETURNING c.id`,
      [
        event.workspaceId,
        p.conversationId,
        p.sender.kind,
        p.rating,
        p.comment === undefined ? null : maskCardNumbers(p.comment),
        p.submittedAt,
        normalizeIdentityValue(p.sender.kind, p.sender.address),
      ],
    );
    if (updated.length === 0)
      this.logger.info(
        { eventId: event.id, conversationId: p.conversationId },
        'CSAT not recorded: unknown conversation, not this sender’s, or older than the one on record',
      );
  }
}
