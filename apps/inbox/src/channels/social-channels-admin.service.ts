import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  FailedPreconditionError,
  SOCIAL_CHANNEL_API,
  type SocialChannelApi,
  type SocialChannelInput,
  type SocialChannelView,
} from '@switchboard/contracts';
import type { SessionContext } from '../auth/session-context.js';

/**
 * The admin screen's WhatsApp numbers, pages, Instagram accounts and Telegram bots, over
 * channel-social's port, always for the session's workspace. Without channel-social (the inbox
 * alone with no CHANNEL_SOCIAL_API_URL) the list is empty and connecting says why.
 */
@Injectable()
export class SocialChannelsAdminService {
  constructor(@Optional() @Inject(SOCIAL_CHANNEL_API) private readonly social: SocialChannelApi | null) {}

  get available(): boolean {
    return this.social !== null && this.social !== undefined;
  }

  async list(session: SessionContext): Promise<SocialChannelView[]> {
    return this.social ? this.social.listSocialChannels(session.workspaceId) : [];
  }

  connect(session: SessionContext, input: SocialChannelInput): Promise<SocialChannelView> {
    if (!this.social) return Promise.reject(unavailable());
    return this.social.connectSocialChannel(session.workspaceId, input);
  }

  remove(session: SessionContext, channelId: string): Promise<void> {
    if (!this.social) return Promise.reject(unavailable());
    return this.social.removeSocialChannel(session.workspaceId, channelId);
  }
}

function unavailable(): FailedPreconditionError {
  return new FailedPreconditionError(
    'the social channels are not deployed with this inbox (CHANNEL_SOCIAL_API_URL)',
  );
}
