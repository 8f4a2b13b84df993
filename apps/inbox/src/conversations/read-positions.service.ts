import { Injectable } from '@nestjs/common';
import { InjectServiceDataSource } from '@switchboard/platform';
import type { DataSource } from 'typeorm';

/**
 * How far each agent has read each conversation (a sequence number). Unread = the conversation's
 * last sequence minus this; history's sequences are gapless, so that is a count of messages.
 */
@Injectable()
export class ReadPositionsService {
  constructor(@InjectServiceDataSource('inbox') private readonly db: DataSource) {}

  async positions(
    workspaceId: string,
    userId: string,
    conversationIds: readonly string[],
  ): Promise<Map<string, number>> {
    if (conversationIds.length === 0) return new Map();
    const rows: { conversation_id: string; last_read_sequence: number }[] = await this.db.query(
      `SELECT conversation_id, last_read_sequence FROM inbox.conversation_reads
       WHERE workspace_id = $1 AND user_id = $2 AND conversation_id = ANY($3::uuid[])`,
      [workspaceId, userId, conversationIds],
    );
    return new Map(rows.map((row) => [row.conversation_id, row.last_read_sequence]));
  }

  /** Moves forward only: a stale tab reporting an older position changes nothing. */
  async markRead(
    workspaceId: string,
    userId: string,
    conversationId: string,
    sequence: number,
  ): Promise<void> {
    // Reopening a conversation with nothing new is the common case: the NOT EXISTS makes it a read
    // (no row inserted, so no conflict, no row lock, no WAL flush at commit), where an upsert whose
    // update is a no-op would still lock the row and write. Racing writers still meet in ON CONFLICT.
    await this.db.query(
      `INSERT INTO inbox.conversation_reads (user_id, conversation_id, workspace_id, last_read_sequence)
       SELECT $1::uuid, $2::uuid, $3::uuid, $4::integer
       WHERE NOT EXISTS (
         SELECT 1 FROM inbox.conversation_reads
         WHERE user_id = $1 AND conversation_id = $2 AND workspace_id = $3 AND last_read_sequence >= $4)
       ON CONFLICT (user_id, conversation_id) DO UPDATE
         SET last_read_sequence = greatest(conversation_reads.last_read_sequence, excluded.last_read_sequence),
             updated_at = now()`,
      [userId, conversationId, workspaceId, sequence],
    );
  }
}

export function unreadCount(lastSequence: number, lastRead: number | undefined): number {
  return Math.max(0, lastSequence - (lastRead ?? 0));
}
