import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { z } from 'zod';
import { CurrentSession, RequireRole, SessionGuard } from '../auth/session.guard.js';
import type { SessionContext } from '../auth/session-context.js';
import { InboxExceptionFilter } from '../http/inbox-exception.filter.js';
import { parseInput } from '../http/parse-input.util.js';
import { ChannelsAdminService } from './channels-admin.service.js';

// The edge checks shape and size, so nothing malformed or oversized crosses to a channel; the
// channel's own schema checks the values (an origin, a colour, a time zone) and names the field.
const text = (max: number) => z.string().max(max);
const interval = z.strictObject({ from: text(5), to: text(5) });
const widgetSettingsPatch = z.strictObject({
  allowedOrigins: z.array(text(300)).max(50).optional(),
  appearance: z
    .strictObject({
      theme: z
        .strictObject({
          color: text(7),
          position: z.enum(['right', 'left']),
          language: z.enum(['en', 'fr', 'de', 'es']),
          title: text(80),
          greeting: text(300),
        })
        .optional(),
      prechatFields: z
        .array(z.strictObject({ name: z.enum(['name', 'email']), required: z.boolean() }))
        .max(2)
        .optional(),
      businessHours: z
        .strictObject({
          timeZone: text(64),
          weekly: z.partialRecord(
            z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']),
            z.array(interval).max(6),
          ),
        })
        .nullable()
        .optional(),
      offlineMessage: text(500).optional(),
      offlineWhenNoAgentOnline: z.boolean().optional(),
      cardTokenizationUrl: text(500).nullable().optional(),
    })
    .optional(),
});
const smsNumberInput = z.strictObject({
  phoneNumber: text(40),
  accountSid: text(64),
  authToken: text(200).optional(),
  messagingServiceSid: text(64).nullable().optional(),
  helpText: text(1000).nullable().optional(),
});

/** Channels for admins: the web widget's settings and the workspace's Twilio numbers. */
@Controller('api/inbox/admin/channels')
@UseGuards(SessionGuard)
@UseFilters(InboxExceptionFilter)
export class ChannelsAdminController {
  constructor(private readonly channels: ChannelsAdminService) {}

  @Get('web')
  @RequireRole('admin')
  widgetSettings(@CurrentSession() session: SessionContext) {
    return this.channels.widgetSettings(session);
  }

  @Patch('web')
  @RequireRole('admin')
  updateWidgetSettings(@CurrentSession() session: SessionContext, @Body() body: unknown) {
    return this.channels.updateWidgetSettings(session, parseInput(widgetSettingsPatch, body));
  }

  @Post('web/rotate-identity-secret')
  @RequireRole('admin')
  @HttpCode(200)
  rotateIdentitySecret(@CurrentSession() session: SessionContext) {
    return this.channels.rotateIdentitySecret(session);
  }

  @Get('sms')
  @RequireRole('admin')
  async smsNumbers(@CurrentSession() session: SessionContext) {
    return { numbers: await this.channels.smsNumbers(session) };
  }

  @Put('sms')
  @RequireRole('admin')
  upsertSmsNumber(@CurrentSession() session: SessionContext, @Body() body: unknown) {
    return this.channels.upsertSmsNumber(session, parseInput(smsNumberInput, body));
  }

  @Delete('sms/:numberId')
  @RequireRole('admin')
  @HttpCode(204)
  async removeSmsNumber(
    @CurrentSession() session: SessionContext,
    @Param('numberId') numberId: string,
  ): Promise<void> {
    await this.channels.removeSmsNumber(session, numberId);
  }
}
