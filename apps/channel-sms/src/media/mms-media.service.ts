import { Inject, Injectable } from '@nestjs/common';
import { type Attachment, MMS_CONTENT_TYPES } from '@switchboard/contracts';
import {
  ATTACHMENT_STORE,
  type AttachmentStore,
  type ConfigOf,
  InjectConfig,
  type StoredAttachment,
  createLogger,
  matchesAttachmentType,
  workspaceStoreKey,
  readSignature,
} from '@switchboard/platform';
import type { Readable } from 'node:stream';
import { SMS_ENCRYPTION_KEY } from '../accounts/encryption-key.provider.js';
import { SmsChannelConfig } from '../sms-channel.config.js';
import { type MmsMediaGrant, MmsMediaTokens } from './mms-media-token.util.js';

/** Types Twilio sends as MMS (`MMS_CONTENT_TYPES`). */
export const MMS_TYPES: ReadonlySet<string> = new Set(MMS_CONTENT_TYPES);
/** Twilio's limit on a whole MMS (body and media together): 5 MB, counted in decimal to stay under it. */
export const MAX_MMS_BYTES = 5_000_000;
/** Twilio takes at most 10 media per message. */
export const MAX_MMS_MEDIA = 10;
/**
 * How long a media URL works. Twilio fetches the media when it takes the message, and may hold a
 * message in its queue for up to 10 hours (ValidityPeriod's maximum) before sending it.
 */
export const MMS_MEDIA_URL_TTL_SECONDS = 12 * 60 * 60;
/** The path the URLs are served under (`MmsMediaController`). */
export const MMS_MEDIA_PATH = '/sms/media';

/** The AttachmentStore failed (not "no such file"): the reply waits and is tried again. */
export class MediaStoreUnavailableError extends Error {
  override readonly name = 'MediaStoreUnavailableError';
}

/** A reply's files as Twilio's `mediaUrl`, or why they can't be sent by MMS. */
export type MmsMediaPreparation =
  | { readonly ok: true; readonly mediaUrls: string[] }
  | { readonly ok: false; readonly code: string; readonly message: string };

export interface MmsMediaContent {
  readonly contentType: string;
  readonly fileName: string | null;
  readonly size: number;
  readonly body: Readable;
}

/**
 * Agents' files sent by MMS (ADR 0034). Twilio fetches each medium from a public URL, so every file
 * of a reply gets a URL under PUBLIC_BASE_URL whose token is an expiring, sealed grant of one
 * storage key of the reply's own workspace; this service checks the files before Twilio is called
 * (type Twilio accepts for MMS, bytes really of that type, total size, count) and serves the bytes
 * of a valid grant from the AttachmentStore.
 */
@Injectable()
export class MmsMediaService {
  private readonly logger = createLogger('channel-sms.mms-media');
  private readonly tokens: MmsMediaTokens;

  constructor(
    @InjectConfig(SmsChannelConfig) private readonly config: ConfigOf<typeof SmsChannelConfig>,
    @Inject(ATTACHMENT_STORE) private readonly files: AttachmentStore,
    @Inject(SMS_ENCRYPTION_KEY) masterKey: Buffer,
  ) {
    this.tokens = new MmsMediaTokens(masterKey);
  }

