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
