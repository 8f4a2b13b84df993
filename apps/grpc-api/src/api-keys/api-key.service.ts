import { Injectable } from '@nestjs/common';
import {
  type ApiKeysApi,
  InvalidArgumentError,
  NotFoundError,
  type FieldViolation,
} from '@switchboard/contracts';
import { createLogger, InjectServiceDataSource } from '@switchboard/platform';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  API_KEY_SCOPES,
  type ApiKeyScope,
  type ApiKeyView,
  type CreateApiKeyRequest,
  type CreatedApiKey,
  displayPrefix,
  generateApiKey,
  hashApiKey,
  looksLikeApiKey,
  type ApiPrincipal,
} from './api-key.js';

interface KeyRow {
  id: string;
  workspace_id: string;
  name: string;
  scope: ApiKeyScope;
  key_prefix: string;
  rate_limit_per_second: number | null;
  created_by: string;
  created_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

// Every call authenticates: a verified key is remembered this long, so a revocation takes up to
// this long to bite everywhere (documented in docs/grpc.md).
const CACHE_TTL_MS = 10_000;
const CACHE_MAX = 10_000;
// last_used_at is for admins ("is this key still used?"), not an audit log: once a minute is plenty.
const LAST_USED_RESOLUTION_MS = 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * API keys of integrators: created by an admin (the inbox, or `npm run apikey`), shown once,
 * stored as their SHA-256 only, scoped to one workspace, revocable. It is the ApiKeysApi port
 * (API_KEYS_API) the inbox's admin screen calls, in process or over internal RPC.
 */
@Injectable()
export class ApiKeyService implements ApiKeysApi {
  private readonly logger = createLogger('grpc-api.api-keys');
  private readonly cache = new Map<string, { principal: ApiPrincipal | null; expiresAt: number }>();
  private readonly lastUsedWritten = new Map<string, number>();
  private readonly revokedListeners = new Set<(keyId: string) => void>();

  constructor(@InjectServiceDataSource('api') private readonly db: DataSource) {}

