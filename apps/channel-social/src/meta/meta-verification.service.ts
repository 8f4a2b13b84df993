import { Injectable } from '@nestjs/common';
import { type ConfigOf, InjectConfig } from '@switchboard/platform';
import { createHash, timingSafeEqual } from 'node:crypto';
import { SocialAccountService } from '../accounts/social-account.service.js';
import { SocialChannelConfig } from '../social-channel.config.js';

/**
 * Meta's subscription handshake: `hub.mode=subscribe` with META_VERIFY_TOKEN or a connected
 * account's own verify token is answered with `hub.challenge`; anything else is refused (403).
 */
@Injectable()
export class MetaVerificationService {
  constructor(
    @InjectConfig(SocialChannelConfig) private readonly config: ConfigOf<typeof SocialChannelConfig>,
    private readonly accounts: SocialAccountService,
  ) {}

  /** The challenge to echo, or null to refuse. */
  async answer(mode: unknown, token: unknown, challenge: unknown): Promise<string | null> {
    if (mode !== 'subscribe' || typeof token !== 'string' || token.length === 0 || token.length > 200)
      return null;
    if (typeof challenge !== 'string' || !/^[A-Za-z0-9_-]{1,200}$/.test(challenge)) return null;
    const expected = this.config.META_VERIFY_TOKEN;
    if (expected !== undefined && sameSecret(token, expected)) return challenge;
    // Each connected account may have its own (Admin → Channels): an app per business.
    return (await this.accounts.hasVerifyToken(token)) ? challenge : null;
  }
}

/** Constant-time, whatever the lengths: both sides hashed first. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
