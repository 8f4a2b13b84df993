import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type StandaloneWithSms, startStandaloneWithSms, waitFor } from '@switchboard/testing';
import pg from 'pg';

const execFileAsync = promisify(execFile);
const CLI = 'dist/apps/standalone/src/reports-rebuild.cli.js';

/**
 * `npm run reports:rebuild` beside a running `npm start` (ADR 0118): no internal RPC, no settings
 * but the database. The command reads history's records from that database in its own process and
 * rebuilds the workspace's figures and labels while the platform goes on running: a workspace
 * whose reporting rows were lost gets back exactly what the live consumer had built.
 */
describe('npm run reports:rebuild beside npm start', () => {
  let standalone: StandaloneWithSms;
  let db: pg.Pool;
  let cookie: string;
  let csrfToken: string;

  beforeAll(async () => {
    standalone = await startStandaloneWithSms('standalone_reports_rebuild');
    db = new pg.Pool({ connectionString: standalone.database.url, max: 2 });
    const login = await fetch(`${standalone.app.url}/api/inbox/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: standalone.app.url },
      body: JSON.stringify(standalone.admin),
    });
    expect(login.status).toBe(200);
    cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    csrfToken = ((await login.json()) as { csrfToken: string }).csrfToken;
  }, 180_000);

  afterAll(async () => {
    await db?.end();
    await standalone?.close();
  });

  async function inbox<T>(method: string, path: string, body: unknown): Promise<T> {
    const response = await fetch(`${standalone.app.url}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        origin: standalone.app.url,
        cookie,
        'x-csrf-token': csrfToken,
      },
      body: JSON.stringify(body),
    });
    expect(response.status).toBeLessThan(300);
    return (await response.json()) as T;
  }

  /** The workspace's figures and labels, as the live consumer or a rebuild left them. */
  async function figures(workspaceId: string): Promise<unknown> {
    const read = async (sql: string): Promise<unknown[]> =>
      (await db.query<Record<string, unknown>>(sql, [workspaceId])).rows;
    return {
      conversations: await read(
        `SELECT conversation_id, summary, contribution FROM reporting.conversations
          WHERE workspace_id = $1 ORDER BY conversation_id`,
      ),
      hourly: await read(
        `SELECT * FROM reporting.hourly WHERE workspace_id = $1 ORDER BY bucket, queue_id, channel, in_hours`,
      ),
      labels: await read(
        `SELECT conversation_id, label_ids, changed_at, event_id FROM reporting.conversation_labels
          WHERE workspace_id = $1 ORDER BY conversation_id`,
      ),
    };
  }

  it('rebuilds a workspace’s figures and labels from the records in the same database', async () => {
    await standalone.text('+14155550701', 'Hello?');
    await standalone.text('+14155550702', 'Anyone there?');
    const opened = await waitFor(
      async () => {
        const { rows } = await db.query<{ id: string; workspace_id: string }>(
          'SELECT id, workspace_id FROM history.conversations ORDER BY opened_at, id',
        );
        return rows.length === 2 ? rows : undefined;
      },
      { what: 'both conversations in history' },
    );
    const workspace = opened[0]!.workspace_id;
    const label = await inbox<{ id: string }>('POST', '/api/inbox/labels', {
      name: 'Billing',
      colour: '#aa3355',
    });
    await inbox('PUT', `/api/inbox/conversations/${opened[0]!.id}/labels`, { labelIds: [label.id] });
    await waitFor(
      async () => {
        const { rows } = await db.query<{ n: number | null; labelled: number }>(
          `SELECT (SELECT sum(conversations)::int FROM reporting.hourly WHERE workspace_id = $1) AS n,
                  (SELECT count(*)::int FROM reporting.conversation_labels
                    WHERE workspace_id = $1 AND $2::uuid = ANY(label_ids)) AS labelled`,
          [workspace, label.id],
        );
        return rows[0]!.n === 2 && rows[0]!.labelled === 1;
      },
      { what: 'the live figures and label', timeoutMs: 60_000 },
    );
    const live = await figures(workspace);

    for (const table of ['facts', 'conversations', 'assignments', 'hourly', 'conversation_labels'])
      await db.query(`DELETE FROM reporting.${table} WHERE workspace_id = $1`, [workspace]);
    expect(await figures(workspace)).toEqual({ conversations: [], hourly: [], labels: [] });

    // As an operator runs it beside `npm start`: the database, nothing else.
    const done = await execFileAsync(process.execPath, [CLI, '--workspace', workspace], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: standalone.database.url, LOG_LEVEL: 'warn' },
    });
    expect(JSON.parse(done.stdout)).toMatchObject({
      workspaceId: workspace,
      conversations: 2,
      labelledConversations: 1,
    });
    expect(await figures(workspace)).toEqual(live);
    // The platform went on running.
    expect((await fetch(`${standalone.app.url}/readyz`)).status).toBe(200);
  }, 180_000);
});
