import { Injectable } from '@nestjs/common';
import { AlreadyExistsError, NotFoundError, type QueueInput, type QueueView } from '@switchboard/contracts';
import { InjectServiceDataSource, isUniqueViolation, returnedRows } from '@switchboard/platform';
import { randomUUID } from 'node:crypto';
import { queueConfigFromRow, type QueueRow } from '../workspaces/routing-rows.js';
import type { DataSource } from 'typeorm';
import { RoutingJournalRepository } from '../inputs/routing-journal.repository.js';
import { checkWorkspace, parseQueueInput } from './routing-api.validation.js';
import { RoutingReadsRepository } from './routing-reads.repository.js';
import { queueView } from './routing-reads.repository.js';

/** Queues: configuration written with its journal entry, names unique per workspace whatever their case. */
@Injectable()
export class QueuesApiService {
  constructor(
    @InjectServiceDataSource('routing') private readonly db: DataSource,
    private readonly journal: RoutingJournalRepository,
    private readonly reads: RoutingReadsRepository,
  ) {}

  async upsertQueue(workspaceId: string, input: QueueInput): Promise<QueueView> {
    checkWorkspace(workspaceId);
    const queue = parseQueueInput(input);
    const queueId = queue.id ?? randomUUID();
    const row = await this.db
      .transaction(async (manager) => {
        const saved = await manager.query<QueueRow[]>(
          `INSERT INTO routing.queues
             (workspace_id, id, name, priority, entry, service_level, steps, mode, offer_timeout_seconds, max_missed_offers, preferred_agent)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT (workspace_id, id) DO UPDATE SET
             name = excluded.name, priority = excluded.priority, entry = excluded.entry,
             service_level = excluded.service_level, steps = excluded.steps, mode = excluded.mode,
             offer_timeout_seconds = excluded.offer_timeout_seconds, max_missed_offers = excluded.max_missed_offers,
             preferred_agent = excluded.preferred_agent, updated_at = now()
           RETURNING *`,
          [
            workspaceId,
            queueId,
            queue.name,
            queue.priority ?? 0,
            JSON.stringify(queue.entry ?? {}),
            JSON.stringify(queue.serviceLevel ?? { targetPercent: 80, withinSeconds: 60 }),
            JSON.stringify(
              (queue.steps ?? []).map((s) => ({
                expression: s.expression.trim(),
                expiresAfterSeconds: s.expiresAfterSeconds,
              })),
            ),
            queue.mode ?? 'auto',
            queue.offerTimeoutSeconds ?? 30,
            queue.maxMissedOffers ?? 3,
            queue.preferredAgent ? JSON.stringify(queue.preferredAgent) : null,
          ],
        );
        await this.journal.appendConfiguration(manager, workspaceId, {
          type: 'queue.configured',
          config: queueConfigFromRow(saved[0]!),
        });
        return saved[0]!;
      })
      .catch((error: unknown) => {
        if (isUniqueViolation(error)) throw new AlreadyExistsError(`a queue named "${queue.name}" exists`);
        throw error;
      });
    return queueView(row);
  }

  async getQueue(workspaceId: string, queueId: string): Promise<QueueView> {
    checkWorkspace(workspaceId);
    const rows = await this.db.query<QueueRow[]>(
      'SELECT * FROM routing.queues WHERE workspace_id = $1 AND id = $2',
      [workspaceId, queueId],
    );
    if (rows.length === 0) throw new NotFoundError(`queue ${queueId}`);
    return queueView(rows[0]!);
  }

  async listQueues(workspaceId: string): Promise<QueueView[]> {
    checkWorkspace(workspaceId);
    const rows = await this.db.query<QueueRow[]>(
      'SELECT * FROM routing.queues WHERE workspace_id = $1 ORDER BY priority DESC, created_at, id',
      [workspaceId],
    );
    return rows.map(queueView);
  }

  async deleteQueue(workspaceId: string, queueId: string): Promise<void> {
    checkWorkspace(workspaceId);
    await this.db.transaction(async (manager) => {
      const deleted = returnedRows(
        await manager.query('DELETE FROM routing.queues WHERE workspace_id = $1 AND id = $2 RETURNING 1', [
          workspaceId,
          queueId,
        ]),
      );
      if (deleted.length === 0) throw new NotFoundError(`queue ${queueId}`);
      await this.journal.appendConfiguration(manager, workspaceId, { type: 'queue.removed', queueId });
    });
  }
}
