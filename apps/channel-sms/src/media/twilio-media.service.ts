import { Inject, Injectable } from '@nestjs/common';
import { type Attachment, type FetchedChannelMedia, TransientMediaError } from '@switchboard/contracts';
import {
  ATTACHMENT_STORE,
  type AttachmentStore,
  type ConfigOf,
  DependencyUnavailableError,
  InjectConfig,
  createLogger,
  storeKey,
} from '@switchboard/platform';
import { randomUUID } from 'node:crypto';
import type { SmsAccount } from '../accounts/sms-account.js';
import { SmsChannelConfig } from '../sms-channel.config.js';
import { isTwilioMediaRedirect, isTwilioMediaUrl } from './twilio-media-url.util.js';

/** Twilio's own MMS limit is 5 MB per message; anything bigger is not from a carrier. */
export const MAX_MEDIA_BYTES = 5 * 1024 * 1024;
/** The whole download, redirects included: Twilio waits 15 s for our answer. */
export const MEDIA_TIMEOUT_MS = 8_000;
const MAX_REDIRECTS = 3;

export interface MediaItem {
  readonly url: string;
  readonly contentType: string | null;
}

// A download that may work if Twilio retries the webhook (timeout, 5xx, network): the port's error.
export { TransientMediaError };

export interface FetchedMedia {
  readonly attachments: Attachment[];
  /** Media refused for good (not Twilio's, too large, gone): the message goes on without them. */
  readonly rejected: number;
}

/**
 * Copies an inbound MMS's media from Twilio into the shared `AttachmentStore` under
 * `sms-media/<workspace>/<uuid>` (ADR 0033), so that attachments name a key of ours, never a
 * provider URL, and whoever serves the key can tell its workspace from the key alone. Only this
 * message's media on Twilio's API is fetched, with the account's credentials, bounded in size and
 * time.
 */
@Injectable()
export class TwilioMediaService {
  private readonly logger = createLogger('channel-sms.media');

  constructor(
    @InjectConfig(SmsChannelConfig) private readonly config: ConfigOf<typeof SmsChannelConfig>,
    @Inject(ATTACHMENT_STORE) private readonly files: AttachmentStore,
  ) {}

  async copyToStorage(
    account: SmsAccount,
    messageSid: string,
    items: readonly MediaItem[],
  ): Promise<FetchedMedia> {
    const attachments: Attachment[] = [];
    let rejected = 0;
    for (const item of items) {
      const fetched = await this.fetch(account, messageSid, item);
      if (fetched === null) {
        rejected += 1;
        continue;
      }
      const storageKey = storeKey('sms-media', account.workspaceId, randomUUID());
      const contentType = fetched.contentType ?? item.contentType ?? 'application/octet-stream';
      // Durable before the webhook is acknowledged (the message naming the key is published after);
      // a store outage is a 503, so Twilio retries rather than the media being lost.
      try {
        await this.files.put(storageKey, fetched.body, { size: fetched.body.length, contentType });
      } catch (error) {
        throw new DependencyUnavailableError(
          'attachment-store',
          `could not store MMS media: ${(error as Error).message}`,
        );
      }
      attachments.push({ storageKey, contentType, sizeBytes: fetched.body.length });
    }
    return { attachments, rejected };
  }

  /**
   * The bytes of one of this message's media, from Twilio's API with the account's credentials;
   * null when refused for good (not Twilio's, too large, gone). The channel port's `fetchMedia`.
   */
  async fetch(account: SmsAccount, messageSid: string, item: MediaItem): Promise<FetchedChannelMedia | null> {
    if (!isTwilioMediaUrl(item.url, this.config.TWILIO_API_BASE_URL, account.accountSid, messageSid)) {
      // Logged without the URL's query: it is attacker-chosen text.
      this.logger.warn(
        { channelAccountId: account.id, messageSid, host: safeHost(item.url) },
        'refused to fetch MMS media outside Twilio',
      );
      return null;
    }
    return this.download(account, item.url);
  }

  private async download(
    account: SmsAccount,
    url: string,
  ): Promise<{ body: Buffer; contentType: string | null } | null> {
    const signal = AbortSignal.timeout(MEDIA_TIMEOUT_MS);
    let target = new URL(url);
    // Credentials go to Twilio's API only, never to where it redirects.
    let headers: Record<string, string> = {
      authorization: `Basic ${Buffer.from(`${account.accountSid}:${account.authToken}`).toString('base64')}`,
    };
    try {
      for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
        const response = await fetch(target, { headers, redirect: 'manual', signal });
        if (response.status >= 300 && response.status < 400) {
          const location = response.headers.get('location');
          await response.body?.cancel();
          const next = location === null ? null : new URL(location, target);
          if (next === null || !isTwilioMediaRedirect(next)) {
            this.logger.warn({ host: next?.hostname }, 'refused an MMS media redirect outside Twilio');
            return null;
          }
          target = next;
          headers = {};
          continue;
        }
        if (response.status >= 500 || response.status === 429) {
          await response.body?.cancel();
          throw new TransientMediaError(`Twilio media answered ${response.status}`);
        }
        if (!response.ok) {
          await response.body?.cancel();
          this.logger.warn({ status: response.status }, 'MMS media not available');
          return null;
        }
        const body = await readBounded(response, MAX_MEDIA_BYTES);
        if (body === null) {
          this.logger.warn({ maxBytes: MAX_MEDIA_BYTES }, 'MMS media too large: not kept');
          return null;
        }
        return { body, contentType: response.headers.get('content-type') };
      }
      this.logger.warn({}, 'too many MMS media redirects');
      return null;
    } catch (error) {
      if (error instanceof TransientMediaError) throw error;
      throw new TransientMediaError(`could not download MMS media: ${(error as Error).message}`);
    }
  }
}

/** The body, or null as soon as it exceeds `max` bytes (the rest is never read). */
async function readBounded(response: Response, max: number): Promise<Buffer | null> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > max) {
    await response.body?.cancel();
    return null;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function safeHost(url: string): string | undefined {
  return URL.canParse(url) ? new URL(url).hostname : undefined;
}
