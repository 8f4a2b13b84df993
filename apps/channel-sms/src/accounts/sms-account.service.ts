import { Injectable } from '@nestjs/common';
import { InjectServiceDataSource, queryRows, SecretBox } from '@switchboard/platform';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { SmsAccount } from './sms-account.js';

interface AccountRow {
  id: string;
  workspace_id: string;
  phone_number: string | null;
  messaging_service_sid: string | null;
  account_sid: string;
  auth_token_sealed: string;
  help_text: string | null;
}

export interface SmsAccountInput {
  readonly workspaceId: string;
  readonly phoneNumber: string | null;
  readonly messagingServiceSid: string | null;
  readonly accountSid: string;
  readonly authToken: string;
  readonly helpText?: string | null;
}

/** An account as the admin screen lists it: no token. */
export type SmsAccountSummary = Omit<SmsAccount, 'authToken' | 'phoneNumber'> & {
  readonly phoneNumber: string;
  readonly updatedAt: string;
};

// Every webhook looks its account up; a few seconds of staleness after a credential change is
// fine (Twilio retries a rejected webhook), a query per request at 500/s is not needed.
const CACHE_TTL_MS = 5_000;

/** Channel accounts: stored with the auth token sealed (the account id is the sealing context). */
@Injectable()
export class SmsAccountService {
  private readonly cache = new Map<string, { account: SmsAccount | null; expiresAt: number }>();
  /** Lookups in flight: every webhook that misses while one runs waits for it rather than asking too. */
  private readonly loading = new Map<string, Promise<SmsAccount | null>>();
  /** Bumped by every change: a lookup begun before it does not cache what it read. */
  private generation = 0;

  constructor(
    @InjectServiceDataSource('channels') private readonly db: DataSource,
    private readonly secrets: SecretBox,
  ) {}

  /**
   * The account a webhook was sent to, by the `To` number or else the messaging service. Not
   * scoped by workspace: this is how an inbound message finds its workspace.
   */
  async findByRecipient(to: string | null, messagingServiceSid: string | null): Promise<SmsAccount | null> {
    return this.cached(`to:${to ?? ''}|ms:${messagingServiceSid ?? ''}`, async () => {
      const rows: AccountRow[] = await this.db.query(
        `SELECT * FROM channels.sms_accounts
         WHERE phone_number = $1 OR messaging_service_sid = $2
         ORDER BY (phone_number = $1) DESC NULLS LAST LIMIT 1`,
        [to, messagingServiceSid],
      );
      return rows[0] ? this.toAccount(rows[0]) : null;
    });
  }

  async findById(workspaceId: string, id: string): Promise<SmsAccount | null> {
    if (!UUID.test(id)) return null;
    return this.cached(`id:${workspaceId}:${id}`, async () => {
      const rows: AccountRow[] = await this.db.query(
        'SELECT * FROM channels.sms_accounts WHERE workspace_id = $1 AND id = $2',
        [workspaceId, id],
      );
      return rows[0] ? this.toAccount(rows[0]) : null;
    });
  }

  /** The account a workspace sends from when nobody named one: its first, by creation. */
  async findDefault(workspaceId: string): Promise<SmsAccount | null> {
    return this.cached(`default:${workspaceId}`, async () => {
      const rows: AccountRow[] = await this.db.query(
        'SELECT * FROM channels.sms_accounts WHERE workspace_id = $1 ORDER BY created_at, id LIMIT 1',
        [workspaceId],
      );
      return rows[0] ? this.toAccount(rows[0]) : null;
    });
  }

  /**
   * Creates the account of `input.phoneNumber` in its workspace, or updates its credentials.
   * Replicas starting together may race: the unique number makes one insert win, the others update.
   */
  async upsertByPhoneNumber(input: SmsAccountInput & { phoneNumber: string }): Promise<SmsAccount> {
    const id = randomUUID();
    const inserted: { id: string }[] = await this.db.query(
      `INSERT INTO channels.sms_accounts
         (id, workspace_id, phone_number, messaging_service_sid, account_sid, auth_token_sealed, help_text)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (phone_number) DO NOTHING RETURNING id`,
      [
        id,
        input.workspaceId,
        input.phoneNumber,
        input.messagingServiceSid,
        input.accountSid,
        this.secrets.seal(input.authToken, id),
        input.helpText ?? null,
      ],
    );
    if (inserted.length === 0) {
      const [existing] = await this.db.query<{ id: string }[]>(
        'SELECT id FROM channels.sms_accounts WHERE workspace_id = $1 AND phone_number = $2',
        [input.workspaceId, input.phoneNumber],
      );
      if (!existing) throw new Error(`${input.phoneNumber} already belongs to another workspace`);
      await this.db.query(
        `UPDATE channels.sms_accounts
         SET account_sid = $3, auth_token_sealed = $4, messaging_service_sid = $5, updated_at = now()
         WHERE workspace_id = $1 AND id = $2`,
        [
          input.workspaceId,
          existing.id,
          input.accountSid,
          this.secrets.seal(input.authToken, existing.id),
          input.messagingServiceSid,
        ],
      );
    }
    this.forget();
    const account = await this.findByRecipient(input.phoneNumber, null);
    if (!account) throw new Error('channel account vanished after upsert');
    return account;
  }

