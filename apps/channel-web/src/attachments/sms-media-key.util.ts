const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Where the store keeps the SMS channel's media behind a granted key, if the key is in
 * `workspaceId`: `sms-media/<workspace>/<uuid>` only when its workspace segment is this one, and a
 * key from before the media moved to the store (`sms-media/<uuid>`, no workspace in it) under this
 * workspace, where the SMS channel moved it; a legacy key of another workspace finds nothing there.
 */
export function smsMediaStoreKey(workspaceId: string, storageKey: string): string | null {
  const parts = storageKey.split('/');
  if (parts[0] !== 'sms-media') return null;
  if (parts.length === 3 && parts[1] === workspaceId && UUID.test(parts[2]!)) return storageKey;
  if (parts.length === 2 && UUID.test(parts[1]!)) return `sms-media/${workspaceId}/${parts[1]}`;
  return null;
}
