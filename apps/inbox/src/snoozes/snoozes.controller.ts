import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseFilters, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { CurrentSession, SessionGuard } from '../auth/session.guard.js';
import type { SessionContext } from '../auth/session-context.js';
import { InboxExceptionFilter } from '../http/inbox-exception.filter.js';
import { parseInput } from '../http/parse-input.util.js';
import { ReadPositionsService, unreadCount } from '../conversations/read-positions.service.js';
import { SnoozesService } from './snoozes.service.js';

const YEAR_MS = 366 * 24 * 3600 * 1000;

const snoozeSchema = z.strictObject({
  /** When it comes back by itself; null: only when the customer writes. */
  until: z.iso
    .datetime({ offset: true })
    .transform((value) => new Date(value))
    .refine((date) => date.getTime() > Date.now(), 'must be in the future')
    .refine((date) => date.getTime() < Date.now() + YEAR_MS, 'at most a year ahead')
    .nullable(),
});

const idSchema = z.object({ id: z.uuid() });

/** Snoozing a conversation out of the open lists until a time or the customer's next message (ADR 0112). */
@Controller('api/inbox')
@UseGuards(SessionGuard)
@UseFilters(InboxExceptionFilter)
export class SnoozesController {
  constructor(
    private readonly snoozes: SnoozesService,
    private readonly reads: ReadPositionsService,
  ) {}

  @Get('snoozes')
  async list(@CurrentSession() session: SessionContext) {
    const listed = await this.snoozes.listFor(session);
    const positions = await this.reads.positions(
      session.workspaceId,
      session.userId,
      listed.map((l) => l.conversation.id),
    );
    return {
      items: listed.map(({ conversation, snooze }) => ({
        ...conversation,
        unread: unreadCount(conversation.lastSequence, positions.get(conversation.id)),
        snooze,
      })),
    };
  }

  @Post('conversations/:id/snooze')
  snooze(@CurrentSession() session: SessionContext, @Param() params: unknown, @Body() body: unknown) {
    const { id } = parseInput(idSchema, params);
    return this.snoozes.snooze(session, id, parseInput(snoozeSchema, body).until);
  }

  @Delete('conversations/:id/snooze')
  @HttpCode(204)
  async unsnooze(@CurrentSession() session: SessionContext, @Param() params: unknown): Promise<void> {
    await this.snoozes.unsnooze(session, parseInput(idSchema, params).id);
  }
}
