import { Controller, Get, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  configureLogging,
  coreVariables,
  defineConfig,
  LoggingModule,
  NestPinoLogger,
  PlatformConfigModule,
} from '@switchboard/platform';

@Controller()
class PingController {
  private readonly logger = new Logger(PingController.name);

  @Get('ping')
  ping(): string {
    this.logger.debug('pinged');
    return 'pong';
  }
}

const AppConfig = defineConfig({ ...coreVariables });

function appModule(logLevel: string): new () => unknown {
  @Module({
    imports: [PlatformConfigModule.forRoot(AppConfig, { env: { LOG_LEVEL: logLevel } }), LoggingModule],
    controllers: [PingController],
  })
  class AppModule {}
  return AppModule;
}

describe('LoggingModule', () => {
  const lines: string[] = [];

  beforeEach(() => {
    lines.length = 0;
    configureLogging({ destination: { write: (line: string) => void lines.push(line) } });
  });

  afterEach(() => {
    Logger.overrideLogger(false);
  });

  it("makes Nest's own boot logs JSON, at the configured LOG_LEVEL", async () => {
    const app = await NestFactory.create(appModule('debug'), { bufferLogs: true });
    app.useLogger(app.get(NestPinoLogger));
    await app.init();
    app.get(PingController).ping();
    await app.close();

    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toContainEqual(
      expect.objectContaining({
        level: 'info',
        name: 'nest',
        context: 'InstanceLoader',
        msg: expect.stringContaining('LoggingModule'),
      }),
    );
    expect(records).toContainEqual(
      expect.objectContaining({ level: 'debug', context: 'PingController', msg: 'pinged' }),
    );
  });

  it('drops what LOG_LEVEL filters out', async () => {
    const app = await NestFactory.create(appModule('warn'), { bufferLogs: true });
    app.useLogger(app.get(NestPinoLogger));
    await app.init();
    app.get(PingController).ping();
    await app.close();
    expect(lines).toEqual([]);
  });
});
