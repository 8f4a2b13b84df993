import { Injectable } from '@nestjs/common';
import { InjectServiceDataSource, SecretBox, queryRows } from '@switchboard/platform';
import { createHash, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { SocialAccount, SocialChannel, SocialSecrets, SocialSettings } from './social-account.js';

/** A removed account stops receiving on other replicas within this. */
const CACHE_TTL_MS = 5_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface AccountRow {
  id: string;
  workspace_id: string;
  channel: SocialChannel;
  external_id: string;
  display_name: string | null;
  secrets_sealed: string;
  settings: SocialSettings;
  verify_token_sha256: Buffer | null;
  last_webhook_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
  updated_at: Date;
}

export interface SocialAccountInput {
  readonly workspaceId: string;
  readonly channel: SocialChannel;
  readonly externalId: string;
  readonly displayName?: string | null;
  readonly secrets: SocialSecrets;
  readonly settings?: SocialSettings;
  /** Meta: this account's own `hub.verify_token` (kept as its SHA-256); absent keeps the stored one. */
  readonly verifyToken?: string;
}

/** An account as the admin screen sees it: which secrets are set, never their values. */
export interface SocialAccountSummary {
  readonly id: string;
  readonly workspaceId: string;
  readonly channel: SocialChannel;
  readonly externalId: string;
  readonly displayName: string | null;
  readonly settings: SocialSettings;
  readonly verifyTokenSet: boolean;
  readonly lastWebhookAt: string | null;
  readonly lastError: string | null;
  readonly lastErrorAt: string | null;
  readonly updatedAt: string;
}

/**
 * The social channel accounts (`channels.social_accounts`), secrets sealed with `SecretBox` bound
 * to the account id (ADR 0032). Lookups by the provider's id are how a webhook finds its
 * workspace, so they are not scoped by workspace; everything else is.
 */
@Injectable()
export class SocialAccountService {
  private readonly cache = new Map<string, { account: SocialAccount | null; expiresAt: number }>();
  private healthWrites = new Map<string, number>();

  constructor(
    @InjectServiceDataSource('channels_social') private readonly db: DataSource,
    private readonly box: SecretBox,
  ) {}

  /** The account a webhook names by the provider's id of the number, page, account or bot. */
  async findByExternalId(channel: SocialChannel, externalId: string): Promise<SocialAccount | null> {
    return this.cached(`ext:${channel}:${externalId}`, async () => {
      const rows = await queryRows<AccountRow>(
        this.db,
        'SELECT * FROM channels.social_accounts WHERE channel = $1 AND external_id = $2',
        [channel, externalId],
      );
      return rows[0] ? this.open(rows[0]) : null;
    });
  }

  async findById(workspaceId: string, id: string): Promise<SocialAccount | null> {
    if (!UUID.test(id)) return null;
    return this.cached(`id:${workspaceId}:${id}`, async () => {
      const rows = await queryRows<AccountRow>(
        this.db,
        'SELECT * FROM channels.social_accounts WHERE workspace_id = $1 AND id = $2',
        [workspaceId, id],
      );
      return rows[0] ? this.open(rows[0]) : null;
    });
  }

  /** Telegram's webhook path names the account id; not scoped (the secret token proves it). */
  async findByIdUnscoped(id: string): Promise<SocialAccount | null> {
    if (!UUID.test(id)) return null;
    return this.cached(`any:${id}`, async () => {
      const rows = await queryRows<AccountRow>(
        this.db,
        'SELECT * FROM channels.social_accounts WHERE id = $1',
        [id],
      );
      return rows[0] ? this.open(rows[0]) : null;
    });
  }

  /** The account a workspace sends from on `channel` when nobody named one: its first. */
  async findDefault(workspaceId: string, channel: SocialChannel): Promise<SocialAccount | null> {
    return this.cached(`default:${workspaceId}:${channel}`, async () => {
      const rows = await queryRows<AccountRow>(
        this.db,
        `SELECT * FROM channels.social_accounts WHERE workspace_id = $1 AND channel = $2
         ORDER BY created_at, id LIMIT 1`,
        [workspaceId, channel],
      );
      return rows[0] ? this.open(rows[0]) : null;
    });
  }

  /** The workspace's accounts for the admin screen, without their secrets (not even opened). */
  async list(workspaceId: string): Promise<SocialAccountSummary[]> {
    const rows = await queryRows<AccountRow>(
      this.db,
      'SELECT * FROM channels.social_accounts WHERE workspace_id = $1 ORDER BY channel, created_at, id',
      [workspaceId],
    );
    return rows.map(toSummary);
  }

  /**
   * Creates the account, or updates it when its workspace has it already; secrets given replace
   * the stored ones one by one, absent ones stay. Null when another workspace holds the provider's
   * id (a number, page or bot routes inbound messages to exactly one workspace). Replicas starting
   * together may race: the unique id makes one insert win, the others update.
   */
  async upsert(input: SocialAccountInput): Promise<SocialAccountSummary | null> {
    const id = randomUUID();
    const inserted = await queryRows<AccountRow>(
      this.db,
      `INSERT INTO channels.social_accounts
         (id, workspace_id, channel, external_id, display_name, secrets_sealed, settings, verify_token_sha256)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (channel, external_id) DO NOTHING RETURNING *`,
      [
        id,
        input.workspaceId,
        input.channel,
        input.externalId,
        input.displayName ?? null,
        this.box.seal(JSON.stringify(input.secrets), id),
        JSON.stringify(input.settings ?? {}),
        verifyTokenHash(input.verifyToken),
      ],
    );
    this.cache.clear();
    if (inserted[0]) return toSummary(inserted[0]);
    const existing = await queryRows<AccountRow>(
      this.db,
      'SELECT * FROM channels.social_accounts WHERE workspace_id = $1 AND channel = $2 AND external_id = $3',
      [input.workspaceId, input.channel, input.externalId],
    );
    const row = existing[0];
    if (!row) return null;
    const secrets = { ...this.openSecrets(row), ...definedOnly(input.secrets) };
    const updated = await queryRows<AccountRow>(
      this.db,
      `UPDATE channels.social_accounts
       SET secrets_sealed = $3, settings = settings || $4::jsonb,
           display_name = COALESCE($5, display_name),
           verify_token_sha256 = COALESCE($6, verify_token_sha256), updated_at = now()
       WHERE workspace_id = $1 AND id = $2 RETURNING *`,
      [
        input.workspaceId,
        row.id,
        this.box.seal(JSON.stringify(secrets), row.id),
        JSON.stringify(input.settings ?? {}),
        input.displayName ?? null,
        verifyTokenHash(input.verifyToken),
      ],
    );
    this.cache.clear();
    return updated[0] ? toSummary(updated[0]) : null;
  }

  /**
   * Whether a connected Meta account has `token` as its verify token. Looked up by its SHA-256: the
   * index compares digests, so timing tells nothing of the token itself (as with API keys).
   */
  async hasVerifyToken(token: string): Promise<boolean> {
    const rows = await queryRows<unknown>(
      this.db,
      'SELECT 1 FROM channels.social_accounts WHERE verify_token_sha256 = $1 LIMIT 1',
      [verifyTokenHash(token)],
    );
    return rows.length > 0;
  }

  /** Merges settings learnt along the way (a WhatsApp number's business account id). */
  async updateSettings(account: SocialAccount, settings: SocialSettings): Promise<void> {
    await this.db.query(
      `UPDATE channels.social_accounts SET settings = settings || $3::jsonb
       WHERE workspace_id = $1 AND id = $2`,
      [account.workspaceId, account.id, JSON.stringify(settings)],
    );
    this.cache.clear();
  }

  async remove(workspaceId: string, id: string): Promise<boolean> {
    if (!UUID.test(id)) return false;
    const [, deleted] = await this.db.query<[unknown, number]>(
      'DELETE FROM channels.social_accounts WHERE workspace_id = $1 AND id = $2',
      [workspaceId, id],
    );
    this.cache.clear();
    return deleted > 0;
  }

  /**
   * Health for the admin screen: the last webhook (written at most every few seconds per account,
   * never in a webhook's critical path) and the last error an agent or admin should see.
   */
  noteWebhook(account: SocialAccount): void {
    const now = Date.now();
    if ((this.healthWrites.get(account.id) ?? 0) > now - CACHE_TTL_MS) return;
    if (this.healthWrites.size > 10_000) this.healthWrites = new Map();
    this.healthWrites.set(account.id, now);
    this.db
      .query('UPDATE channels.social_accounts SET last_webhook_at = now() WHERE id = $1', [account.id])
      .catch(() => this.healthWrites.delete(account.id));
  }

  async noteError(account: SocialAccount, error: string): Promise<void> {
    await this.db.query(
      'UPDATE channels.social_accounts SET last_error = $2, last_error_at = now() WHERE id = $1',
      [account.id, error.slice(0, 1000)],
    );
  }

  private open(row: AccountRow): SocialAccount {
    return {
      id: row.id,
      workspaceId: row.workspace_id,
      channel: row.channel,
      externalId: row.external_id,
      displayName: row.display_name,
      secrets: this.openSecrets(row),
      settings: row.settings,
    };
  }

  private openSecrets(row: AccountRow): SocialSecrets {
    // Bound to the row's id: a sealed value copied onto another row fails to open.
    return JSON.parse(this.box.open(row.secrets_sealed, row.id)) as SocialSecrets;
  }

  private async cached(
    key: string,
    load: () => Promise<SocialAccount | null>,
  ): Promise<SocialAccount | null> {
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt > Date.now()) return hit.account;
    const account = await load();
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, { account, expiresAt: Date.now() + CACHE_TTL_MS });
    return account;
  }
}

function verifyTokenHash(token: string | undefined): Buffer | null {
  return token === undefined || token === '' ? null : createHash('sha256').update(token).digest();
}

function definedOnly(secrets: SocialSecrets): SocialSecrets {
  return Object.fromEntries(Object.entries(secrets).filter(([, v]) => v !== undefined && v !== ''));
}

function toSummary(row: AccountRow): SocialAccountSummary {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    channel: row.channel,
    externalId: row.external_id,
    displayName: row.display_name,
    settings: row.settings,
    verifyTokenSet: row.verify_token_sha256 !== null,
    lastWebhookAt: row.last_webhook_at?.toISOString() ?? null,
    lastError: row.last_error,
    lastErrorAt: row.last_error_at?.toISOString() ?? null,
    updatedAt: row.updated_at.toISOString(),
  };
}
