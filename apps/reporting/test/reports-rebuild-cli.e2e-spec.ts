import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { KafkaEventBus } from '@switchboard/messaging';
import {
  type AppProcess,
  type TestDatabase,
  createTestDatabase,
  inboundMessageEvent,
  startAppProcess,
  testRunId,
  waitFor,
} from '@switchboard/testing';
import pg from 'pg';

const execFileAsync = promisify(execFile);
const INTERNAL_TOKEN = randomUUID() + randomUUID();
const CLI = 'dist/apps/reporting/src/rebuild/reports-rebuild.cli.js';

/**
 * `npm run reports:rebuild` as an operator runs it (ADR 0106): the built command beside history and
 * reporting each alone in its own process, reading history over internal RPC. A workspace whose
 * reporting rows were lost gets its figures back; a wrong workspace id or a missing
 * HISTORY_API_URL is a plain message, not a stack trace.
 */
describe('npm run reports:rebuild', () => {
  const topicPrefix = `${testRunId()}.rebuild-cli-${randomUUID().slice(0, 8)}.`;
  let database: TestDatabase;
  let history: AppProcess;
  let reporting: AppProcess;
  let bus: KafkaEventBus;
  let db: pg.Pool;

  beforeAll(async () => {
    database = await createTestDatabase('reports_rebuild_cli');
    const common = {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '',
      KAFKA_TOPIC_PREFIX: topicPrefix,
      KAFKA_PARTITIONS: '2',
      INTERNAL_API_TOKEN: INTERNAL_TOKEN,
    };
    history = await startAppProcess('history', common);
    reporting = await startAppProcess('reporting', common);
    await history.waitUntilReady(60_000);
    await reporting.waitUntilReady(60_000);
    bus = new KafkaEventBus({
      brokers: (process.env.KAFKA_BROKERS ?? '').split(','),
      clientId: 'rebuild-cli-test',
      topicPrefix,
      partitions: 2,
      replicationFactor: 1,
    });
    db = new pg.Pool({ connectionString: database.url, max: 2 });
  }, 120_000);

  afterAll(async () => {
    await reporting?.stop('SIGTERM');
    await history?.stop('SIGTERM');
    await bus?.close();
    await db?.end();
    await database?.drop();
  });

  function run(args: string[], env: Record<string, string>) {
    return execFileAsync(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({
        code: error.code,
        stdout: error.stdout,
        stderr: error.stderr,
      }),
    );
  }

  async function conversations(workspaceId: string): Promise<number> {
    const { rows } = await db.query<{ n: number | null }>(
      'SELECT sum(conversations)::int AS n FROM reporting.hourly WHERE workspace_id = $1',
      [workspaceId],
    );
    return rows[0]?.n ?? 0;
  }

  it('rebuilds a workspace that lost its reporting rows from history, over internal RPC', async () => {
    const workspace = randomUUID();
    for (const address of ['+14155550401', '+14155550402']) {
      const event = inboundMessageEvent({
        workspaceId: workspace,
        text: 'Hello?',
        sender: { kind: 'phone', address, verified: true },
      });
      for (let attempt = 1; ; attempt++) {
        try {
          await bus.emit([event]);
          break;
        } catch (error) {
          // A topic the broker created a moment ago may not have a leader yet.
          if (attempt >= 20) throw error;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
    }
    await waitFor(async () => (await conversations(workspace)) === 2, {
      what: 'the live figures',
      timeoutMs: 60_000,
    });
    for (const table of ['facts', 'conversations', 'assignments', 'hourly'])
      await db.query(`DELETE FROM reporting.${table} WHERE workspace_id = $1`, [workspace]);
    expect(await conversations(workspace)).toBe(0);

    const env = {
      DATABASE_URL: database.url,
      HISTORY_API_URL: history.rpcUrl,
      INTERNAL_API_TOKEN: INTERNAL_TOKEN,
    };
    const done = await run(['--workspace', workspace], env);
    expect(done).toMatchObject({ code: 0 });
    expect(JSON.parse(done.stdout)).toMatchObject({
      workspaceId: workspace,
      records: 2,
      factsAdded: 2,
      conversations: 2,
    });
    expect(await conversations(workspace)).toBe(2);

    const wrong = await run(['--workspace', 'not-a-workspace'], env);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--workspace');
    const nowhere = await run(['--workspace', workspace], { DATABASE_URL: database.url });
    expect(nowhere.code).not.toBe(0);
    expect(nowhere.stderr).toContain('HISTORY_API_URL');
    expect(nowhere.stderr).not.toMatch(/\n\s+at /);
  });
});
