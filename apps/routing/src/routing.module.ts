import { Module } from '@nestjs/common';
import { ROUTING_API } from '@switchboard/contracts';
import { DatabaseModule, PlatformConfigModule } from '@switchboard/platform';
import { AgentsApiService } from './api/agents-api.service.js';
import { QueuesApiService } from './api/queues-api.service.js';
import { RoutingApiService } from './api/routing-api.service.js';
import { RoutingCommandsService } from './api/routing-commands.service.js';
import { RoutingReadsRepository } from './api/routing-reads.repository.js';
import { SupervisionApiService } from './api/supervision-api.service.js';
import { RoutingInputConsumer } from './inputs/routing-input.consumer.js';
import { RoutingJournalRepository } from './inputs/routing-journal.repository.js';
import { routingMigrations } from './migrations/index.js';
import { PlanningApiService } from './planning/planning-api.service.js';
import { RoutingConfig } from './routing.config.js';
import { RoutingStateRepository } from './workspaces/routing-state.repository.js';
import { WorkspaceOwnerService } from './workspaces/workspace-owner.service.js';

/**
 * Routing: assigns conversations to agents by skill and load (docs/routing.md). The same module
 * alone (`RoutingAppModule`) or in the standalone process; provides `RoutingApi` under ROUTING_API.
 */
@Module({
  imports: [
    PlatformConfigModule.forFeature(RoutingConfig),
    DatabaseModule.forService({ schema: 'routing', migrations: routingMigrations }),
  ],
  providers: [
    RoutingJournalRepository,
    RoutingStateRepository,
    WorkspaceOwnerService,
    RoutingInputConsumer,
    RoutingReadsRepository,
    AgentsApiService,
    QueuesApiService,
    SupervisionApiService,
    RoutingCommandsService,
    PlanningApiService,
    RoutingApiService,
    { provide: ROUTING_API, useExisting: RoutingApiService },
  ],
  exports: [ROUTING_API, WorkspaceOwnerService, RoutingInputConsumer],
})
export class RoutingModule {}
