/**
 * The gRPC API's key administration, for the inbox's admin pages (the CLI calls the same service).
 * Provided under API_KEYS_API by GrpcApiModule; scoped by workspace like the other ports (another
 * workspace's key ids throw NotFoundError).
 */
export interface ApiKeysApi {
  /** Creates a key; the response is the only time the key itself is shown. InvalidArgumentError on bad input. */
  createApiKey(workspaceId: string, input: CreateApiKeyRequest): Promise<CreatedApiKey>;
  /** The workspace's keys, oldest first, revoked ones included; never the keys themselves. */
  listApiKeys(workspaceId: string): Promise<ApiKeyView[]>;
  /** Revokes a key (idempotent); calls with it fail within seconds. */
  revokeApiKey(workspaceId: string, keyId: string): Promise<ApiKeyView>;
}

/** DI token under which GrpcApiModule provides ApiKeysApi. */
export const API_KEYS_API = Symbol.for('switchboard.ApiKeysApi');

/** `read`: every read RPC and the event stream; `read-write`: also sends, changes and deletes. */
export type ApiKeyScope = 'read' | 'read-write';

export interface CreateApiKeyRequest {
  /** Shown in listings (e.g. "CRM sync"), 1 to 200 characters. */
  name: string;
  scope: ApiKeyScope;
  /** Who asks (the admin's user id); kept with the key. */
  createdBy: string;
  /** Calls per second for this key; absent: the server's GRPC_RATE_LIMIT_PER_SECOND. */
  rateLimitPerSecond?: number | null;
}

export interface CreatedApiKey {
  /** The secret, `sbk_…`: show it once, it cannot be recovered. */
  key: string;
  apiKey: ApiKeyView;
}

export interface ApiKeyView {
  id: string;
  workspaceId: string;
  name: string;
  scope: ApiKeyScope;
  /** The key's first characters (`sbk_AbCd1234`), to tell keys apart. */
  keyPrefix: string;
  rateLimitPerSecond: number | null;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}
