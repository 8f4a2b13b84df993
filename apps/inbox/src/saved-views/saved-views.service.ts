import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  AlreadyExistsError,
  type Channel,
  FailedPreconditionError,
  NotFoundError,
} from '@switchboard/contracts';
import { InjectServiceDataSource, isUniqueViolation } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { UUID } from '../users/user.js';

/** The conversation list's filters, as the list's query string carries them. */
export interface SavedViewFilters {
  view: 'mine' | 'unassigned' | 'all';
  /** Comma-separated statuses, as the list takes them (`open,pending`). */
  status: string;
  channel?: Channel;
  queueId?: string;
  labelId?: string;
}

export interface SavedView {
  id: string;
  name: string;
  filters: SavedViewFilters;
  createdAt: string;
}

interface Row {
  id: string;
  name: string;
  filters: SavedViewFilters;
  created_at: Date;
}

/** A user keeps at most this many views. */
export const MAX_SAVED_VIEWS = 50;

const toView = (r: Row): SavedView => ({
  id: r.id,
  name: r.name,
  filters: r.filters,
  createdAt: r.created_at.toISOString(),
});

/** Each user's own saved views of the conversation list ("my open billing chats"); nobody else sees them. */
@Injectable()
export class SavedViewsService {
  constructor(@InjectServiceDataSource('inbox') private readonly db: DataSource) {}

  async list(workspaceId: string, userId: string): Promise<SavedView[]> {
    const rows: Row[] = await this.db.query(
      `SELECT id, name, filters, created_at FROM inbox.saved_views
       WHERE workspace_id = $1 AND user_id = $2 ORDER BY lower(name), id`,
      [workspaceId, userId],
    );
    return rows.map(toView);
  }

  async create(
    workspaceId: string,
    userId: string,
    input: { name: string; filters: SavedViewFilters },
  ): Promise<SavedView> {
    try {
      const rows: Row[] = await this.db.query(
        `INSERT INTO inbox.saved_views (id, workspace_id, user_id, name, filters)
         SELECT $1, $2, $3, $4, $5
         WHERE (SELECT count(*) FROM inbox.saved_views WHERE workspace_id = $2 AND user_id = $3) < $6
         RETURNING id, name, filters, created_at`,
        [randomUUID(), workspaceId, userId, input.name, JSON.stringify(input.filters), MAX_SAVED_VIEWS],
      );
      if (!rows[0]) throw new FailedPreconditionError(`at most ${MAX_SAVED_VIEWS} saved views`);
      return toView(rows[0]);
    } catch (error) {
      if (isUniqueViolation(error)) throw new AlreadyExistsError(`you have a view named "${input.name}"`);
      throw error;
    }
  }

  async remove(workspaceId: string, userId: string, id: string): Promise<void> {
    if (!UUID.test(id)) throw new NotFoundError('saved view');
    const [, count] = await this.db.query<[unknown, number]>(
      'DELETE FROM inbox.saved_views WHERE workspace_id = $1 AND user_id = $2 AND id = $3',
      [workspaceId, userId, id],
    );
    if (count === 0) throw new NotFoundError('saved view');
  }
}
