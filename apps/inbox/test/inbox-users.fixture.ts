import { hash } from '@node-rs/argon2';
import { DEFAULT_WORKSPACE_ID } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { InboxClient } from './inbox-client.fixture.js';
import type { InboxTestApp } from './inbox-test-app.fixture.js';

export const TEST_PASSWORD = 'the right password';

/** A user straight in the table (as an accepted invite leaves one), signed in, and known to routing. */
export async function signedInUser(
  inbox: InboxTestApp,
  role: 'agent' | 'supervisor' | 'admin',
  options: { workspaceId?: string; name?: string } = {},
): Promise<{ id: string; client: InboxClient; email: string }> {
  const workspaceId = options.workspaceId ?? DEFAULT_WORKSPACE_ID;
  const id = randomUUID();
  const email = `${role}-${id}@example.test`;
  const db = new pg.Client({ connectionString: inbox.database.url });
  await db.connect();
  try {
    await db.query(`INSERT INTO inbox.workspaces (id, name) VALUES ($1, 'Test') ON CONFLICT DO NOTHING`, [
      workspaceId,
    ]);
    await db.query(
      `INSERT INTO inbox.users (id, workspace_id, email, display_name, role, password_hash)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [id, workspaceId, email, options.name ?? `${role} ${id.slice(0, 4)}`, role, await hash(TEST_PASSWORD)],
    );
  } finally {
    await db.end();
  }
  await inbox.routing.upsertAgent(workspaceId, {
    agentId: id,
    displayName: options.name ?? role,
    skills: [],
  });
  const client = new InboxClient(inbox.url);
  const response = await client.login(email, TEST_PASSWORD);
  if (response.status !== 200) throw new Error(`sign-in failed: ${JSON.stringify(response.body)}`);
  return { id, client, email };
}
