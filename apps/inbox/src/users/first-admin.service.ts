import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DEFAULT_WORKSPACE_ID } from '@switchboard/contracts';
import { type ConfigOf, InjectConfig, InjectServiceDataSource, createLogger } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { generatePassword } from '../auth/password.util.js';
import { InboxConfig } from '../inbox.config.js';
import { UsersService } from './users.service.js';

export const DEFAULT_ADMIN_EMAIL = 'admin@localhost';

/**
 * The first start creates the default workspace and its admin, so a newcomer can sign in: from
 * ADMIN_EMAIL / ADMIN_PASSWORD, or with a generated password printed once on stdout (never logged
 * through the JSON logger, whose lines may be shipped elsewhere).
 */
@Injectable()
export class FirstAdminService implements OnApplicationBootstrap {
  private readonly logger = createLogger('inbox.users');

  constructor(
    @InjectServiceDataSource('inbox') private readonly db: DataSource,
    @InjectConfig(InboxConfig) private readonly config: ConfigOf<typeof InboxConfig>,
    private readonly users: UsersService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensure();
  }

  /** Returns the generated password when one was generated (null otherwise). */
  async ensure(): Promise<{ email: string; generatedPassword: string | null } | null> {
    const email = this.config.ADMIN_EMAIL ?? DEFAULT_ADMIN_EMAIL;
    const password = this.config.ADMIN_PASSWORD ?? generatePassword();
    const created = await this.db.transaction(async (tx) => {
      // Replicas starting together: one creates, the others find the user.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['inbox.first-admin']);
      await tx.query(
        `INSERT INTO inbox.workspaces (id, name) VALUES ($1, 'Default workspace') ON CONFLICT (id) DO NOTHING`,
        [DEFAULT_WORKSPACE_ID],
      );
      const [{ users }] = await tx.query<[{ users: number }]>(
        'SELECT count(*)::int AS users FROM inbox.users WHERE workspace_id = $1',
        [DEFAULT_WORKSPACE_ID],
      );
      if (users > 0) return false;
      const admin = await this.users.create(
        { workspaceId: DEFAULT_WORKSPACE_ID, email, displayName: 'Admin', role: 'admin', password },
        tx,
      );
      // Whoever installs Switchboard operates it (ADR 0059).
      await tx.query('UPDATE inbox.users SET operator = true WHERE id = $1', [admin.id]);
      return true;
    });
    if (!created) return null;
    this.logger.info({ email }, 'created the default workspace’s admin');
    if (this.config.ADMIN_PASSWORD !== undefined) return { email, generatedPassword: null };
    process.stdout.write(
      [
        '',
        '  The inbox’s first admin was created. Sign in with:',
        `    email     ${email}`,
        `    password  ${password}`,
        '  This password is shown only once: change it after signing in.',
        '',
      ].join('\n') + '\n',
    );
    return { email, generatedPassword: password };
  }
}
