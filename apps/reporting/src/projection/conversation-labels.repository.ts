import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { LabelChange } from './label-change.js';

/** The SQL of each conversation's current labels (ADR 0123), beside the batch's other writes. */
@Injectable()
export class ConversationLabelsRepository {
  /**
   * Keeps each conversation's latest set: a row is replaced only by a later change, so a
   * redelivery or an older change read late leaves it as it is. A change naming an erased
   * conversation (ADR 0107) is dropped, like its facts. `changes`: one per conversation, in key
   * order (`latestPerConversation`).
   */
  async setLabels(tx: EntityManager, changes: readonly LabelChange[]): Promise<void> {
    await upsertLatestLabels(tx, 'reporting.conversation_labels', changes, { skipErased: true });
  }
}

/**
 * Upserts each conversation's set into `table` unless the row holds a later change (`changed_at`,
 * then the event id): the live store's rule, which the rebuild's staging follows too (ADR 0118).
 * `skipErased` drops changes naming an erased conversation (ADR 0107).
 */
export async function upsertLatestLabels(
  db: Pick<EntityManager, 'query'>,
  table: 'reporting.conversation_labels' | 'reporting.rebuild_labels',
  changes: readonly LabelChange[],
  { skipErased }: { skipErased: boolean },
): Promise<void> {
  if (changes.length === 0) return;
  await db.query(
    `INSERT INTO ${table} AS l (workspace_id, conversation_id, label_ids, changed_at, event_id)
     SELECT c.w, c.c, array(SELECT jsonb_array_elements_text(c.labels)::uuid), c.at, c.e
       FROM unnest($1::uuid[], $2::uuid[], $3::jsonb[], $4::timestamptz[], $5::uuid[]) AS c(w, c, labels, at, e)
     ${
       skipErased
         ? `WHERE NOT EXISTS (SELECT 1 FROM reporting.erased_conversations x
                             WHERE x.workspace_id = c.w AND x.conversation_id = c.c)`
         : ''
     }
     ON CONFLICT (workspace_id, conversation_id) DO UPDATE
        SET label_ids = excluded.label_ids, changed_at = excluded.changed_at, event_id = excluded.event_id
      WHERE (excluded.changed_at, excluded.event_id) > (l.changed_at, l.event_id)`,
    [
      changes.map((c) => c.workspaceId),
      changes.map((c) => c.conversationId),
      changes.map((c) => JSON.stringify(c.labelIds)),
      changes.map((c) => new Date(c.changedAt).toISOString()),
      changes.map((c) => c.eventId),
    ],
  );
}