  async prepare(
    workspaceId: string,
    attachments: readonly Attachment[],
    text: string,
  ): Promise<MmsMediaPreparation> {
    const base = this.config.PUBLIC_BASE_URL;
    if (base === undefined)
      return refusal(
        'attachments_not_supported',
        'Files can’t be sent by SMS from this server: Twilio fetches them from a public address, and ' +
          'none is set (PUBLIC_BASE_URL). Send the text alone.',
      );
    if (attachments.length > MAX_MMS_MEDIA)
      return refusal(
        'too_many_attachments',
        `An MMS carries at most ${MAX_MMS_MEDIA} files; this reply has ${attachments.length}.`,
      );
    const unsupported = attachments.find((a) => !MMS_TYPES.has(a.contentType));
    if (unsupported)
      return refusal(
        'attachment_type_not_supported',
        `MMS carries JPEG, PNG and GIF pictures and PDF files; ${describeFile(unsupported)} is ${unsupported.contentType}. ` +
          'Send it converted to one of those.',
      );
    let total = Buffer.byteLength(text, 'utf8');
    const expiresAt = Math.floor(Date.now() / 1000) + MMS_MEDIA_URL_TTL_SECONDS;
    const mediaUrls: string[] = [];
    for (const attachment of attachments) {
      // Only this workspace's files (`inbox/`, `web/`, `sms-media/` keys, ADR 0034).
      const storageKey = workspaceStoreKey(workspaceId, attachment.storageKey);
      const stored = storageKey === null ? null : await this.read(storageKey);
      if (
        storageKey === null ||
        stored === null ||
        !(await startsAsItsType(stored, attachment.contentType))
      ) {
        this.logger.warn(
          { workspaceId, storageKey: attachment.storageKey },
          'an MMS file is not this workspace’s, is gone, or is not its type',
        );
        return refusal(
          'attachment_not_available',
          `${capitalize(describeFile(attachment))} can’t be sent by SMS: the file is not available. Attach it again.`,
        );
      }
      total += stored.size;
      if (total > MAX_MMS_BYTES)
        return refusal(
          'attachments_too_large',
          `An MMS carries at most 5 MB in all; this reply comes to more (${megabytes(total)} MB so far). ` +
            'Send fewer or smaller files.',
        );
      const token = this.tokens.seal({
        workspaceId,
        storageKey,
        contentType: attachment.contentType,
        fileName: twilioFileName(attachment),
        expiresAt,
      });
      mediaUrls.push(`${base}${MMS_MEDIA_PATH}/${token}`);
    }
    return { ok: true, mediaUrls };
  }

  private async read(storageKey: string): Promise<StoredAttachment | null> {
    try {
      return await this.files.get(storageKey);
    } catch (error) {
      throw new MediaStoreUnavailableError(`attachment store unavailable: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /** The file a media URL's token grants, or null: forged, expired, another workspace's, gone. */
  async open(token: string): Promise<MmsMediaContent | null> {
    const grant: MmsMediaGrant | null = this.tokens.open(token, Math.floor(Date.now() / 1000));
    // Sealed only by `prepare`, which checked the key; checked again so a grant never reaches
    // outside its workspace even if a future caller seals carelessly.
    const storageKey = grant === null ? null : workspaceStoreKey(grant.workspaceId, grant.storageKey);
    if (grant === null || storageKey === null) return null;
    const stored = await this.files.get(storageKey);
    if (stored === null) return null;
    return { contentType: grant.contentType, fileName: grant.fileName, size: stored.size, body: stored.body };
  }
}

/** Reads the first bytes and closes the stream: the uploader checked them, the store may have changed. */
async function startsAsItsType(stored: StoredAttachment, contentType: string): Promise<boolean> {
  try {
    return matchesAttachmentType(contentType, (await readSignature(stored.body)).head);
  } finally {
    stored.body.destroy();
  }
}

/**
 * Twilio's advice for the name recipients see: at most 20 characters, no spaces or special
 * characters. The extension is kept; null when nothing of the name survives.
 */
function twilioFileName(attachment: Attachment): string | null {
  const name = attachment.fileName ?? '';
  const dot = name.lastIndexOf('.');
  const clean = (part: string) => part.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '');
  const extension = dot > 0 ? clean(name.slice(dot + 1)).slice(0, 5) : '';
  const stem = clean(dot > 0 ? name.slice(0, dot) : name).slice(
    0,
    20 - (extension ? extension.length + 1 : 0),
  );
  if (stem === '') return null;
  return extension ? `${stem}.${extension}` : stem;
}

function describeFile(attachment: Attachment): string {
  return attachment.fileName ? `“${attachment.fileName}”` : 'a file';
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function megabytes(bytes: number): string {
  return (bytes / 1_000_000).toFixed(1);
}

function refusal(code: string, message: string): MmsMediaPreparation {
  return { ok: false, code, message };
}
