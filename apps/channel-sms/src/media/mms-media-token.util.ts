import { SecretBox } from '@switchboard/platform';
import { hkdfSync } from 'node:crypto';

/** What an outbound MMS media URL lets its holder (Twilio) fetch, and until when. */
export interface MmsMediaGrant {
  readonly workspaceId: string;
  readonly storageKey: string;
  /** The type the uploading service checked against the file's first bytes: served as is. */
  readonly contentType: string;
  /** A name safe for Content-Disposition, or null. */
  readonly fileName: string | null;
  /** Seconds since the epoch. */
  readonly expiresAt: number;
}

/** Binds a token to this use: a credential sealed with the same box never opens as a grant. */
const CONTEXT = 'mms-media-url';
const VERSION = 1;
/** A sealed grant is a few hundred characters; anything far longer is not ours. */
const MAX_TOKEN_LENGTH = 2_048;

/**
 * Seals and opens the token in an MMS media URL: the grant encrypted and authenticated
 * (AES-256-GCM) with a key derived from SWITCHBOARD_ENCRYPTION_KEY for this purpose only. The
 * token is unguessable, cannot be altered, expires, and does not show the carrier or the
 * recipient our workspace ids or storage keys.
 */
export class MmsMediaTokens {
  private readonly box: SecretBox;

  constructor(masterKey: Buffer) {
    this.box = new SecretBox(
      Buffer.from(
        hkdfSync('sha256', masterKey, Buffer.alloc(0), 'switchboard/channel-sms/mms-media-url', 32),
      ),
    );
  }

  seal(grant: MmsMediaGrant): string {
    return this.box.seal(
      JSON.stringify([
        VERSION,
        grant.workspaceId,
        grant.storageKey,
        grant.contentType,
        grant.fileName,
        grant.expiresAt,
      ]),
      CONTEXT,
    );
  }

  /** The grant, or null when the token is forged, altered, of another key, or expired at `nowSeconds`. */
  open(token: string, nowSeconds: number): MmsMediaGrant | null {
    if (token.length > MAX_TOKEN_LENGTH) return null;
    let fields: unknown;
    try {
      fields = JSON.parse(this.box.open(token, CONTEXT));
    } catch {
      return null;
    }
    if (!Array.isArray(fields) || fields.length !== 6 || fields[0] !== VERSION) return null;
    const [, workspaceId, storageKey, contentType, fileName, expiresAt] = fields as unknown[];
    if (
      typeof workspaceId !== 'string' ||
      typeof storageKey !== 'string' ||
      typeof contentType !== 'string' ||
      (fileName !== null && typeof fileName !== 'string') ||
      typeof expiresAt !== 'number'
    )
      return null;
    if (expiresAt <= nowSeconds) return null;
    return { workspaceId, storageKey, contentType, fileName, expiresAt };
  }
}
