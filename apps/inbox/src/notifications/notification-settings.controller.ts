import { Body, Controller, Get, Put, UseFilters, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { CurrentSession, SessionGuard } from '../auth/session.guard.js';
import type { SessionContext } from '../auth/session-context.js';
import { InboxExceptionFilter } from '../http/inbox-exception.filter.js';
import { parseInput } from '../http/parse-input.util.js';
import { NotificationSettingsService } from './notification-settings.service.js';

const settingsSchema = z.strictObject({
  desktop: z.boolean(),
  sound: z.boolean(),
  onAssigned: z.boolean(),
  onCustomerMessage: z.boolean(),
  onMention: z.boolean(),
});

/** Everyone reads and sets their own notification settings, and only their own. */
@Controller('api/inbox/notification-settings')
@UseGuards(SessionGuard)
@UseFilters(InboxExceptionFilter)
export class NotificationSettingsController {
  constructor(private readonly settings: NotificationSettingsService) {}

  @Get()
  get(@CurrentSession() session: SessionContext) {
    return this.settings.get(session.workspaceId, session.userId);
  }

  @Put()
  put(@CurrentSession() session: SessionContext, @Body() body: unknown) {
    return this.settings.put(session.workspaceId, session.userId, parseInput(settingsSchema, body));
  }
}
