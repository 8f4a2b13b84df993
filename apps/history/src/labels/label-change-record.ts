import type { Db } from '../database/sql.util.js';

/**
 * History's own record of a conversation's label change (ADR 0118), under the event's id and time:
 * what `replayRecords` hands a reporting store that rebuilds its labels past the log's retention.
 * Written in the transaction of the change, beside its outbox row.
 */
export async function recordConversationLabelChange(
  tx: Db,
  eventId: string,
  workspaceId: string,
  conversationId: string,
  labelIds: readonly string[],
  changedAt: string,
): Promise<void> {
  await tx.query(
    `INSERT INTO history.conversation_label_changes (event_id, workspace_id, conversation_id, label_ids, at)
     VALUES ($1, $2, $3, $4::uuid[], $5)`,
    [eventId, workspaceId, conversationId, labelIds, changedAt],
  );
}
