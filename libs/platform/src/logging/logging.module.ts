import { Global, Module } from '@nestjs/common';
import { LoggingConfig } from '../config/common-variables.config.js';
import { PlatformConfigService } from '../config/platform-config.service.js';
import { configureLogging } from './logger.util.js';
import { NestPinoLogger } from './nest-logger.service.js';

/**
 * Applies `LOG_LEVEL` to every logger (Nest's and `createLogger`'s) and provides `NestPinoLogger`.
 * Needs `PlatformConfigModule.forRoot()` with `LOG_LEVEL` in the app's definition.
 */
@Global()
@Module({
  providers: [
    {
      provide: NestPinoLogger,
      useFactory: (config: PlatformConfigService) => {
        configureLogging({ level: config.get(LoggingConfig).LOG_LEVEL });
        return new NestPinoLogger();
      },
      inject: [PlatformConfigService],
    },
  ],
  exports: [NestPinoLogger],
})
export class LoggingModule {}
