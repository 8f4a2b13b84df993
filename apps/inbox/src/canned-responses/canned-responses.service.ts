import { Injectable } from '@nestjs/common';
import { AlreadyExistsError, NotFoundError } from '@switchboard/contracts';
import { InjectServiceDataSource, isUniqueViolation } from '@switchboard/platform';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { UUID } from '../users/user.js';

export interface CannedResponse {
  id: string;
  shortcut: string;
  title: string;
  body: string;
  updatedAt: string;
}

export interface CannedResponseInput {
  shortcut: string;
  title: string;
  body: string;
}

interface Row {
  id: string;
  shortcut: string;
  title: string;
  body: string;
  updated_at: Date;
}

const toView = (row: Row): CannedResponse => ({
  id: row.id,
  shortcut: row.shortcut,
  title: row.title,
  body: row.body,
  updatedAt: row.updated_at.toISOString(),
});

/** A workspace's canned responses; agents type `/shortcut` in the reply box to insert one. */
@Injectable()
export class CannedResponsesService {
  constructor(@InjectServiceDataSource('inbox') private readonly db: DataSource) {}

  async list(workspaceId: string): Promise<CannedResponse[]> {
    const rows: Row[] = await this.db.query(
      'SELECT * FROM inbox.canned_responses WHERE workspace_id = $1 ORDER BY shortcut',
      [workspaceId],
    );
    return rows.map(toView);
  }

  async create(workspaceId: string, by: string, input: CannedResponseInput): Promise<CannedResponse> {
    const rows: Row[] = await this.db.query(
      `INSERT INTO inbox.canned_responses (id, workspace_id, shortcut, title, body, created_by)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT ON CONSTRAINT canned_responses_shortcut_unique DO NOTHING RETURNING *`,
      [randomUUID(), workspaceId, input.shortcut, input.title, input.body, by],
    );
    if (!rows[0]) throw new AlreadyExistsError(`the shortcut /${input.shortcut} is taken`);
    return toView(rows[0]);
  }

  async update(workspaceId: string, id: string, input: CannedResponseInput): Promise<CannedResponse> {
    if (!UUID.test(id)) throw new NotFoundError('canned response');
    try {
      const [rows] = await this.db.query<[Row[], number]>(
        `UPDATE inbox.canned_responses SET shortcut = $3, title = $4, body = $5, updated_at = now()
         WHERE workspace_id = $1 AND id = $2 RETURNING *`,
        [workspaceId, id, input.shortcut, input.title, input.body],
      );
      if (!rows[0]) throw new NotFoundError('canned response');
      return toView(rows[0]);
    } catch (error) {
      if (isUniqueViolation(error)) throw new AlreadyExistsError(`the shortcut /${input.shortcut} is taken`);
      throw error;
    }
  }

  async remove(workspaceId: string, id: string): Promise<void> {
    if (!UUID.test(id)) throw new NotFoundError('canned response');
    const [, count] = await this.db.query<[unknown, number]>(
      'DELETE FROM inbox.canned_responses WHERE workspace_id = $1 AND id = $2',
      [workspaceId, id],
    );
    if (count === 0) throw new NotFoundError('canned response');
  }
}
