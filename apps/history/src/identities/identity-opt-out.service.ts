import { Injectable } from '@nestjs/common';
import type { IdentityOptOutChangedV1 } from '@switchboard/contracts';
import { InjectServiceDataSource } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { resolveIdentities } from './identity-resolver.js';
import { identityKey, normalizeIdentityValue } from './identity-value.util.js';

/**
 * STOP and START from the channels. Applied by `changedAt`, so a redelivered STOP can't undo a
 * later START; `sendMessage` refuses an opted-out address.
 */
@Injectable()
export class IdentityOptOutService {
  constructor(@InjectServiceDataSource('history') private readonly db: DataSource) {}

  async apply(event: IdentityOptOutChangedV1): Promise<void> {
    const p = event.payload;
    const value = normalizeIdentityValue(p.identity.kind, p.identity.address);
    await this.db.transaction(async (tx) => {
      const identities = await resolveIdentities(tx, [
        { workspaceId: event.workspaceId, kind: p.identity.kind, value, verified: false },
      ]);
      const identity = identities.get(identityKey(event.workspaceId, p.identity.kind, value))!;
      await tx.query(
        `UPDATE history.identities SET opted_out = $2, opt_out_changed_at = $3
         WHERE id = $1 AND (opt_out_changed_at IS NULL OR opt_out_changed_at <= $3)`,
        [identity.id, p.optedOut, p.changedAt],
      );
    });
  }
}
