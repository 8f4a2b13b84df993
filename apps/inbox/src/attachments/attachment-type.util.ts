import { SIGNED_ATTACHMENT_TYPES } from '@switchboard/platform';

/**
 * What an agent may attach: the types the web widget shows (images inline, PDF as a download),
 * each recognised by its first bytes with the platform's signatures (`matchesAttachmentType`), the
 * same as a visitor's uploads.
 */
export const AGENT_ATTACHMENT_TYPES = SIGNED_ATTACHMENT_TYPES;
export const MAX_AGENT_ATTACHMENT_BYTES = 10 * 1024 * 1024;
/** Files per reply. */
export const MAX_ATTACHMENTS_PER_REPLY = 5;
