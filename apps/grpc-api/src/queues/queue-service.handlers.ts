import { Inject, Injectable } from '@nestjs/common';
import { type grpcV1, type QueueInput, ROUTING_API, type RoutingApi } from '@switchboard/contracts';
import { channels, queueModes } from '../mapping/proto-enums.util.js';
import * as views from '../mapping/proto-views.util.js';
import { RpcHandlerFactory } from '../server/rpc-handler.factory.js';
import { planningHandlers } from './planning.handlers.js';
import { Violations } from '../server/request-validation.util.js';

/** QueueService: validates at the edge, then asks routing (which parses the step expressions). */
@Injectable()
export class QueueServiceHandlers {
  constructor(
    private readonly rpc: RpcHandlerFactory,
    @Inject(ROUTING_API) private readonly routing: RoutingApi,
  ) {}

  implementation(): grpcV1.QueueServiceHandlers {
    return {
      CreateQueue: this.rpc.unary(
        'CreateQueue',
        'write',
        async (req: grpcV1.CreateQueueRequest__Output, ctx) => {
          const v = new Violations();
          const input = settingsOf(v, req.queue);
          v.throwIfAny();
          // A name another queue has is ALREADY_EXISTS from routing (its unique index).
          return views.queue(await this.routing.upsertQueue(ctx.principal.workspaceId, input));
        },
      ),
      UpdateQueue: this.rpc.unary(
        'UpdateQueue',
        'write',
        async (req: grpcV1.UpdateQueueRequest__Output, ctx) => {
          const v = new Violations().text('queue_id', req.queueId, 1, 200);
          const input = settingsOf(v, req.queue);
          v.throwIfAny();
          const workspaceId = ctx.principal.workspaceId;
          // Not found (or another workspace's) before anything is written: upsert would create it.
          await this.routing.getQueue(workspaceId, req.queueId);
          return views.queue(await this.routing.upsertQueue(workspaceId, { ...input, id: req.queueId }));
        },
      ),
      GetQueue: this.rpc.unary('GetQueue', 'read', async (req: grpcV1.GetQueueRequest__Output, ctx) => {
        new Violations().text('queue_id', req.queueId, 1, 200).throwIfAny();
        return views.queue(await this.routing.getQueue(ctx.principal.workspaceId, req.queueId));
      }),
      ListQueues: this.rpc.unary(
        'ListQueues',
        'read',
        async (_req: grpcV1.ListQueuesRequest__Output, ctx) => ({
          queues: (await this.routing.listQueues(ctx.principal.workspaceId)).map(views.queue),
        }),
      ),
      DeleteQueue: this.rpc.unary(
        'DeleteQueue',
        'write',
        async (req: grpcV1.DeleteQueueRequest__Output, ctx) => {
          new Violations().text('queue_id', req.queueId, 1, 200).throwIfAny();
          await this.routing.deleteQueue(ctx.principal.workspaceId, req.queueId);
          return {};
        },
      ),
      GetQueueStats: this.rpc.unary(
        'GetQueueStats',
        'read',
        async (_req: grpcV1.GetQueueStatsRequest__Output, ctx) => ({
          queues: (await this.routing.getQueueStats(ctx.principal.workspaceId)).map(views.queueStats),
        }),
      ),
      ...planningHandlers(this.rpc, this.routing),
    };
  }
}

function settingsOf(v: Violations, settings: grpcV1.QueueSettings__Output | null): QueueInput {
  if (!settings) {
    v.add('queue', 'is required');
    return { name: '' };
  }
  v.text('queue.name', settings.name, 1, 200).integer('queue.priority', settings.priority, -1000, 1000);
  if (settings.steps.length > 20) v.add('queue.steps', 'at most 20 steps');
  settings.steps.forEach((step, i) => {
    v.text(`queue.steps[${i}].expression`, step.expression, 1, 1000);
    const last = i === settings.steps.length - 1;
    if (step._expiresAfterSeconds)
      v.integer(`queue.steps[${i}].expires_after_seconds`, step.expiresAfterSeconds ?? 0, 1, 86_400);
    else if (!last)
      v.add(`queue.steps[${i}].expires_after_seconds`, 'is required on every step but the last');
  });
  if (settings.serviceLevel) {
    v.integer('queue.service_level.target_percent', settings.serviceLevel.targetPercent, 1, 100);
    v.integer('queue.service_level.within_seconds', settings.serviceLevel.withinSeconds, 1, 86_400);
  }
  if (settings.offerTimeoutSeconds !== 0)
    v.integer('queue.offer_timeout_seconds', settings.offerTimeoutSeconds, 5, 600);
  if (settings.maxMissedOffers !== 0) v.integer('queue.max_missed_offers', settings.maxMissedOffers, 1, 20);
  if (settings.preferredAgent) {
    v.integer('queue.preferred_agent.window_hours', settings.preferredAgent.windowHours, 1, 8760);
    v.integer('queue.preferred_agent.wait_seconds', settings.preferredAgent.waitSeconds, 0, 3600);
  }
  const entry = settings.entry;
  const entryChannels = (entry?.channels ?? []).map((c, i) => {
    const channel = channels.fromProto(c);
    if (!channel) v.add(`queue.entry.channels[${i}]`, 'is not a channel');
    return channel;
  });
  const mode = queueModes.fromProto(settings.mode) ?? 'auto';
  return {
    name: settings.name.trim(),
    priority: settings.priority,
    entry: entry
      ? {
          channels: entryChannels.filter((c) => c !== undefined),
          channelAccountIds: [...entry.channelAccountIds],
          languages: [...entry.languages],
          customerAttributes: { ...entry.customerAttributes },
          namedOnly: entry.namedOnly,
        }
      : {},
    ...(settings.serviceLevel ? { serviceLevel: { ...settings.serviceLevel } } : {}),
    steps: settings.steps.map((s) => ({
      expression: s.expression,
      expiresAfterSeconds: s._expiresAfterSeconds ? s.expiresAfterSeconds! : null,
    })),
    mode,
    ...(settings.offerTimeoutSeconds ? { offerTimeoutSeconds: settings.offerTimeoutSeconds } : {}),
    ...(settings.maxMissedOffers ? { maxMissedOffers: settings.maxMissedOffers } : {}),
    preferredAgent: settings.preferredAgent ? { ...settings.preferredAgent } : null,
  };
}
