import type { Channel } from '@switchboard/contracts';
import { ApiError, csrfHeader } from './api.js';

/** What the inbox accepts (the server checks again, by the bytes). */
export const ATTACHMENT_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf'];
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_FILES = 5;

export interface UploadedAttachment {
  id: string;
  contentType: string;
  sizeBytes: number;
  fileName: string | null;
}

/** Why a chosen file can't be attached, before uploading it; null if it can. */
export function attachmentProblem(file: File): string | null {
  if (!ATTACHMENT_TYPES.includes(file.type))
    return `${file.name}: only images (PNG, JPEG, GIF, WebP) and PDF`;
  if (file.size > MAX_FILE_BYTES) return `${file.name}: larger than 10 MB`;
  return null;
}

/** What an MMS carries (`MMS_CONTENT_TYPES` of the contracts: a test keeps the two equal), and how much. */
export const SMS_ATTACHMENT_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'application/pdf'];
export const MAX_SMS_ATTACHMENT_BYTES = 5_000_000;

/**
 * What WhatsApp, Messenger, Instagram and Telegram take (`SOCIAL_CHANNEL_LIMITS` of the contracts,
 * copied so the SPA imports only types from there: a test keeps the two equal).
 */
export const SOCIAL_LIMITS = {
  whatsapp: { maxTextLength: 4_096, maxFileBytes: 16 * 1024 * 1024, mediaTypes: null },
  messenger: { maxTextLength: 2_000, maxFileBytes: 25 * 1024 * 1024, mediaTypes: null },
  instagram: { maxTextLength: 999, maxFileBytes: 8 * 1024 * 1024, mediaTypes: ['image/jpeg', 'image/png'] },
  telegram: { maxTextLength: 4_096, maxFileBytes: 50 * 1024 * 1024, mediaTypes: null },
} as const;

/**
 * Why this reply (its files, its length) can't go by the channel it would take, said before sending
 * rather than as a failed delivery afterwards; null when it can (the channel checks again).
 */
export function channelAttachmentProblem(
  channel: Channel | null,
  files: readonly Pick<UploadedAttachment, 'contentType' | 'sizeBytes' | 'fileName'>[],
  text = '',
): string | null {
  if (
    channel === 'whatsapp' ||
    channel === 'messenger' ||
    channel === 'instagram' ||
    channel === 'telegram'
  ) {
    const limits = SOCIAL_LIMITS[channel];
    const label = {
      whatsapp: 'WhatsApp',
      messenger: 'Messenger',
      instagram: 'Instagram',
      telegram: 'Telegram',
    }[channel];
    if (text.length > limits.maxTextLength)
      return `A ${label} message holds at most ${limits.maxTextLength} characters; this one has ${text.length}.`;
    const tooBig = files.find((f) => f.sizeBytes > limits.maxFileBytes);
    if (tooBig) return `${tooBig.fileName ?? 'This file'} is too large for ${label}.`;
    if (limits.mediaTypes !== null) {
      const allowed: readonly string[] = limits.mediaTypes;
      const unsupported = files.find((f) => !allowed.includes(f.contentType));
      if (unsupported)
        return `${unsupported.fileName ?? 'This file'} can't go by Instagram: only JPEG and PNG pictures.`;
    }
    return null;
  }
  if (channel !== 'sms' || files.length === 0) return null;
  const unsupported = files.find((f) => !SMS_ATTACHMENT_TYPES.includes(f.contentType));
  if (unsupported) {
    return (
      `${unsupported.fileName ?? 'This file'} can't go by SMS: MMS carries JPEG, PNG and GIF pictures ` +
      'and PDF files. Remove it, or reply on another channel.'
    );
  }
  const total = files.reduce((sum, f) => sum + f.sizeBytes, 0);
  if (total > MAX_SMS_ATTACHMENT_BYTES) {
    return `An MMS carries at most 5 MB of files; these come to ${(total / 1_000_000).toFixed(1)} MB.`;
  }
  return null;
}

/** Uploads the file as the request body; the reply then names it by the returned id. */
export async function uploadAttachment(file: File): Promise<UploadedAttachment> {
  const response = await fetch('/api/inbox/attachments', {
    method: 'POST',
    headers: { 'content-type': file.type, 'x-file-name': encodeURIComponent(file.name), ...csrfHeader() },
    body: file,
    credentials: 'same-origin',
  });
  const json = (await response.json().catch(() => ({}))) as UploadedAttachment & {
    error?: { message: string; fieldViolations?: { field: string; description: string }[] };
  };
  if (!response.ok) {
    const detail = json.error?.fieldViolations?.map((v) => v.description).join('; ');
    throw new ApiError(response.status, `${file.name}: ${detail || json.error?.message || 'upload failed'}`);
  }
  return json;
}

/**
 * Where agents open a message's file, from the storage key it carries: an agent's upload by its
 * id, a customer's (web upload, MMS) by its key; null for keys the inbox does not serve.
 */
export function agentAttachmentUrl(storageKey: string, fileName: string | null = null): string | null {
  const agents = /^inbox\/[0-9a-f-]{36}\/([0-9a-f-]{36})$/.exec(storageKey);
  if (agents) return `/api/inbox/attachments/${agents[1]}`;
  if (!/^(?:web\/[0-9a-f-]{36}|sms-media(?:\/[0-9a-f-]{36})?)\/[0-9a-f-]{36}$/.test(storageKey)) return null;
  const name = fileName === null ? '' : `&name=${encodeURIComponent(fileName)}`;
  return `/api/inbox/attachments/customer?key=${encodeURIComponent(storageKey)}${name}`;
}
