import { Injectable } from '@nestjs/common';
import { InvalidArgumentError, NotFoundError } from '@switchboard/contracts';
import { InjectServiceDataSource, SecretBox, queryRows } from '@switchboard/platform';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { WEB_DATA_SOURCE } from '../channel-web.config.js';
import {
  DEFAULT_APPEARANCE,
  type WidgetAppearance,
  type WidgetSettingsPatch,
  type WidgetSettingsView,
  widgetAppearanceSchema,
  widgetSettingsPatchSchema,
} from './widget-settings.js';

interface SettingsRow {
  workspace_id: string;
  widget_key: string;
  allowed_origins: string[];
  identity_secret_sealed: string;
  settings: unknown;
  updated_at: Date;
}

/** What sessions need of a workspace's settings, looked up by the public widget key. */
export interface WidgetSite {
  readonly workspaceId: string;
  readonly widgetKey: string;
  readonly allowedOrigins: readonly string[];
  readonly identitySecret: string;
  readonly appearance: WidgetAppearance;
}

// Every socket and upload looks its site up by key; an admin's change shows within seconds.
const CACHE_TTL_MS = 5_000;

/**
 * A workspace's widget settings: allowed origins, identity-verification secret (sealed at rest),
 * and appearance (theme, pre-chat fields, business hours, offline message). The inbox's admin
 * screen calls `get`, `update` and `rotateIdentitySecret`; exported by ChannelWebModule.
 */
@Injectable()
export class WidgetSettingsService {
  private readonly byKey = new Map<string, { site: WidgetSite | null; expiresAt: number }>();

  constructor(
    @InjectServiceDataSource(WEB_DATA_SOURCE) private readonly db: DataSource,
    private readonly secrets: SecretBox,
  ) {}

  /** The workspace's settings, created with defaults (and a fresh key and secret) on first use. */
  async get(workspaceId: string): Promise<WidgetSettingsView> {
    const rows: SettingsRow[] = await queryRows(
      this.db,
      'SELECT * FROM channels.web_settings WHERE workspace_id = $1',
      [workspaceId],
    );
    return this.toView(rows[0] ?? (await this.create(workspaceId)));
  }

  /** Throws InvalidArgumentError naming the bad fields. */
  async update(workspaceId: string, patch: WidgetSettingsPatch): Promise<WidgetSettingsView> {
    const parsed = widgetSettingsPatchSchema.safeParse(patch);
    if (!parsed.success) {
      throw new InvalidArgumentError(
        'invalid widget settings',
        parsed.error.issues.map((issue) => ({ field: issue.path.join('.'), description: issue.message })),
      );
    }
    const current = await this.get(workspaceId);
    const appearance = widgetAppearanceSchema.parse({ ...current.appearance, ...parsed.data.appearance });
    const origins = parsed.data.allowedOrigins ?? current.allowedOrigins;
    await queryRows(
      this.db,
      `UPDATE channels.web_settings SET allowed_origins = $2, settings = $3, updated_at = now()
       WHERE workspace_id = $1`,
      [workspaceId, origins, JSON.stringify(appearance)],
    );
    this.byKey.delete(current.widgetKey);
    return this.get(workspaceId);
  }

  /** A new secret: identity hashes made with the old one stop verifying at once. */
  async rotateIdentitySecret(workspaceId: string): Promise<WidgetSettingsView> {
    const current = await this.get(workspaceId);
    await queryRows(
      this.db,
      `UPDATE channels.web_settings SET identity_secret_sealed = $2, updated_at = now() WHERE workspace_id = $1`,
      [workspaceId, this.secrets.seal(newSecret(), sealContext(workspaceId))],
    );
    this.byKey.delete(current.widgetKey);
    return this.get(workspaceId);
  }

  /** The site a widget key names; null for an unknown key. Not scoped: the key is how the workspace is found. */
  async findSite(widgetKey: string): Promise<WidgetSite | null> {
    if (!/^wk_[A-Za-z0-9_-]{10,64}$/.test(widgetKey)) return null;
    const cached = this.byKey.get(widgetKey);
    if (cached && cached.expiresAt > Date.now()) return cached.site;
    const rows: SettingsRow[] = await queryRows(
      this.db,
      'SELECT * FROM channels.web_settings WHERE widget_key = $1',
      [widgetKey],
    );
    const site = rows[0] ? this.toSite(rows[0]) : null;
    this.byKey.set(widgetKey, { site, expiresAt: Date.now() + CACHE_TTL_MS });
    return site;
  }

  async getSite(workspaceId: string): Promise<WidgetSite> {
    const view = await this.get(workspaceId);
    const site = await this.findSite(view.widgetKey);
    if (site === null) throw new NotFoundError('widget settings');
    return site;
  }

  private async create(workspaceId: string): Promise<SettingsRow> {
    // Two first uses racing: one insert wins, both read it.
    await queryRows(
      this.db,
      `INSERT INTO channels.web_settings (workspace_id, widget_key, identity_secret_sealed, settings)
       VALUES ($1, $2, $3, $4) ON CONFLICT (workspace_id) DO NOTHING`,
      [
        workspaceId,
        `wk_${randomBytes(16).toString('base64url')}`,
        this.secrets.seal(newSecret(), sealContext(workspaceId)),
        JSON.stringify(DEFAULT_APPEARANCE),
      ],
    );
    const rows: SettingsRow[] = await queryRows(
      this.db,
      'SELECT * FROM channels.web_settings WHERE workspace_id = $1',
      [workspaceId],
    );
    return rows[0]!;
  }

  private toSite(row: SettingsRow): WidgetSite {
    return {
      workspaceId: row.workspace_id,
      widgetKey: row.widget_key,
      allowedOrigins: row.allowed_origins,
      identitySecret: this.secrets.open(row.identity_secret_sealed, sealContext(row.workspace_id)),
      appearance: widgetAppearanceSchema.parse(row.settings),
    };
  }

  private toView(row: SettingsRow): WidgetSettingsView {
    const site = this.toSite(row);
    return {
      workspaceId: site.workspaceId,
      widgetKey: site.widgetKey,
      allowedOrigins: [...site.allowedOrigins],
      identitySecret: site.identitySecret,
      appearance: site.appearance,
      updatedAt: row.updated_at.toISOString(),
    };
  }
}

function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

function sealContext(workspaceId: string): string {
  return `web-identity-secret:${workspaceId}`;
}
