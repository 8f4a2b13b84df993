import { Global, Module } from '@nestjs/common';
import { HistoryModule } from '@switchboard/app-history';
import { RoutingModule } from '@switchboard/app-routing';

/**
 * In one process the owning modules provide the service ports (HISTORY_API, ROUTING_API); this
 * makes them visible to every other module — the inbox, the gRPC API, the web channel — as
 * `InternalRpcModule.client` does when each app runs alone (ADR 0004).
 */
@Global()
@Module({ imports: [HistoryModule, RoutingModule], exports: [HistoryModule, RoutingModule] })
export class ServicePortsModule {}
