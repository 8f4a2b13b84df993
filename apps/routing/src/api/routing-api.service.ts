import { Injectable } from '@nestjs/common';
import type { RoutingApi } from '@switchboard/contracts';
import { PlanningApiService } from '../planning/planning-api.service.js';
import { AgentsApiService } from './agents-api.service.js';
import { QueuesApiService } from './queues-api.service.js';
import { RoutingCommandsService } from './routing-commands.service.js';
import { SupervisionApiService } from './supervision-api.service.js';

/**
 * RoutingApi over the routing schema, by concern: agents, queues, supervision, commands (the SQL
 * they share is in RoutingReadsRepository, the input schemas in routing-api.validation.ts).
 * Configuration is written in one transaction with its journal entry, so the workspace's owner
 * applies it in order with everything else; reads come from what the owner persisted. Commands
 * (presence, transfer, answers, takeovers) are events on the log, durable before the method resolves. Every
 * query is scoped by workspace.
 */
@Injectable()
export class RoutingApiService implements RoutingApi {
  constructor(
    private readonly agents: AgentsApiService,
    private readonly queues: QueuesApiService,
    private readonly supervision: SupervisionApiService,
    private readonly commands: RoutingCommandsService,
    private readonly planning: PlanningApiService,
  ) {}

  planStaffing: RoutingApi['planStaffing'] = (...args) => this.planning.planStaffing(...args);
  getArrivalHistory: RoutingApi['getArrivalHistory'] = (...args) => this.planning.getArrivalHistory(...args);

  upsertAgent: RoutingApi['upsertAgent'] = (...args) => this.agents.upsertAgent(...args);
  createAgent: RoutingApi['createAgent'] = (...args) => this.agents.createAgent(...args);
  updateAgent: RoutingApi['updateAgent'] = (...args) => this.agents.updateAgent(...args);
  getAgent: RoutingApi['getAgent'] = (...args) => this.agents.getAgent(...args);
  listAgents: RoutingApi['listAgents'] = (...args) => this.agents.listAgents(...args);
  removeAgent: RoutingApi['removeAgent'] = (...args) => this.agents.removeAgent(...args);
  setPresence: RoutingApi['setPresence'] = (...args) => this.agents.setPresence(...args);

  upsertQueue: RoutingApi['upsertQueue'] = (...args) => this.queues.upsertQueue(...args);
  getQueue: RoutingApi['getQueue'] = (...args) => this.queues.getQueue(...args);
  listQueues: RoutingApi['listQueues'] = (...args) => this.queues.listQueues(...args);
  deleteQueue: RoutingApi['deleteQueue'] = (...args) => this.queues.deleteQueue(...args);

  getQueueStats: RoutingApi['getQueueStats'] = (...args) => this.supervision.getQueueStats(...args);
  getDecision: RoutingApi['getDecision'] = (...args) => this.supervision.getDecision(...args);
  listBotConversations: RoutingApi['listBotConversations'] = (...args) =>
    this.supervision.listBotConversations(...args);

  transfer: RoutingApi['transfer'] = (...args) => this.commands.transfer(...args);
  answerOffer: RoutingApi['answerOffer'] = (...args) => this.commands.answerOffer(...args);
  takeOver: RoutingApi['takeOver'] = (...args) => this.commands.takeOver(...args);
}
