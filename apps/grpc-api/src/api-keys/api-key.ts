import type { ApiKeyScope } from '@switchboard/contracts';
import { createHash, randomBytes } from 'node:crypto';

// The views are the ApiKeysApi port's (libs/contracts), which the inbox's admin screen calls.
export type { ApiKeyScope, ApiKeyView, CreateApiKeyRequest, CreatedApiKey } from '@switchboard/contracts';

export const API_KEY_SCOPES: readonly ApiKeyScope[] = ['read', 'read-write'];

/** What a call needs: reads need either scope, writes need `read-write`. */
export type RequiredScope = 'read' | 'write';

/** Who is calling, once the key checks out. */
export interface ApiPrincipal {
  readonly keyId: string;
  readonly workspaceId: string;
  readonly name: string;
  readonly scope: ApiKeyScope;
  /** Null: the server's default (GRPC_RATE_LIMIT_PER_SECOND). */
  readonly rateLimitPerSecond: number | null;
}

const KEY_PREFIX = 'sbk_';
/** 32 random bytes, 43 base64url characters: 256 bits nobody can guess or brute-force. */
const KEY_BYTES = 32;
const KEY_SHAPE = /^sbk_[A-Za-z0-9_-]{43}$/;

export function generateApiKey(): string {
  return `${KEY_PREFIX}${randomBytes(KEY_BYTES).toString('base64url')}`;
}

export function looksLikeApiKey(candidate: string): boolean {
  return KEY_SHAPE.test(candidate);
}

/**
 * SHA-256, not a password hash: the key has 256 bits of entropy, so there is no dictionary to
 * slow down, and every call authenticates (ADR 0060).
 */
export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** The part shown in listings, enough to tell keys apart: `sbk_AbCd1234`. */
export function displayPrefix(key: string): string {
  return key.slice(0, KEY_PREFIX.length + 8);
}

export function allows(scope: ApiKeyScope, required: RequiredScope): boolean {
  return required === 'read' || scope === 'read-write';
}
