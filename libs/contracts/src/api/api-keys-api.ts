import { methodsOf, type ServicePort } from './service-ports.js';

/**
 * Integrators' API keys, owned by grpc-api, for the inbox's admin screen (Admin → API keys), like
 * the channels' admin ports (ADR 0054): in process in `npm start`, over internal RPC when each app
 * runs alone. Scoped by workspace: another workspace's key ids throw NotFoundError; bad input
 * throws InvalidArgumentError naming the fields.
 */
export interface ApiKeysApi {
  /** Every key of the workspace, revoked ones included, oldest first. Never the secrets. */
  listApiKeys(workspaceId: string): Promise<ApiKeyView[]>;
  /** Creates a key: the only answer that carries the secret itself. */
  createApiKey(workspaceId: string, input: CreateApiKeyRequest): Promise<CreatedApiKey>;
  /** Revokes a key (calls with it fail within seconds everywhere); revoking twice is fine. */
  revokeApiKey(workspaceId: string, keyId: string): Promise<ApiKeyView>;
}

export const API_KEYS_API = Symbol.for('switchboard.ApiKeysApi');

/** `read`: every read RPC and the event stream; `read-write`: also sends, changes and deletes. */
export type ApiKeyScope = 'read' | 'read-write';

export interface CreateApiKeyRequest {
  /** Shown in listings (e.g. "CRM sync"), 1 to 200 characters. */
  name: string;
  scope: ApiKeyScope;
  /** Who asks (the admin's email, or `cli`); kept with the key. */
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
  /** To the minute: when a call last authenticated with it. */
  lastUsedAt: string | null;
}

export const apiKeysApiPort: ServicePort<ApiKeysApi> = {
  name: 'grpc-api',
  token: API_KEYS_API,
  methods: methodsOf<ApiKeysApi>({ listApiKeys: true, createApiKey: true, revokeApiKey: true }),
};
