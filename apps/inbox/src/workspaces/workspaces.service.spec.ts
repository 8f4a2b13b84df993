import type { DataSource, EntityManager } from 'typeorm';
import type { SessionsService } from '../auth/sessions.service.js';
import type { UserRow } from '../users/user.js';
import type { UsersService } from '../users/users.service.js';
import { WorkspacesService } from './workspaces.service.js';

const row: UserRow = {
  id: '7a0c6f1e-2b8d-4c55-9a39-3f1d2e4b5c6d',
  workspace_id: '00000000-0000-4000-8000-000000000001',
  email: 'founder@shop.example',
  display_name: 'Founder',
  role: 'admin',
  password_hash: 'x',
  disabled_at: null,
  created_at: new Date('2026-12-01T00:00:00Z'),
  account_id: null,
  operator: false,
};

/**
 * The operator's rights go on the user's very next request to this replica: their cached sessions
 * are revoked inside the change's transaction, not only when its notification comes back (a
 * request in between was answered from the cache as operator).
 */
describe('WorkspacesService.setOperator', () => {
  function serviceWith(rows: UserRow[]) {
    const steps: string[] = [];
    const tx = {
      query: (sql: string) => {
        steps.push(sql.startsWith('UPDATE inbox.users') ? 'update' : sql);
        return Promise.resolve([rows, rows.length]);
      },
    } as unknown as EntityManager;
    const db = {
      transaction: async <T>(work: (manager: EntityManager) => Promise<T>) => {
        const result = await work(tx);
        steps.push('commit');
        return result;
      },
    } as unknown as DataSource;
    const sessions = {
      revokeUser: (userId: string) => steps.push(`revoke ${userId}`),
    } as unknown as SessionsService;
    return { service: new WorkspacesService(db, {} as UsersService, sessions, null, null), steps };
  }

  it("revokes the user's cached sessions before the change commits", async () => {
    const { service, steps } = serviceWith([row]);
    const user = await service.setOperator(row.workspace_id, 'Founder@Shop.example', false);
    expect(user).toMatchObject({ id: row.id, operator: false });
    expect(steps).toEqual(['update', `revoke ${row.id}`, 'commit']);
  });

  it('revokes nothing for an unknown user', async () => {
    const { service, steps } = serviceWith([]);
    await expect(service.setOperator(row.workspace_id, 'nobody@shop.example', true)).rejects.toThrow(
      'not found',
    );
    expect(steps).toEqual(['update']);
  });
});
