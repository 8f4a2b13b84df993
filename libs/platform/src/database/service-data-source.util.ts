import { InjectDataSource, InjectRepository, getDataSourceToken } from '@nestjs/typeorm';

/** What `InjectRepository` accepts: an entity class or an `EntitySchema`. */
type EntityTarget = Parameters<typeof InjectRepository>[0];

// A schema name goes into DDL and the search_path: keep it to plain identifiers.
const SCHEMA_NAME = /^[a-z][a-z0-9_]{0,62}$/;

export function assertSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(`Service schema must match ${SCHEMA_NAME.source}; got "${schema}"`);
  }
}

/** The Nest/TypeORM data source name of a service; unique per schema, so services can share a process. */
export function serviceDataSourceName(schema: string): string {
  return `pg:${schema}`;
}

/** The DI token of a service's `DataSource`. */
export function getServiceDataSourceToken(schema: string): string {
  return getDataSourceToken(serviceDataSourceName(schema)) as string;
}

/** `constructor(@InjectServiceDataSource('history') private readonly db: DataSource)` */
export function InjectServiceDataSource(schema: string): ParameterDecorator & PropertyDecorator {
  return InjectDataSource(serviceDataSourceName(schema));
}

/** `constructor(@InjectServiceRepository(Message, 'history') private readonly messages: Repository<Message>)` */
export function InjectServiceRepository(
  entity: EntityTarget,
  schema: string,
): ParameterDecorator & PropertyDecorator {
  return InjectRepository(entity, serviceDataSourceName(schema));
}
