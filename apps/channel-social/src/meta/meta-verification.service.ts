import { Injectable } from '@nestjs/common';
import { type ConfigOf, InjectConfig } from '@switchboard/platform';
import { createHash, timingSafeEqual } from 'node:crypto';
import { SocialChannelConfig } from '../social-channel.config.js';

/**
 * Meta's subscription handshake: `hub.mode=subscribe` with our verify token is answered with
 * `hub.challenge`; anything else is refused (403).
 */
@Injectable()
export class MetaVerificationService {
  constructor(
    @InjectConfig(SocialChannelConfig) private readonly config: ConfigOf<typeof SocialChannelConfig>,
  ) {}

  /** The challenge to echo, or null to refuse. */
  answer(mode: unknown, token: unknown, challenge: unknown): Promise<string | null> {
    const expected = this.config.META_VERIFY_TOKEN;
    if (expected === undefined || mode !== 'subscribe' || typeof token !== 'string')
      return Promise.resolve(null);
    if (typeof challenge !== 'string' || !/^[A-Za-z0-9_-]{1,200}$/.test(challenge))
      return Promise.resolve(null);
    return Promise.resolve(sameSecret(token, expected) ? challenge : null);
  }
}

/** Constant-time, whatever the lengths: both sides hashed first. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
