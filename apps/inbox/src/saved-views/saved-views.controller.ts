import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseFilters, UseGuards } from '@nestjs/common';
import { channelSchema, conversationStatusSchema } from '@switchboard/contracts';
import { z } from 'zod';
import { CurrentSession, SessionGuard } from '../auth/session.guard.js';
import type { SessionContext } from '../auth/session-context.js';
import { InboxExceptionFilter } from '../http/inbox-exception.filter.js';
import { parseInput } from '../http/parse-input.util.js';
import { type SavedView, SavedViewsService } from './saved-views.service.js';

const createSchema = z.object({
  name: z.string().trim().min(1).max(60),
  filters: z.strictObject({
    view: z.enum(['mine', 'unassigned', 'all']),
    status: z
      .string()
      .max(40)
      .refine((s) => s.split(',').every((v) => conversationStatusSchema.safeParse(v).success), 'statuses'),
    channel: channelSchema.optional(),
    queueId: z.string().min(1).max(200).optional(),
    labelId: z.uuid().optional(),
  }),
});

/** `GET/POST/DELETE /api/inbox/saved-views`: the signed-in user's own views of the list. */
@Controller('api/inbox/saved-views')
@UseGuards(SessionGuard)
@UseFilters(InboxExceptionFilter)
export class SavedViewsController {
  constructor(private readonly views: SavedViewsService) {}

  @Get()
  async list(@CurrentSession() session: SessionContext): Promise<{ savedViews: SavedView[] }> {
    return { savedViews: await this.views.list(session.workspaceId, session.userId) };
  }

  @Post()
  create(@CurrentSession() session: SessionContext, @Body() body: unknown): Promise<SavedView> {
    return this.views.create(session.workspaceId, session.userId, parseInput(createSchema, body));
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@CurrentSession() session: SessionContext, @Param('id') id: string): Promise<void> {
    await this.views.remove(session.workspaceId, session.userId, id);
  }
}
