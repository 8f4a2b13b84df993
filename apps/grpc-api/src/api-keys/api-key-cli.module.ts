import { Module, type DynamicModule } from '@nestjs/common';
import { DatabaseModule, LoggingModule, PlatformConfigModule, type Environment } from '@switchboard/platform';
import { grpcApiMigrations } from '../migrations/index.js';
import { ApiKeyCliConfig } from './api-key-cli.config.js';
import { ApiKeyService } from './api-key.service.js';

/** Just enough of the gRPC API for the key administration CLI: config, the `api` schema, the service. */
@Module({})
export class ApiKeyCliModule {
  static forRoot(overrides: Environment): DynamicModule {
    return {
      module: ApiKeyCliModule,
      imports: [
        PlatformConfigModule.forRoot(ApiKeyCliConfig, { overrides }),
        LoggingModule,
        DatabaseModule.forService({
          schema: 'api',
          migrations: grpcApiMigrations,
          poolSize: 2,
          connectAttempts: 1,
        }),
      ],
      providers: [ApiKeyService],
    };
  }
}
