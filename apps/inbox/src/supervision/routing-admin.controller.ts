import { Body, Controller, Delete, Get, HttpCode, Param, Put, UseFilters, UseGuards } from '@nestjs/common';
import { channelSchema, presenceSchema } from '@switchboard/contracts';
import { z } from 'zod';
import { CurrentSession, RequireRole, SessionGuard } from '../auth/session.guard.js';
import type { SessionContext } from '../auth/session-context.js';
import { InboxExceptionFilter } from '../http/inbox-exception.filter.js';
import { parseInput } from '../http/parse-input.util.js';
import { RoutingAdminService } from './routing-admin.service.js';

const presenceInput = z.object({ presence: presenceSchema });
const capacity = z.int().min(0).max(100);
const agentInput = z.object({
  skills: z
    .array(
      z.object({
        skill: z
          .string()
          .trim()
          .toLowerCase()
          .regex(/^[a-z0-9_-]{1,40}$/),
        proficiency: z.int().min(1).max(5),
      }),
    )
    .max(50),
  channelCapacity: z.partialRecord(channelSchema, capacity).optional(),
  defaultChannelCapacity: capacity.optional(),
  maxConcurrent: z.int().min(1).max(100).nullable().optional(),
  queueIds: z.array(z.string().min(1).max(200)).max(100).optional(),
});
const queueInput = z.object({
  id: z.string().min(1).max(200).optional(),
  name: z.string().trim().min(1).max(200),
  priority: z.int().min(-1000).max(1000).optional(),
  entry: z
    .object({
      channels: z.array(channelSchema).optional(),
      channelAccountIds: z.array(z.string().min(1).max(200)).optional(),
      languages: z.array(z.string().min(2).max(20)).optional(),
      customerAttributes: z.record(z.string().max(100), z.string().max(500)).optional(),
      namedOnly: z.boolean().optional(),
    })
    .optional(),
  serviceLevel: z
    .object({ targetPercent: z.number().min(1).max(100), withinSeconds: z.int().min(1).max(86_400) })
    .optional(),
  steps: z
    .array(
      z.object({
        expression: z.string().trim().min(1).max(1000),
        expiresAfterSeconds: z.int().min(1).max(86_400).nullable(),
      }),
    )
    .max(20)
    .optional(),
  mode: z.enum(['auto', 'offer']).optional(),
  offerTimeoutSeconds: z.int().min(5).max(600).optional(),
  maxMissedOffers: z.int().min(1).max(20).optional(),
  preferredAgent: z
    .object({
      windowHours: z
        .int()
        .min(1)
        .max(24 * 90),
      waitSeconds: z.int().min(0).max(3600),
    })
    .nullable()
    .optional(),
});

/** Own presence (everyone), agents and queues (read by everyone for transfers), stats (supervisors), settings (admins). */
@Controller('api/inbox')
@UseGuards(SessionGuard)
@UseFilters(InboxExceptionFilter)
export class RoutingAdminController {
  constructor(private readonly routing: RoutingAdminService) {}

  @Put('presence')
  setPresence(@CurrentSession() session: SessionContext, @Body() body: unknown) {
    return this.routing.setOwnPresence(session, parseInput(presenceInput, body).presence);
  }

  @Get('agents')
  async agents(@CurrentSession() session: SessionContext) {
    return { agents: await this.routing.listAgents(session) };
  }

  @Get('queues')
  async queues(@CurrentSession() session: SessionContext) {
    return { queues: await this.routing.listQueues(session) };
  }

  @Get('supervisor/queue-stats')
  @RequireRole('supervisor')
  async queueStats(@CurrentSession() session: SessionContext) {
    return { queues: await this.routing.queueStats(session) };
  }

  @Put('admin/queues')
  @RequireRole('admin')
  upsertQueue(@CurrentSession() session: SessionContext, @Body() body: unknown) {
    return this.routing.upsertQueue(session, parseInput(queueInput, body));
  }

  @Delete('admin/queues/:queueId')
  @RequireRole('admin')
  @HttpCode(204)
  async deleteQueue(
    @CurrentSession() session: SessionContext,
    @Param('queueId') queueId: string,
  ): Promise<void> {
    await this.routing.deleteQueue(session, queueId);
  }

  @Put('admin/agents/:agentId')
  @RequireRole('admin')
  upsertAgent(
    @CurrentSession() session: SessionContext,
    @Param('agentId') agentId: string,
    @Body() body: unknown,
  ) {
    return this.routing.upsertAgent(session, { agentId, ...parseInput(agentInput, body) });
  }
}
