import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ROUTING_API, type RoutingApi } from '@switchboard/contracts';
import { z } from 'zod';
import { CurrentSession, RequireRole, SessionGuard } from '../auth/session.guard.js';
import type { SessionContext } from '../auth/session-context.js';
import { InboxExceptionFilter } from '../http/inbox-exception.filter.js';
import { parseInput } from '../http/parse-input.util.js';
import { WorkspacesService } from '../workspaces/workspaces.service.js';

// The shape is checked here; routing checks the numbers (ranges, the curve) and names each field.
const planInput = z
  .object({
    arrivalsByHour: z.array(z.number()).min(1).max(168),
    handleSeconds: z.number(),
    targetSeconds: z.number(),
    serviceLevelPercent: z.number(),
    patienceSeconds: z.number().nullable(),
    maxChats: z.int(),
    concurrency: z.array(z.number()).max(10).optional(),
    scheduled: z.array(z.int().nullable()).max(168).optional(),
    // The queue picked: routing plans with its steps and its agents' skills.
    queueId: z.string().min(1).max(200).optional(),
  })
  .strict();
// The workspace's zone is the planner's clock: the page neither chooses nor sends it.
const weeksInput = z.object({ weeks: z.coerce.number().int().min(1).max(12).optional() });

/**
 * Supervisor → Planning: a queue's recorded arrivals by hour, and the staffing plan (RoutingApi),
 * both on the workspace's clock (its time zone, daylight saving included).
 */
@Controller('api/inbox/supervisor/planning')
@UseGuards(SessionGuard)
@UseFilters(InboxExceptionFilter)
@RequireRole('supervisor')
export class StaffingPlanningController {
  constructor(
    @Inject(ROUTING_API) private readonly routing: RoutingApi,
    private readonly workspaces: WorkspacesService,
  ) {}

  @Get('arrivals/:queueId')
  async arrivals(
    @CurrentSession() session: SessionContext,
    @Param('queueId') queueId: string,
    @Query() query: unknown,
  ) {
    const { weeks } = parseInput(weeksInput, query);
    const { timeZone } = await this.workspaces.get(session.workspaceId);
    return this.routing.getArrivalHistory(session.workspaceId, queueId, weeks, timeZone);
  }

  @Post('plan')
  @HttpCode(200)
  async plan(@CurrentSession() session: SessionContext, @Body() body: unknown) {
    const input = parseInput(planInput, body);
    const { timeZone } = await this.workspaces.get(session.workspaceId);
    return this.routing.planStaffing(session.workspaceId, { ...input, timeZone });
  }
}