  /** Who holds `phoneNumber`: its account's id and workspace, or null if nobody. */
  async numberOwner(phoneNumber: string): Promise<{ id: string; workspaceId: string } | null> {
    const rows = await queryRows<{ id: string; workspace_id: string }>(
      this.db,
      'SELECT id, workspace_id FROM channels.sms_accounts WHERE phone_number = $1',
      [phoneNumber],
    );
    return rows[0] ? { id: rows[0].id, workspaceId: rows[0].workspace_id } : null;
  }

  /**
   * The admin screen's save of one number, in one statement either way. With the id of the
   * number's account in `workspaceId` (`numberOwner`): updates it; an absent `authToken` keeps the
   * sealed one (sealed to the account's id, hence the lookup first). Without: inserts a new
   * account, which needs a token. Null when the account is gone (update) or the number or
   * messaging service is already another account's (insert); an update to a messaging service
   * another account has fails with PostgreSQL's 23505.
   */
  async saveNumber(
    workspaceId: string,
    existingId: string | null,
    input: {
      phoneNumber: string;
      accountSid: string;
      authToken: string | undefined;
      messagingServiceSid: string | null;
      helpText: string | null;
    },
  ): Promise<SmsAccountSummary | null> {
    const id = existingId ?? randomUUID();
    const sealed = input.authToken === undefined ? null : this.secrets.seal(input.authToken, id);
    if (existingId === null && sealed === null) throw new Error('a new SMS account needs its auth token');
    const rows = await queryRows<AccountRow & { updated_at: Date }>(
      this.db,
      existingId === null
        ? `INSERT INTO channels.sms_accounts
             (id, workspace_id, phone_number, messaging_service_sid, account_sid, auth_token_sealed, help_text)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT DO NOTHING RETURNING *`
        : `UPDATE channels.sms_accounts
           SET account_sid = $5, auth_token_sealed = COALESCE($6, auth_token_sealed),
               messaging_service_sid = $4, help_text = $7, updated_at = now()
           WHERE id = $1 AND workspace_id = $2 AND phone_number = $3
           RETURNING *`,
      [
        id,
        workspaceId,
        input.phoneNumber,
        input.messagingServiceSid,
        input.accountSid,
        sealed,
        input.helpText,
      ],
    );
    this.forget();
    const row = rows[0];
    return row ? toSummary(row) : null;
  }

  /** The workspace's accounts that have a number (the admin screen's list), without their tokens. */
  async listNumbers(workspaceId: string): Promise<SmsAccountSummary[]> {
    const rows: (AccountRow & { updated_at: Date })[] = await this.db.query(
      `SELECT * FROM channels.sms_accounts
       WHERE workspace_id = $1 AND phone_number IS NOT NULL ORDER BY phone_number`,
      [workspaceId],
    );
    return rows.map(toSummary);
  }

  /** False when the workspace has no such account. Other replicas forget it within CACHE_TTL_MS. */
  async remove(workspaceId: string, id: string): Promise<boolean> {
    if (!UUID.test(id)) return false;
    const deleted = await queryRows<{ id: string }>(
      this.db,
      'DELETE FROM channels.sms_accounts WHERE workspace_id = $1 AND id = $2 RETURNING id',
      [workspaceId, id],
    );
    this.forget();
    return deleted.length > 0;
  }

  private cached(key: string, load: () => Promise<SmsAccount | null>): Promise<SmsAccount | null> {
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt > Date.now()) return Promise.resolve(hit.account);
    // At 500 webhooks a second, every one in flight when the entry expires misses together.
    const pending = this.loading.get(key);
    if (pending !== undefined) return pending;
    const generation = this.generation;
    const loaded = load()
      .then((account) => {
        if (generation !== this.generation) return account;
        if (this.cache.size > 10_000) this.cache.clear();
        this.cache.set(key, { account, expiresAt: Date.now() + CACHE_TTL_MS });
        return account;
      })
      .finally(() => {
        if (this.loading.get(key) === loaded) this.loading.delete(key);
      });
    this.loading.set(key, loaded);
    return loaded;
  }

  /** After a change: what was cached or is being read may be the account before it. */
  private forget(): void {
    this.cache.clear();
    this.loading.clear();
    this.generation += 1;
  }

  private toAccount(row: AccountRow): SmsAccount {
    return {
      id: row.id,
      workspaceId: row.workspace_id,
      phoneNumber: row.phone_number,
      messagingServiceSid: row.messaging_service_sid,
      accountSid: row.account_sid,
      authToken: this.secrets.open(row.auth_token_sealed, row.id),
      helpText: row.help_text,
    };
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toSummary(row: AccountRow & { updated_at: Date }): SmsAccountSummary {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    phoneNumber: row.phone_number!,
    messagingServiceSid: row.messaging_service_sid,
    accountSid: row.account_sid,
    helpText: row.help_text,
    updatedAt: row.updated_at.toISOString(),
  };
}
