import {
  Injectable,
  Module,
  type DynamicModule,
  type ModuleMetadata,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { ServicePort } from '@switchboard/contracts';
import type { ConfigDefinition } from '../config/config-definition.js';
import { InjectConfig } from '../config/inject-config.decorator.js';
import type { ConfigOf } from '../config/config-definition.js';
import { PlatformConfigModule } from '../config/platform-config.module.js';
import { PlatformConfigService } from '../config/platform-config.service.js';
import { createInternalRpcClient, type InternalRpcClient } from './internal-rpc-client.util.js';
import { InternalRpcConfig } from './internal-rpc.config.js';
import { createInternalRpcController } from './internal-rpc.controller.js';

/**
 * Present in an app that serves a port: `listenInternalRpc` (called by `runHttpService`) then opens
 * the TCP transport on INTERNAL_RPC_PORT. An app without it listens on no internal RPC port.
 */
@Injectable()
export class InternalRpcServing {
  constructor(@InjectConfig(InternalRpcConfig) readonly config: ConfigOf<typeof InternalRpcConfig>) {}
}

/** Closes a client's connection when the app shuts down. */
class ClosingClient<T> implements OnApplicationShutdown {
  constructor(readonly client: InternalRpcClient<T> | null) {}

  onApplicationShutdown(): void {
    this.client?.close();
  }
}

/**
 * Service interfaces across processes (ADR 0004), on `@nestjs/microservices`' TCP transport. An
 * app that runs alone serves its port with `serve(historyApiPort, [HistoryModule])`; an app that
 * needs it binds the same DI token to a client with `client(historyApiPort, HistoryApiClientConfig,
 * 'HISTORY_API_URL')`. In the standalone composition neither is used: the owning module provides
 * the token in process.
 */
@Module({})
export class InternalRpcModule {
  /** `imports` must provide and export `port.token` (the owning service's module). */
  static serve<T>(port: ServicePort<T>, imports: NonNullable<ModuleMetadata['imports']>): DynamicModule {
    return {
      module: InternalRpcModule,
      imports: [...imports, PlatformConfigModule.forFeature(InternalRpcConfig)],
      controllers: [createInternalRpcController(port)],
      providers: [InternalRpcServing],
      exports: [InternalRpcServing],
    };
  }

  /**
   * Binds `port.token` to a client of the remote service. `config` is the caller's slice holding the
   * service's URL variable (`urlVariable`) and INTERNAL_API_TOKEN, e.g. `HistoryApiClientConfig`
   * with `HISTORY_API_URL`; the app's root config must include both.
   */
  static client<T>(port: ServicePort<T>, config: ConfigDefinition, urlVariable: string): DynamicModule {
    return bindClient(port, config, urlVariable, false);
  }

  /** As `client`, but `port.token` is null while `urlVariable` is unset (the service is not deployed). */
  static optionalClient<T>(
    port: ServicePort<T>,
    config: ConfigDefinition,
    urlVariable: string,
  ): DynamicModule {
    return bindClient(port, config, urlVariable, true);
  }
}

function bindClient<T>(
  port: ServicePort<T>,
  config: ConfigDefinition,
  urlVariable: string,
  optional: boolean,
): DynamicModule {
  const connection = Symbol(`${port.name} internal RPC client`);
  return {
    module: InternalRpcModule,
    global: true,
    providers: [
      {
        provide: connection,
        useFactory: (platformConfig: PlatformConfigService) => {
          const values = platformConfig.get(config) as Record<string, unknown>;
          const url = values[urlVariable];
          const token = values.INTERNAL_API_TOKEN;
          if (url === undefined && optional) return new ClosingClient<T>(null);
          if (typeof url !== 'string') throw new Error(`${urlVariable} must be set to call ${port.name}`);
          if (typeof token !== 'string') {
            throw new Error(`INTERNAL_API_TOKEN must be set to call ${port.name} over internal RPC`);
          }
          return new ClosingClient(createInternalRpcClient(port, { url, token }));
        },
        inject: [PlatformConfigService],
      },
      {
        provide: port.token,
        useFactory: (closing: ClosingClient<T>) => closing.client?.api ?? null,
        inject: [connection],
      },
    ],
    exports: [port.token],
  };
}
