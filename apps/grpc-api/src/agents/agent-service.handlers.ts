import { Inject, Injectable } from '@nestjs/common';
import {
  type AgentInput,
  type AgentSkill,
  type AgentPatch,
  type Channel,
  type grpcV1,
  ROUTING_API,
  type RoutingApi,
} from '@switchboard/contracts';
import { channels, presences } from '../mapping/proto-enums.util.js';
import * as views from '../mapping/proto-views.util.js';
import { RpcHandlerFactory } from '../server/rpc-handler.factory.js';
import { Violations } from '../server/request-validation.util.js';

const SKILL = /^[a-z0-9_-]{1,50}$/;

/** AgentService: validates at the edge, then asks routing. */
@Injectable()
export class AgentServiceHandlers {
  constructor(
    private readonly rpc: RpcHandlerFactory,
    @Inject(ROUTING_API) private readonly routing: RoutingApi,
  ) {}

  implementation(): grpcV1.AgentServiceHandlers {
    return {
      CreateAgent: this.rpc.unary(
        'CreateAgent',
        'write',
        async (req: grpcV1.CreateAgentRequest__Output, ctx) => {
          const v = new Violations()
            .text('agent_id', req.agentId, 1, 200)
            .text('display_name', req.displayName, 1, 200);
          const skills = skillsOf(v, 'skills', req.skills);
          const channelCapacity = capacitiesOf(v, 'channel_capacity', req.channelCapacity);
          if (req._defaultChannelCapacity)
            v.integer('default_channel_capacity', req.defaultChannelCapacity ?? 0, 0, 100);
          if (req._maxConcurrent) v.integer('max_concurrent', req.maxConcurrent ?? 0, 1, 1000);
          queueIdsOf(v, 'queue_ids', req.queueIds);
          v.throwIfAny();
          const input: AgentInput = {
            agentId: req.agentId,
            displayName: req.displayName.trim(),
            skills,
            channelCapacity,
            ...(req._defaultChannelCapacity ? { defaultChannelCapacity: req.defaultChannelCapacity! } : {}),
            maxConcurrent: req._maxConcurrent ? req.maxConcurrent! : null,
            queueIds: [...req.queueIds],
          };
          // Routing answers ALREADY_EXISTS for an id the workspace has (UpdateAgent changes it).
          return views.agent(await this.routing.createAgent(ctx.principal.workspaceId, input));
        },
      ),
      UpdateAgent: this.rpc.unary(
        'UpdateAgent',
        'write',
        async (req: grpcV1.UpdateAgentRequest__Output, ctx) => {
          const v = new Violations().text('agent_id', req.agentId, 1, 200);
          if (req._displayName) v.text('display_name', req.displayName ?? '', 1, 200);
          const skills = req.skills ? skillsOf(v, 'skills.skills', req.skills.skills) : undefined;
          const capacity = req.channelCapacity
            ? capacitiesOf(v, 'channel_capacity.capacities', req.channelCapacity.capacities)
            : undefined;
          if (req._defaultChannelCapacity)
            v.integer('default_channel_capacity', req.defaultChannelCapacity ?? 0, 0, 100);
          if (req._maxConcurrent) v.integer('max_concurrent', req.maxConcurrent ?? 0, 0, 1000);
          if (req.queueIds) queueIdsOf(v, 'queue_ids.queue_ids', req.queueIds.queueIds);
          v.throwIfAny();
          const patch: AgentPatch = {
            ...(req._displayName ? { displayName: req.displayName!.trim() } : {}),
            ...(skills ? { skills } : {}),
            ...(capacity ? { channelCapacity: capacity } : {}),
            ...(req._defaultChannelCapacity ? { defaultChannelCapacity: req.defaultChannelCapacity! } : {}),
            ...(req._maxConcurrent
              ? { maxConcurrent: req.maxConcurrent === 0 ? null : req.maxConcurrent! }
              : {}),
            ...(req.queueIds ? { queueIds: [...req.queueIds.queueIds] } : {}),
          };
          return views.agent(await this.routing.updateAgent(ctx.principal.workspaceId, req.agentId, patch));
        },
      ),
      GetAgent: this.rpc.unary('GetAgent', 'read', async (req: grpcV1.GetAgentRequest__Output, ctx) => {
        new Violations().text('agent_id', req.agentId, 1, 200).throwIfAny();
        return views.agent(await this.routing.getAgent(ctx.principal.workspaceId, req.agentId));
      }),
      ListAgents: this.rpc.unary(
        'ListAgents',
        'read',
        async (_req: grpcV1.ListAgentsRequest__Output, ctx) => ({
          agents: (await this.routing.listAgents(ctx.principal.workspaceId)).map(views.agent),
        }),
      ),
      SetPresence: this.rpc.unary(
        'SetPresence',
        'write',
        async (req: grpcV1.SetPresenceRequest__Output, ctx) => {
          const v = new Violations().text('agent_id', req.agentId, 1, 200);
          const presence = presences.fromProto(req.presence);
          if (!presence) v.add('presence', 'must be ONLINE, AWAY or OFFLINE');
          v.throwIfAny();
          return views.agent(
            await this.routing.setPresence(ctx.principal.workspaceId, req.agentId, presence!, 'admin'),
          );
        },
      ),
      DeleteAgent: this.rpc.unary(
        'DeleteAgent',
        'write',
        async (req: grpcV1.DeleteAgentRequest__Output, ctx) => {
          new Violations().text('agent_id', req.agentId, 1, 200).throwIfAny();
          await this.routing.removeAgent(ctx.principal.workspaceId, req.agentId);
          return {};
        },
      ),
    };
  }
}

function skillsOf(v: Violations, field: string, skills: readonly grpcV1.Skill__Output[]): AgentSkill[] {
  if (skills.length > 50) v.add(field, 'at most 50 skills');
  const seen = new Set<string>();
  return skills.map((s, i) => {
    if (!SKILL.test(s.skill))
      v.add(`${field}[${i}].skill`, 'lower-case letters, digits, _ or -, 1 to 50 characters');
    if (seen.has(s.skill)) v.add(`${field}[${i}].skill`, 'named twice');
    seen.add(s.skill);
    v.integer(`${field}[${i}].proficiency`, s.proficiency, 1, 5);
    return { skill: s.skill, proficiency: s.proficiency };
  });
}

function capacitiesOf(
  v: Violations,
  field: string,
  list: readonly grpcV1.ChannelCapacity__Output[],
): Partial<Record<Channel, number>> {
  const result: Partial<Record<Channel, number>> = {};
  list.forEach((entry, i) => {
    const channel = channels.fromProto(entry.channel);
    if (!channel) v.add(`${field}[${i}].channel`, 'is required');
    else if (channel in result) v.add(`${field}[${i}].channel`, 'named twice');
    v.integer(`${field}[${i}].capacity`, entry.capacity, 0, 100);
    if (channel) result[channel] = entry.capacity;
  });
  return result;
}

function queueIdsOf(v: Violations, field: string, ids: readonly string[]): void {
  if (ids.length > 100) v.add(field, 'at most 100 queues');
  ids.forEach((id, i) => v.text(`${field}[${i}]`, id, 1, 200));
}
