import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken, type TypeOrmModuleOptions } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions, type EntitySchema, type MigrationInterface } from 'typeorm';
import { DatabaseConfig } from '../config/common-variables.config.js';
import { PlatformConfigService } from '../config/platform-config.service.js';
import { HealthModule } from '../health/health.module.js';
import { HealthRegistry } from '../health/health-registry.service.js';
import { createLogger, type Logger } from '../logging/logger.util.js';
import { type ObservablePool, observeDatabasePool } from '../metrics/database-pool.metrics.js';
import { assertSchemaName, serviceDataSourceName } from './service-data-source.util.js';
import { prepareServiceSchema } from './service-schema.util.js';
import { isTransientDatabaseError } from './transient-database-error.util.js';
import { TypeOrmLoggerAdapter } from './typeorm-logger.util.js';

export type EntityClass = abstract new (...args: never[]) => unknown;
export type MigrationClass = new () => MigrationInterface;

export interface DatabaseServiceOptions {
  /** The PostgreSQL schema the service owns: its tables and its `migrations` table live there. */
  readonly schema: string;
  /**
   * The data source's own name when several modules keep tables in one schema (the channels share
   * `channels`): each gets its own pool, DI tokens (`InjectServiceDataSource(name)`) and readiness
   * check, and records its migrations in the schema's one `migrations` table. Default: the schema.
   */
  readonly name?: string;
  readonly entities?: readonly (EntityClass | EntitySchema)[];
  /** Checked-in migration classes, listed explicitly (ESM has no reliable globbing). */
  readonly migrations?: readonly MigrationClass[];
  /** Overrides `DATABASE_POOL_SIZE` for this service. */
  readonly poolSize?: number;
  /** Attempts to connect at boot while the database is unreachable, 3 s apart. Default 10. */
  readonly connectAttempts?: number;
}

const SLOW_QUERY_MS = 1000;

/**
 * `DatabaseModule.forService({ schema: 'history', entities, migrations })` gives a service its own
 * DataSource on `DATABASE_URL`: schema created if absent, migrations run before the app serves,
 * `synchronize` off, and a `database:<schema>` readiness check. Several services in one process
 * each get their own pool and DI tokens: `@InjectServiceDataSource('history')`,
 * `@InjectServiceRepository(Message, 'history')`.
 */
@Module({})
export class DatabaseModule {
  static forService(options: DatabaseServiceOptions): DynamicModule {
    const { schema } = options;
    assertSchemaName(schema);
    assertSchemaName(options.name ?? schema);
    const name = serviceDataSourceName(options.name ?? schema);
    const logger = createLogger('database', { schema });
    const entities = [...(options.entities ?? [])];
    const repositories = TypeOrmModule.forFeature(entities, name);
    return {
      module: DatabaseModule,
      imports: [
        HealthModule,
        TypeOrmModule.forRootAsync({
          name,
          inject: [PlatformConfigService],
          useFactory: (config: PlatformConfigService) =>
            dataSourceOptions(options, config.get(DatabaseConfig), logger),
          dataSourceFactory: (dataSourceOptions) =>
            openServiceDataSource(dataSourceOptions, schema, options.name ?? schema, logger),
        }),
        repositories,
      ],
      providers: [
        {
          provide: Symbol(`readiness:${name}`),
          useFactory: (registry: HealthRegistry, dataSource: DataSource) => {
            registry.register(`database:${options.name ?? schema}`, async () => {
              await dataSource.query('SELECT 1');
            });
            return true;
          },
          inject: [HealthRegistry, getDataSourceToken(name)],
        },
      ],
      exports: [repositories],
    };
  }
}

function dataSourceOptions(
  options: DatabaseServiceOptions,
  config: { readonly DATABASE_URL: string | undefined; readonly DATABASE_POOL_SIZE: number },
  logger: Logger,
): TypeOrmModuleOptions {
  const { schema } = options;
  if (!config.DATABASE_URL) {
    throw new Error(`DATABASE_URL is not set: the ${schema} service keeps its data in PostgreSQL.`);
  }
  return {
    type: 'postgres',
    url: config.DATABASE_URL,
    schema,
    // Unqualified names in migrations and raw queries land in the service's schema.
    extra: { options: `-c search_path=${schema},public` },
    applicationName: `switchboard:${options.name ?? schema}`,
    poolSize: options.poolSize ?? config.DATABASE_POOL_SIZE,
    connectTimeoutMS: 10_000,
    entities: [...(options.entities ?? [])],
    migrations: [...(options.migrations ?? [])],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    // prepareServiceSchema() runs them once the schema exists, under a lock.
    migrationsRun: false,
    synchronize: false,
    // Extensions are database-wide and need privileges: they belong in a migration, not in
    // whichever service happens to boot first. gen_random_uuid() is built in since PostgreSQL 13.
    installExtensions: false,
    uuidExtension: 'pgcrypto',
    logger: new TypeOrmLoggerAdapter(logger),
    logging: ['error', 'warn', 'migration'],
    maxQueryExecutionTime: SLOW_QUERY_MS,
    retryAttempts: options.connectAttempts ?? 10,
    retryDelay: 3000,
    toRetry: isTransientDatabaseError,
    verboseRetryLog: true,
  };
}

async function openServiceDataSource(
  options: DataSourceOptions | undefined,
  schema: string,
  poolName: string,
  logger: Logger,
): Promise<DataSource> {
  if (!options) throw new Error('DatabaseModule: no data source options');
  const dataSource = new DataSource(options);
  await dataSource.initialize();
  try {
    await prepareServiceSchema(dataSource, schema, logger);
    observeDatabasePool(poolName, (dataSource.driver as unknown as { master: ObservablePool }).master);
  } catch (error) {
    // Nest retries transient failures with a fresh DataSource; don't leak this one's pool.
    await dataSource.destroy().catch(() => undefined);
    throw error;
  }
  return dataSource;
}