  /** Creates a key and returns it with its id: the only time the key itself exists outside the caller. */
  async createApiKey(workspaceId: string, input: CreateApiKeyRequest): Promise<CreatedApiKey> {
    const violations: FieldViolation[] = [];
    if (!UUID.test(workspaceId)) violations.push({ field: 'workspaceId', description: 'must be a UUID' });
    const name = input.name.trim();
    if (name.length < 1 || name.length > 200)
      violations.push({ field: 'name', description: 'must be 1 to 200 characters' });
    // The CLI and the inbox hand over what an admin typed: check, don't trust the type.
    if (!API_KEY_SCOPES.includes(input.scope))
      violations.push({ field: 'scope', description: `must be one of ${API_KEY_SCOPES.join(', ')}` });
    const rate = input.rateLimitPerSecond ?? null;
    if (rate !== null && (!Number.isInteger(rate) || rate < 1 || rate > 100_000))
      violations.push({ field: 'rateLimitPerSecond', description: 'must be an integer from 1 to 100000' });
    if (violations.length > 0) throw new InvalidArgumentError('invalid API key request', violations);

    const key = generateApiKey();
    const rows: KeyRow[] = await this.db.query(
      `INSERT INTO api.api_keys (id, workspace_id, name, scope, key_prefix, key_hash, rate_limit_per_second, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
      [
        randomUUID(),
        workspaceId,
        name,
        input.scope,
        displayPrefix(key),
        hashApiKey(key),
        rate,
        input.createdBy,
      ],
    );
    const apiKey = toView(rows[0]!);
    this.logger.info(
      { keyId: apiKey.id, workspaceId: apiKey.workspaceId, scope: apiKey.scope, createdBy: input.createdBy },
      'API key created',
    );
    return { key, apiKey };
  }

  async listApiKeys(workspaceId: string): Promise<ApiKeyView[]> {
    if (!UUID.test(workspaceId)) return [];
    const rows: KeyRow[] = await this.db.query(
      'SELECT * FROM api.api_keys WHERE workspace_id = $1 ORDER BY created_at, id',
      [workspaceId],
    );
    return rows.map(toView);
  }

  /** Revokes a key of the workspace; revoking twice is fine. NotFoundError for another workspace's key. */
  async revokeApiKey(workspaceId: string, keyId: string): Promise<ApiKeyView> {
    if (!UUID.test(workspaceId) || !UUID.test(keyId)) throw new NotFoundError('API key');
    // TypeORM answers an UPDATE with [rows, affected count].
    const [rows] = await this.db.query<[KeyRow[], number]>(
      `UPDATE api.api_keys SET revoked_at = COALESCE(revoked_at, now())
       WHERE workspace_id = $1 AND id = $2 RETURNING *`,
      [workspaceId, keyId],
    );
    if (!rows[0]) throw new NotFoundError('API key');
    // This process forgets it at once (and ends its streams); others within CACHE_TTL_MS, their
    // open streams at their next recheck (OpenStreamsService).
    this.forget(keyId);
    for (const listener of this.revokedListeners) listener(keyId);
    this.logger.info({ keyId, workspaceId }, 'API key revoked');
    return toView(rows[0]);
  }

  /** Called with the id of every key revoked in this process, as it is revoked. */
  onRevoked(listener: (keyId: string) => void): () => void {
    this.revokedListeners.add(listener);
    return () => this.revokedListeners.delete(listener);
  }

  /**
   * The scope of each of these keys that is still valid, read from the database, not the cache:
   * what long-lived calls check their key against. A key missing from the answer was revoked
   * (or deleted); it is dropped from the cache too, so unary calls stop at once as well.
   */
  async currentScopes(keyIds: readonly string[]): Promise<Map<string, ApiKeyScope>> {
    const ids = [...new Set(keyIds)].filter((id) => UUID.test(id));
    if (ids.length === 0) return new Map();
    const rows: Pick<KeyRow, 'id' | 'scope'>[] = await this.db.query(
      'SELECT id, scope FROM api.api_keys WHERE id = ANY($1::uuid[]) AND revoked_at IS NULL',
      [ids],
    );
    const scopes = new Map(rows.map((row) => [row.id, row.scope]));
    for (const id of ids) if (!scopes.has(id)) this.forget(id);
    // A scope changed since a key was cached must not outlive the check either.
    for (const [hash, entry] of this.cache) {
      const scope = entry.principal ? scopes.get(entry.principal.keyId) : undefined;
      if (scope !== undefined && scope !== entry.principal?.scope) this.cache.delete(hash);
    }
    return scopes;
  }

  private forget(keyId: string): void {
    for (const [hash, entry] of this.cache) if (entry.principal?.keyId === keyId) this.cache.delete(hash);
  }

  /** The principal of a presented key, or null when it is malformed, unknown or revoked. */
  async authenticate(key: string): Promise<ApiPrincipal | null> {
    if (!looksLikeApiKey(key)) return null;
    const hash = hashApiKey(key);
    const cacheKey = hash.toString('base64');
    const now = Date.now();
    const cached = this.cache.get(cacheKey);
    let principal: ApiPrincipal | null;
    if (cached && cached.expiresAt > now) {
      principal = cached.principal;
    } else {
      const rows: KeyRow[] = await this.db.query(
        'SELECT * FROM api.api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
        [hash],
      );
      const row = rows[0];
      principal = row
        ? {
            keyId: row.id,
            workspaceId: row.workspace_id,
            name: row.name,
            scope: row.scope,
            rateLimitPerSecond: row.rate_limit_per_second,
          }
        : null;
      if (this.cache.size >= CACHE_MAX) this.cache.clear();
      this.cache.set(cacheKey, { principal, expiresAt: now + CACHE_TTL_MS });
    }
    if (principal) this.touch(principal.keyId, now);
    return principal;
  }

  private touch(keyId: string, now: number): void {
    if ((this.lastUsedWritten.get(keyId) ?? 0) + LAST_USED_RESOLUTION_MS > now) return;
    this.lastUsedWritten.set(keyId, now);
    this.db
      .query('UPDATE api.api_keys SET last_used_at = now() WHERE id = $1', [keyId])
      .catch((error: unknown) => {
        this.logger.warn({ err: error, keyId }, 'could not record API key use');
      });
  }
}

function toView(row: KeyRow): ApiKeyView {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    name: row.name,
    scope: row.scope,
    keyPrefix: row.key_prefix,
    rateLimitPerSecond: row.rate_limit_per_second,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    revokedAt: row.revoked_at?.toISOString() ?? null,
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
  };
}
