import { Controller, Get, HttpCode, Param, Post, Query, UseFilters, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { CurrentSession, SessionGuard } from '../auth/session.guard.js';
import type { SessionContext } from '../auth/session-context.js';
import { InboxExceptionFilter } from '../http/inbox-exception.filter.js';
import { parseInput } from '../http/parse-input.util.js';
import { ContactsService } from './contacts.service.js';

const listSchema = z.object({
  /** Prefix of a name or of any identity (phone, email, platform id). */
  q: z.string().trim().max(200).optional(),
  pageToken: z.string().max(2000).optional(),
  pageSize: z.coerce.number().int().min(1).max(100).optional(),
});

/**
 * Contacts: find customers, open a profile, undo a merge. Every role may (agents already merge
 * from a conversation); attributes are edited through `PATCH /customers/:id`. Ids of another
 * workspace answer 404, as ids that never existed.
 */
@Controller('api/inbox')
@UseGuards(SessionGuard)
@UseFilters(InboxExceptionFilter)
export class ContactsController {
  constructor(private readonly contacts: ContactsService) {}

  @Get('customers')
  list(@CurrentSession() session: SessionContext, @Query() query: unknown) {
    return this.contacts.list(session, parseInput(listSchema, query));
  }

  @Get('customers/:customerId')
  profile(@CurrentSession() session: SessionContext, @Param('customerId') id: string) {
    return this.contacts.profile(session, id);
  }

  @Post('merges/:mergeId/undo')
  @HttpCode(200)
  undoMerge(@CurrentSession() session: SessionContext, @Param('mergeId') id: string) {
    return this.contacts.undoMerge(session, id);
  }
}
