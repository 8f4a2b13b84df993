import { Injectable } from '@nestjs/common';
import type { ConversationAssignedV1 } from '@switchboard/contracts';
import { InjectServiceDataSource } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { rows } from '../database/sql.util.js';

/**
 * Routing's decisions, recorded on the conversation. Every decision joins the assignment history
 * once (deduplicated by event id); only `assign` changes the assignee and queue (an `offer` waits
 * for the agent), and never back to an older decision.
 */
@Injectable()
export class AssignmentService {
  constructor(@InjectServiceDataSource('history') private readonly db: DataSource) {}

  async record(events: readonly ConversationAssignedV1[]): Promise<void> {
    if (events.length === 0) return;
    await this.db.transaction(async (tx) => {
      for (const event of events) {
        const p = event.payload;
        const inserted = await rows<{ event_id: string }>(
          tx,
          `INSERT INTO history.assignments
             (event_id, workspace_id, conversation_id, agent_id, queue_id, mode, at, explanation)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING event_id`,
          [
            event.id,
            event.workspaceId,
            p.conversationId,
            p.agentId,
            p.queueId,
            p.mode,
            p.assignedAt,
            JSON.stringify(p.explanation),
          ],
        );
        if (inserted.length === 0 || p.mode !== 'assign') continue;
        await tx.query(
          `UPDATE history.conversations
           SET assignee_id = $3, queue_id = $4, assigned_at = $5, updated_at = now()
           WHERE workspace_id = $1 AND id = $2 AND (assigned_at IS NULL OR assigned_at <= $5)`,
          [event.workspaceId, p.conversationId, p.agentId, p.queueId, p.assignedAt],
        );
      }
    });
  }
}
