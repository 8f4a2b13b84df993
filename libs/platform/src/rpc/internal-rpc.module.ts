import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import type { ServicePort } from '@switchboard/contracts';
import type { ConfigDefinition } from '../config/config-definition.js';
import { PlatformConfigModule } from '../config/platform-config.module.js';
import { PlatformConfigService } from '../config/platform-config.service.js';
import { createInternalRpcClient } from './internal-rpc-client.util.js';
import { InternalRpcConfig } from './internal-rpc.config.js';
import { createInternalRpcController } from './internal-rpc.controller.js';

/**
 * Service interfaces across processes (ADR 0004). An app that runs alone serves its port with
 * `serve(historyApiPort, [HistoryModule])`; an app that needs it binds the same DI token to a client
 * with `client(historyApiPort, HistoryApiClientConfig)`. In the standalone composition neither is
 * used: the owning module provides the token in process.
 */
@Module({})
export class InternalRpcModule {
  /** `imports` must provide and export `port.token` (the owning service's module). */
  static serve<T>(port: ServicePort<T>, imports: NonNullable<ModuleMetadata['imports']>): DynamicModule {
    return {
      module: InternalRpcModule,
      imports: [...imports, PlatformConfigModule.forFeature(InternalRpcConfig)],
      controllers: [createInternalRpcController(port)],
    };
  }

  /**
   * Binds `port.token` to a client of the remote service. `config` is the caller's slice holding the
   * service's URL variable (`urlVariable`) and INTERNAL_API_TOKEN, e.g. `HistoryApiClientConfig`
   * with `HISTORY_API_URL`; the app's root config must include both.
   */
  static client<T>(port: ServicePort<T>, config: ConfigDefinition, urlVariable: string): DynamicModule {
    return {
      module: InternalRpcModule,
      global: true,
      providers: [
        {
          provide: port.token,
          useFactory: (platformConfig: PlatformConfigService) => {
            const values = platformConfig.get(config) as Record<string, unknown>;
            const baseUrl = values[urlVariable];
            const token = values.INTERNAL_API_TOKEN;
            if (typeof baseUrl !== 'string')
              throw new Error(`${urlVariable} must be set to call ${port.name}`);
            if (typeof token !== 'string') {
              throw new Error(`INTERNAL_API_TOKEN must be set to call ${port.name} over internal RPC`);
            }
            return createInternalRpcClient(port, { baseUrl, token });
          },
          inject: [PlatformConfigService],
        },
      ],
      exports: [port.token],
    };
  }
}
