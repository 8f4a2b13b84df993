import { Controller, Get, Query, UseFilters, UseGuards } from '@nestjs/common';
import {
  HISTORY_API,
  type HistoryApi,
  type SearchResultsView,
  channelSchema,
  conversationStatusSchema,
} from '@switchboard/contracts';
import { Inject } from '@nestjs/common';
import { z } from 'zod';
import { CurrentSession, SessionGuard } from '../auth/session.guard.js';
import type { SessionContext } from '../auth/session-context.js';
import { InboxExceptionFilter } from '../http/inbox-exception.filter.js';
import { parseInput } from '../http/parse-input.util.js';

/** A calendar day (the date inputs' value) or an instant. */
const day = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

const searchSchema = z.object({
  q: z.string().trim().min(1).max(200),
  channel: channelSchema.optional(),
  status: z
    .string()
    .transform((value) => value.split(','))
    .pipe(z.array(conversationStatusSchema).max(3))
    .optional(),
  /** `me`, `none` (unassigned) or an agent's id. */
  assignee: z.string().min(1).max(200).optional(),
  labelId: z.uuid().optional(),
  /** Days are the whole day in UTC: `from` its start, `to` up to its end. */
  from: day.optional(),
  to: day.optional(),
  pageToken: z.string().max(2000).optional(),
});

const startOf = (value: string) => (value.length === 10 ? `${value}T00:00:00Z` : value);
const endOf = (value: string) =>
  value.length === 10 ? new Date(Date.parse(`${value}T00:00:00Z`) + 86_400_000).toISOString() : value;

/**
 * `GET /api/inbox/search`: the search box (ADR 0116). Messages and customers of the session's
 * workspace from history, with the match's offsets for the SPA to mark (it renders text, never HTML).
 */
@Controller('api/inbox/search')
@UseGuards(SessionGuard)
@UseFilters(InboxExceptionFilter)
export class SearchController {
  constructor(@Inject(HISTORY_API) private readonly history: HistoryApi) {}

  @Get()
  search(@CurrentSession() session: SessionContext, @Query() query: unknown): Promise<SearchResultsView> {
    const input = parseInput(searchSchema, query);
    return this.history.search(session.workspaceId, {
      text: input.q,
      pageSize: 20,
      ...(input.channel ? { channel: input.channel } : {}),
      ...(input.status ? { status: input.status } : {}),
      ...(input.assignee === 'none'
        ? { unassigned: true }
        : input.assignee !== undefined
          ? { assigneeId: input.assignee === 'me' ? session.userId : input.assignee }
          : {}),
      ...(input.labelId ? { labelId: input.labelId } : {}),
      ...(input.from ? { from: startOf(input.from) } : {}),
      ...(input.to ? { to: endOf(input.to) } : {}),
      ...(input.pageToken ? { pageToken: input.pageToken } : {}),
    });
  }
}
