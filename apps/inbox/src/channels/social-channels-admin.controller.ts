import { Body, Controller, Delete, Get, HttpCode, Param, Put, UseFilters, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { CurrentSession, RequireRole, SessionGuard } from '../auth/session.guard.js';
import type { SessionContext } from '../auth/session-context.js';
import { InboxExceptionFilter } from '../http/inbox-exception.filter.js';
import { parseInput } from '../http/parse-input.util.js';
import { SocialChannelsAdminService } from './social-channels-admin.service.js';

// Shape and size at the edge; channel-social checks the values and names the field.
const text = (max: number) => z.string().max(max);
const socialChannelInput = z.strictObject({
  channel: z.enum(['whatsapp', 'messenger', 'instagram', 'telegram']),
  externalId: text(40).optional(),
  accessToken: text(1000).optional(),
  appSecret: text(200).optional(),
  botToken: text(200).optional(),
  pageId: text(40).optional(),
  humanAgentTag: z.boolean().optional(),
});

/** WhatsApp, Messenger, Instagram and Telegram channels for admins: secrets in, never out. */
@Controller('api/inbox/admin/channels/social')
@UseGuards(SessionGuard)
@UseFilters(InboxExceptionFilter)
export class SocialChannelsAdminController {
  constructor(private readonly social: SocialChannelsAdminService) {}

  @Get()
  @RequireRole('admin')
  async list(@CurrentSession() session: SessionContext) {
    return { available: this.social.available, channels: await this.social.list(session) };
  }

  @Put()
  @RequireRole('admin')
  connect(@CurrentSession() session: SessionContext, @Body() body: unknown) {
    return this.social.connect(session, parseInput(socialChannelInput, body));
  }

  @Delete(':channelId')
  @RequireRole('admin')
  @HttpCode(204)
  async remove(
    @CurrentSession() session: SessionContext,
    @Param('channelId') channelId: string,
  ): Promise<void> {
    await this.social.remove(session, channelId);
  }
}
