import { Module, type DynamicModule, type INestApplicationContext, type Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagingModule } from '@switchboard/messaging';
import { HealthModule, LoggingModule, PlatformConfigModule } from '@switchboard/platform';
import { testRunId, type TestDatabase, createTestDatabase } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { ApiKeyService } from '../src/api-keys/api-key.service.js';
import { GrpcApiServiceConfig } from '../src/grpc-api-app.config.js';
import { GrpcApiModule } from '../src/grpc-api.module.js';
import { GrpcServerService } from '../src/server/grpc-server.service.js';

export interface GrpcApiTestApp {
  readonly app: INestApplicationContext;
  readonly database: TestDatabase;
  readonly port: number;
  readonly topicPrefix: string;
  readonly keys: ApiKeyService;
  close(): Promise<void>;
}

/**
 * GrpcApiModule as the app composes it, on a fresh database and topic prefix of the real
 * PostgreSQL and Kafka, the gRPC server on a free port. `providers` can add what the process
 * around it would provide (the standalone's history and routing ports).
 */
export async function startGrpcApiTestApp(
  label: string,
  options: { providers?: Provider[]; env?: Record<string, string> } = {},
): Promise<GrpcApiTestApp> {
  const database = await createTestDatabase(label);
  const topicPrefix = `${testRunId()}.${label}-${randomUUID().slice(0, 8)}.`;
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set (jest global setup sets it)');
  const overrides = {
    DATABASE_URL: database.url,
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    KAFKA_PARTITIONS: '2',
    GRPC_PORT: '0',
    GRPC_HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  @Module({})
  class PortsModule {
    static forRoot(): DynamicModule {
      const providers = options.providers ?? [];
      return { module: PortsModule, global: true, providers, exports: providers };
    }
  }
  const app = await NestFactory.createApplicationContext(
    {
      module: class GrpcApiTestRoot {},
      imports: [
        PlatformConfigModule.forRoot(GrpcApiServiceConfig, { env: {}, overrides }),
        LoggingModule,
        HealthModule,
        MessagingModule.forRoot(),
        PortsModule.forRoot(),
        GrpcApiModule,
      ],
    },
    { logger: ['error', 'warn'], abortOnError: false },
  );
  await app.init();
  return {
    app,
    database,
    port: app.get(GrpcServerService).port,
    topicPrefix,
    keys: app.get(ApiKeyService),
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}
