import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
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
import { CannedResponsesService } from './canned-responses.service.js';

const inputSchema = z.object({
  shortcut: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'letters, digits, "-" or "_", at most 40'),
  title: z.string().trim().min(1).max(200),
  body: z.string().trim().min(1).max(5000),
});

/** Everyone reads the workspace's canned responses; supervisors and admins maintain them. */
@Controller('api/inbox/canned-responses')
@UseGuards(SessionGuard)
@UseFilters(InboxExceptionFilter)
export class CannedResponsesController {
  constructor(private readonly canned: CannedResponsesService) {}

  @Get()
  async list(@CurrentSession() session: SessionContext) {
    return { cannedResponses: await this.canned.list(session.workspaceId) };
  }

  @Post()
  @RequireRole('supervisor')
  create(@CurrentSession() session: SessionContext, @Body() body: unknown) {
    return this.canned.create(session.workspaceId, session.userId, parseInput(inputSchema, body));
  }

  @Put(':id')
  @RequireRole('supervisor')
  update(@CurrentSession() session: SessionContext, @Param('id') id: string, @Body() body: unknown) {
    return this.canned.update(session.workspaceId, id, parseInput(inputSchema, body));
  }

  @Delete(':id')
  @RequireRole('supervisor')
  @HttpCode(204)
  async remove(@CurrentSession() session: SessionContext, @Param('id') id: string): Promise<void> {
    await this.canned.remove(session.workspaceId, id);
  }
}
