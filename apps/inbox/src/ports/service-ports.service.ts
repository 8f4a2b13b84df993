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
 * HistoryApi and RoutingApi, wherever in the process they are provided: by HistoryModule and
 * RoutingModule in the standalone composition (exported, not global, and not ours to import), by
 * the internal RPC clients when the inbox runs alone (ADR 0004). Looked up across modules on first
 * use; when absent, the calls that need them answer 503 UNAVAILABLE while sign-in, users and the
 * inbox's own data keep working.
 */
@Injectable()
export class ServicePorts {
  private historyApi: HistoryApi | undefined;
  private routingApi: RoutingApi | undefined;

  constructor(private readonly moduleRef: ModuleRef) {}

  history(): HistoryApi {
    this.historyApi ??= this.find<HistoryApi>(HISTORY_API);
    if (!this.historyApi) throw new UnavailableError('the history service is not reachable from the inbox');
    return this.historyApi;
  }

  routing(): RoutingApi {
    this.routingApi ??= this.find<RoutingApi>(ROUTING_API);
    if (!this.routingApi) throw new UnavailableError('the routing service is not reachable from the inbox');
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
