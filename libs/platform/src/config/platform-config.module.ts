import { Module, type DynamicModule } from '@nestjs/common';
import { Clock, SystemClock } from '../clock/clock.js';
import type { ConfigDefinition, ConfigShape } from './config-definition.js';
import { loadConfig, PlatformConfigService, type LoadConfigOptions } from './platform-config.service.js';

/**
 * `forRoot(AppConfig)` once in the app's root module: validates the environment when the app
 * boots (failing with every bad variable named) and provides, globally, `PlatformConfigService`
 * and the parsed values under `AppConfig.token`. `forFeature(Slice)` provides a slice of the
 * root config under `Slice.token`, without parsing again. `forRoot` also provides the `Clock`
 * every service stamps its reported times with: the system clock (ADR 0120).
 */
@Module({})
export class PlatformConfigModule {
  static forRoot<S extends ConfigShape>(
    definition: ConfigDefinition<S>,
    options: LoadConfigOptions = {},
  ): DynamicModule {
    return {
      module: PlatformConfigModule,
      global: true,
      providers: [
        { provide: PlatformConfigService, useFactory: () => loadConfig(definition, options) },
        {
          provide: definition.token,
          useFactory: (config: PlatformConfigService<S>) => config.values,
          inject: [PlatformConfigService],
        },
        { provide: Clock, useClass: SystemClock },
      ],
      exports: [PlatformConfigService, definition.token, Clock],
    };
  }

  static forFeature<S extends ConfigShape>(definition: ConfigDefinition<S>): DynamicModule {
    return {
      module: PlatformConfigModule,
      providers: [
        {
          provide: definition.token,
          useFactory: (config: PlatformConfigService) => config.get(definition),
          inject: [PlatformConfigService],
        },
      ],
      exports: [definition.token],
    };
  }
}
