import { Controller, Get, Query, UseFilters, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { RequireOperator, SessionGuard } from '../auth/session.guard.js';
import { InboxExceptionFilter } from '../http/inbox-exception.filter.js';
import { parseInput } from '../http/parse-input.util.js';
import { OperatorService } from './operator.service.js';

const listSchema = z.strictObject({
  pageSize: z.coerce.number().int().min(1).max(200).optional(),
  pageToken: z.string().max(200).optional(),
});

/** `/api/inbox/operator/…`: the installation's operator only (ADR 0059); any workspace's admin gets 403. */
@Controller('api/inbox/operator')
@UseGuards(SessionGuard)
@UseFilters(InboxExceptionFilter)
@RequireOperator()
export class OperatorController {
  constructor(private readonly operator: OperatorService) {}

  @Get('workspaces')
  workspaces(@Query() query: unknown) {
    return this.operator.listWorkspaces(parseInput(listSchema, query));
  }
}
