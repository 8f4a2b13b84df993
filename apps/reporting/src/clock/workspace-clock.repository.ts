import { Injectable } from '@nestjs/common';
import type { WorkspaceClock } from '@switchboard/contracts';
import { InjectServiceDataSource, queryRows } from '@switchboard/platform';
import type { DataSource, EntityManager } from 'typeorm';

/** A workspace no one set a clock for reads UTC, always open. */
export const DEFAULT_CLOCK: WorkspaceClock = { timeZone: 'UTC', businessHours: null };

@Injectable()
export class WorkspaceClockRepository {
  constructor(@InjectServiceDataSource('reporting') private readonly db: DataSource) {}

  async get(workspaceId: string, db: DataSource | EntityManager = this.db): Promise<WorkspaceClock> {
    return (await this.getMany([workspaceId], db)).get(workspaceId) ?? DEFAULT_CLOCK;
  }

  async getMany(
    workspaceIds: readonly string[],
    db: DataSource | EntityManager = this.db,
  ): Promise<Map<string, WorkspaceClock>> {
    const rows = await queryRows<{
      workspace_id: string;
      time_zone: string;
      business_hours: WorkspaceClock['businessHours'];
    }>(
      db,
      'SELECT workspace_id, time_zone, business_hours FROM reporting.workspace_clocks WHERE workspace_id = ANY($1::uuid[])',
      [workspaceIds],
    );
    const clocks = new Map<string, WorkspaceClock>();
    for (const id of workspaceIds) clocks.set(id, DEFAULT_CLOCK);
    for (const r of rows)
      clocks.set(r.workspace_id, { timeZone: r.time_zone, businessHours: r.business_hours });
    return clocks;
  }

  async set(
    workspaceId: string,
    clock: WorkspaceClock,
    db: DataSource | EntityManager = this.db,
  ): Promise<void> {
    await db.query(
      `INSERT INTO reporting.workspace_clocks (workspace_id, time_zone, business_hours)
       VALUES ($1, $2, $3::jsonb)
       ON CONFLICT (workspace_id) DO UPDATE
         SET time_zone = excluded.time_zone, business_hours = excluded.business_hours, updated_at = now()`,
      [
        workspaceId,
        clock.timeZone,
        clock.businessHours === null ? null : JSON.stringify(clock.businessHours),
      ],
    );
  }
}
