/**
 * Where the AttachmentStore keeps each workspace's files: `<area>/<workspace>/<uuid>`, the
 * workspace a key's second segment. `inbox` holds agents' uploads, `web` visitors' uploads and
 * `sms-media` customers' MMS media, `social-media` customers' WhatsApp, Messenger, Instagram and
 * Telegram files (ADR 0033, 0043, 0055, 0070).
 */
export const STORE_AREAS = ['inbox', 'web', 'sms-media', 'social-media'] as const;
export type StoreArea = (typeof STORE_AREAS)[number];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The key a new file of `workspaceId` is stored under in `area`. */
export function storeKey(area: StoreArea, workspaceId: string, id: string): string {
  return `${area}/${workspaceId}/${id}`;
}

/**
 * Where the store keeps the file a message names by `key`, if that file is `workspaceId`'s (and in
 * one of `areas`): the key itself when its workspace segment is this one; a key from before MMS
 * media moved to the store (`sms-media/<uuid>`, no workspace in it) under this workspace, where
 * the SMS channel moved it, so a legacy key of another workspace finds nothing. Anything else (a
 * URL, another workspace's key, a path trick) is null: never read.
 */
export function workspaceStoreKey(
  workspaceId: string,
  key: string,
  areas: readonly StoreArea[] = STORE_AREAS,
): string | null {
  const [area, ...rest] = key.split('/');
  if (!areas.some((allowed) => allowed === area)) return null;
  if (rest.length === 2 && rest[0] === workspaceId && UUID.test(rest[1] ?? '')) return key;
  if (area === 'sms-media' && rest.length === 1 && UUID.test(rest[0] ?? ''))
    return storeKey('sms-media', workspaceId, rest[0] ?? '');
  return null;
}
