import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import {
  HISTORY_API,
  ROUTING_API,
  UnavailableError,
  type HistoryApi,
  type RoutingApi,
} from '@switchboard/contracts';

/**
 * The history and routing ports, wherever in the process they are provided: by HistoryModule and
 * RoutingModule in the standalone composition, by the internal RPC clients when this app runs
 * alone (ADR 0004). Looked up across modules, since the owning modules are not ours to import;
 * absent, their RPCs answer UNAVAILABLE while API keys, health and events keep working.
 */
@Injectable()
export class ServicePorts {
  private historyApi: HistoryApi | undefined;
  private routingApi: RoutingApi | undefined;

  constructor(private readonly moduleRef: ModuleRef) {}

  history(): HistoryApi {
    this.historyApi ??= this.find<HistoryApi>(HISTORY_API);
    if (!this.historyApi)
      throw new UnavailableError('the history service is not reachable from this process');
    return this.historyApi;
  }

  routing(): RoutingApi {
    this.routingApi ??= this.find<RoutingApi>(ROUTING_API);
    if (!this.routingApi)
      throw new UnavailableError('the routing service is not reachable from this process');
    return this.routingApi;
  }

  private find<T>(token: symbol): T | undefined {
    try {
      return this.moduleRef.get<T>(token, { strict: false });
    } catch {
      return undefined;
    }
  }
}
