import { Inject, Injectable } from '@nestjs/common';
import {
  API_KEYS_API,
  type ApiKeyScope,
  type ApiKeysApi,
  type ApiKeyView,
  type CreatedApiKey,
} from '@switchboard/contracts';
import type { SessionContext } from '../auth/session-context.js';

/**
 * Admin → API keys: integrators' keys of the session's workspace, over grpc-api's ApiKeysApi port
 * (in process, or over internal RPC when the inbox runs alone). The key itself is in the create
 * answer only; grpc-api keeps just its hash.
 */
@Injectable()
export class ApiKeysAdminService {
  constructor(@Inject(API_KEYS_API) private readonly keys: ApiKeysApi) {}

  list(session: SessionContext): Promise<ApiKeyView[]> {
    return this.keys.listApiKeys(session.workspaceId);
  }

  create(
    session: SessionContext,
    input: { name: string; scope: ApiKeyScope; rateLimitPerSecond: number | null },
  ): Promise<CreatedApiKey> {
    return this.keys.createApiKey(session.workspaceId, { ...input, createdBy: session.email });
  }

  revoke(session: SessionContext, keyId: string): Promise<ApiKeyView> {
    return this.keys.revokeApiKey(session.workspaceId, keyId);
  }
}
