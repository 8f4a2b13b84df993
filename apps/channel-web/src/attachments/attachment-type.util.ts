/** A visitor's upload at most; the types it may have are the platform's (`SIGNED_ATTACHMENT_TYPES`). */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
