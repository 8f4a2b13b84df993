import { type IdentityKind, InvalidArgumentError, toE164 } from '@switchboard/contracts';

/**
 * The one form an identity is stored and matched in: E.164 phones, lower-cased emails, platform
 * ids as given. Channels already send normalized addresses; values typed by people (a pre-chat
 * form, an integrator's lookup) are normalized here so they meet the same rows.
 */
const E164 = /^\+[1-9]\d{6,14}$/;

export function normalizeIdentityValue(kind: IdentityKind, value: string): string {
  const trimmed = value.trim();
  switch (kind) {
    case 'phone':
      // Channels send E.164 already; parsing costs ~50 µs a message at thousands a second.
      return E164.test(trimmed) ? trimmed : (toE164(trimmed) ?? trimmed);
    case 'email':
      return trimmed.toLowerCase();
    case 'web_visitor':
    case 'web_user':
    case 'messenger':
    case 'instagram':
    case 'whatsapp':
    case 'telegram':
    case 'external':
      return trimmed;
  }
}

/**
 * The same, for a value a person or an integrator typed and asked us to write to or look up: a
 * phone that is not a possible international number is refused rather than stored as typed (it
 * would be an identity no channel ever matches).
 */
export function normalizeRequestedIdentityValue(kind: IdentityKind, value: string, field: string): string {
  const normalized = normalizeIdentityValue(kind, value);
  if (kind === 'phone' && !E164.test(normalized)) {
    throw new InvalidArgumentError('not a phone number in international form', [
      { field, description: 'a possible phone number with its country code, e.g. +1 415 555 0123' },
    ]);
  }
  if (normalized === '')
    throw new InvalidArgumentError('empty identity value', [{ field, description: 'required' }]);
  return normalized;
}

export function identityKey(workspaceId: string, kind: string, value: string): string {
  return `${workspaceId}\u0000${kind}\u0000${value}`;
}
