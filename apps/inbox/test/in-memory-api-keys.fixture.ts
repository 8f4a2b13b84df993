import {
  type ApiKeysApi,
  type ApiKeyView,
  type CreateApiKeyRequest,
  type CreatedApiKey,
  NotFoundError,
} from '@switchboard/contracts';
import { randomBytes, randomUUID } from 'node:crypto';

/**
 * A stand-in for grpc-api's ApiKeysApi, so the inbox's own tests boot without grpc-api; keys kept
 * per workspace as the real one does. The real port is tested through the apps (inbox and grpc-api
 * alone over internal RPC, and the standalone process).
 */
export class InMemoryApiKeys implements ApiKeysApi {
  private readonly keys: ApiKeyView[] = [];

  listApiKeys(workspaceId: string): Promise<ApiKeyView[]> {
    return Promise.resolve(this.keys.filter((k) => k.workspaceId === workspaceId));
  }

  createApiKey(workspaceId: string, input: CreateApiKeyRequest): Promise<CreatedApiKey> {
    const key = `sbk_${randomBytes(32).toString('base64url')}`;
    const apiKey: ApiKeyView = {
      id: randomUUID(),
      workspaceId,
      name: input.name,
      scope: input.scope,
      keyPrefix: key.slice(0, 12),
      rateLimitPerSecond: input.rateLimitPerSecond ?? null,
      createdBy: input.createdBy,
      createdAt: new Date().toISOString(),
      revokedAt: null,
      lastUsedAt: null,
    };
    this.keys.push(apiKey);
    return Promise.resolve({ key, apiKey });
  }

  revokeApiKey(workspaceId: string, keyId: string): Promise<ApiKeyView> {
    const key = this.keys.find((k) => k.workspaceId === workspaceId && k.id === keyId);
    if (!key) return Promise.reject(new NotFoundError('API key'));
    key.revokedAt ??= new Date().toISOString();
    return Promise.resolve(key);
  }
}
