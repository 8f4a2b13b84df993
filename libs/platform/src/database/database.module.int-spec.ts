import 'reflect-metadata';
import type { Server } from 'node:http';
import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import pg from 'pg';
import request from 'supertest';
import {
  Column,
  Entity,
  PrimaryColumn,
  DataSource,
  type MigrationInterface,
  type QueryRunner,
  type Repository,
} from 'typeorm';
import {
  configureLogging,
  coreVariables,
  DatabaseModule,
  databaseVariables,
  defineConfig,
  InjectServiceDataSource,
  InjectServiceRepository,
  isTransientDatabaseError,
  PlatformConfigModule,
  type DatabaseServiceOptions,
} from '@switchboard/platform';
import { createTestDatabase, type TestDatabase } from '@switchboard/testing';
import { createLogger } from '../logging/logger.util.js';
import { prepareServiceSchema } from './service-schema.util.js';

const AppConfig = defineConfig({ ...coreVariables, ...databaseVariables });

@Entity({ name: 'items' })
class Item {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text' })
  label: string;
}

const runs: string[] = [];

// Unqualified on purpose: the service's search_path puts it in the service's schema.
class CreateItems1700000000001 implements MigrationInterface {
  name = 'CreateItems1700000000001';
  async up(queryRunner: QueryRunner): Promise<void> {
    runs.push(`${this.name}@${await currentSchema(queryRunner)}`);
    await queryRunner.query('CREATE TABLE items (id text PRIMARY KEY, label text NOT NULL)');
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE items');
  }
}

class CreateExtras1700000000003 implements MigrationInterface {
  name = 'CreateExtras1700000000003';
  async up(queryRunner: QueryRunner): Promise<void> {
    runs.push(`${this.name}@${await currentSchema(queryRunner)}`);
    await queryRunner.query('CREATE TABLE extras (id text PRIMARY KEY)');
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE extras');
  }
}

class AddItemsCreatedAt1700000000002 implements MigrationInterface {
  name = 'AddItemsCreatedAt1700000000002';
  async up(queryRunner: QueryRunner): Promise<void> {
    runs.push(`${this.name}@${await currentSchema(queryRunner)}`);
    await queryRunner.query('ALTER TABLE items ADD COLUMN created_at timestamptz NOT NULL DEFAULT now()');
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE items DROP COLUMN created_at');
  }
}

async function currentSchema(queryRunner: QueryRunner): Promise<string> {
  const [row] = (await queryRunner.query('SELECT current_schema() AS schema')) as { schema: string }[];
  return row?.schema ?? '?';
}

@Injectable()
class AlphaItems {
  constructor(@InjectServiceRepository(Item, 'alpha') readonly items: Repository<Item>) {}
}

@Module({
  imports: [
    DatabaseModule.forService({ schema: 'alpha', entities: [Item], migrations: [CreateItems1700000000001] }),
  ],
  providers: [AlphaItems],
  exports: [AlphaItems],
})
class AlphaModule {}

@Injectable()
class BetaProbe {
  constructor(@InjectServiceDataSource('beta') readonly dataSource: DataSource) {}
}

@Module({
  imports: [DatabaseModule.forService({ schema: 'beta', migrations: [CreateItems1700000000001] })],
  providers: [BetaProbe],
  exports: [BetaProbe],
})
class BetaModule {}

async function sql<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

async function migrationsIn(url: string, schema: string): Promise<string[]> {
  const rows = await sql<{ name: string }>(url, `SELECT name FROM "${schema}".migrations ORDER BY id`);
  return rows.map((row) => row.name);
}

async function startApp(databaseUrl: string | undefined, ...imports: unknown[]): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      PlatformConfigModule.forRoot(AppConfig, { env: databaseUrl ? { DATABASE_URL: databaseUrl } : {} }),
      ...(imports as []),
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

function serviceModule(options: DatabaseServiceOptions): new () => unknown {
  @Module({ imports: [DatabaseModule.forService(options)] })
  class ServiceModule {}
  return ServiceModule;
}

describe('DatabaseModule (real PostgreSQL)', () => {
  let database: TestDatabase;
  const apps: INestApplication[] = [];

  beforeAll(() => configureLogging({ level: 'silent' }));

  beforeEach(async () => {
    runs.length = 0;
    database = await createTestDatabase('database_module');
  });

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await database.drop();
  });

  it('creates the schema, runs migrations into it and keeps the migrations table there', async () => {
    const app = await startApp(database.url, AlphaModule);
    apps.push(app);

    expect(runs).toEqual(['CreateItems1700000000001@alpha']);
    expect(await migrationsIn(database.url, 'alpha')).toEqual(['CreateItems1700000000001']);
    const publicTables = await sql(database.url, "SELECT 1 FROM pg_tables WHERE schemaname = 'public'");
    expect(publicTables).toHaveLength(0);

    const { items } = app.get(AlphaItems);
    await items.save({ id: 'i1', label: 'first' });
    expect(await sql(database.url, 'SELECT id, label FROM alpha.items')).toEqual([
      { id: 'i1', label: 'first' },
    ]);
  });

  it('gives two services in one process their own data source, schema and migrations table', async () => {
    const app = await startApp(database.url, AlphaModule, BetaModule);
    apps.push(app);

    expect([...runs].sort()).toEqual(['CreateItems1700000000001@alpha', 'CreateItems1700000000001@beta']);
    expect(await migrationsIn(database.url, 'alpha')).toEqual(['CreateItems1700000000001']);
    expect(await migrationsIn(database.url, 'beta')).toEqual(['CreateItems1700000000001']);

    const beta = app.get(BetaProbe).dataSource;
    expect(beta).not.toBe(app.get(AlphaItems).items.manager.connection);
    await app.get(AlphaItems).items.save({ id: 'a', label: 'only in alpha' });
    expect(await beta.query('SELECT count(*)::int AS n FROM items')).toEqual([{ n: 0 }]);
  });

  it('lets two modules share a schema under their own data source names, each running its own migrations', async () => {
    const owner = serviceModule({ schema: 'alpha', migrations: [CreateItems1700000000001] });
    const guest = serviceModule({
      schema: 'alpha',
      name: 'alpha_extra',
      migrations: [CreateExtras1700000000003],
    });
    const app = await startApp(database.url, owner, guest);
    apps.push(app);
    expect([...runs].sort()).toEqual(['CreateExtras1700000000003@alpha', 'CreateItems1700000000001@alpha']);
    expect((await migrationsIn(database.url, 'alpha')).sort()).toEqual([
      'CreateExtras1700000000003',
      'CreateItems1700000000001',
    ]);
    // Either module alone starts again: the other's migrations in the shared table are not its concern.
    await app.close();
    apps.length = 0;
    apps.push(await startApp(database.url, owner));
    expect(runs).toHaveLength(2);
  });

  it('runs migrations in the service schema even on a connection whose search_path does not lead there', async () => {
    // The connection's own search path names only public (as one opened before the schema existed
    // may have resolved it): the migration must still land in gamma.
    const dataSource = new DataSource({
      type: 'postgres',
      url: database.url,
      schema: 'gamma',
      migrations: [CreateItems1700000000001],
      extra: { options: '-c search_path=public', max: 1 },
    });
    await dataSource.initialize();
    try {
      await prepareServiceSchema(dataSource, 'gamma', createLogger('test'));
    } finally {
      await dataSource.destroy();
    }
    expect(runs).toEqual(['CreateItems1700000000001@gamma']);
    expect(await sql(database.url, "SELECT schemaname FROM pg_tables WHERE tablename = 'items'")).toEqual([
      { schemaname: 'gamma' },
    ]);
  });

  it('does not run a migration twice across restarts, and runs only the new ones', async () => {
    const first = await startApp(
      database.url,
      serviceModule({ schema: 'alpha', migrations: [CreateItems1700000000001] }),
    );
    await first.close();
    const second = await startApp(
      database.url,
      serviceModule({ schema: 'alpha', migrations: [CreateItems1700000000001] }),
    );
    await second.close();
    const third = await startApp(
      database.url,
      serviceModule({
        schema: 'alpha',
        migrations: [CreateItems1700000000001, AddItemsCreatedAt1700000000002],
      }),
    );
    apps.push(third);

    expect(runs).toEqual(['CreateItems1700000000001@alpha', 'AddItemsCreatedAt1700000000002@alpha']);
    expect(await migrationsIn(database.url, 'alpha')).toEqual([
      'CreateItems1700000000001',
      'AddItemsCreatedAt1700000000002',
    ]);
  });

  it('lets replicas that start together run each migration once', async () => {
    const options = { schema: 'alpha', migrations: [CreateItems1700000000001] };
    apps.push(
      ...(await Promise.all([
        startApp(database.url, serviceModule(options)),
        startApp(database.url, serviceModule(options)),
        startApp(database.url, serviceModule(options)),
      ])),
    );
    expect(runs).toEqual(['CreateItems1700000000001@alpha']);
  });

  it('reports ready, then 503 naming the database check when the database goes away', async () => {
    // The password must never reach the reason. Trust auth (the local server) ignores a password,
    // so give it one to look for; the embedded server has a real one already.
    const url = new URL(database.url);
    if (url.password === '') url.password = 'not-for-your-eyes';
    const password = decodeURIComponent(url.password);
    const app = await startApp(url.toString(), AlphaModule, BetaModule);
    apps.push(app);
    const server = app.getHttpServer() as Server;

    const ready = await request(server).get('/readyz').expect(200);
    expect(ready.body).toMatchObject({
      status: 'ok',
      checks: { 'database:alpha': { status: 'up' }, 'database:beta': { status: 'up' } },
    });

    await database.drop();
    const down = await request(server).get('/readyz').expect(503);
    expect(down.body).toMatchObject({
      status: 'unavailable',
      checks: { 'database:alpha': { status: 'down', reason: expect.any(String) } },
    });
    expect(JSON.stringify(down.body)).not.toContain(password);
  });

  it('fails start-up with a clear message when DATABASE_URL is unset', async () => {
    await expect(startApp(undefined, AlphaModule)).rejects.toThrow(
      'DATABASE_URL is not set: the alpha service keeps its data in PostgreSQL.',
    );
  });

  it('gives up after the configured connection attempts when the database is unreachable', async () => {
    await expect(
      startApp(
        'postgres://postgres@127.0.0.1:1/nowhere',
        serviceModule({ schema: 'alpha', connectAttempts: 1 }),
      ),
    ).rejects.toThrow(/ECONNREFUSED/);
  });

  it('fails start-up at once, without retrying, when a migration is broken', async () => {
    class Broken1700000000009 implements MigrationInterface {
      name = 'Broken1700000000009';
      async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query('CREATE TABLE nope (');
      }
      async down(): Promise<void> {}
    }
    const started = Date.now();
    await expect(
      startApp(database.url, serviceModule({ schema: 'alpha', migrations: [Broken1700000000009] })),
    ).rejects.toThrow(/syntax error/);
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('classifies real driver errors: refused connection transient, constraint violation not', async () => {
    const refused = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:1/postgres' });
    const connectError = await refused.connect().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isTransientDatabaseError(connectError)).toBe(true);

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('CREATE TABLE t (id int PRIMARY KEY)');
      await client.query('INSERT INTO t VALUES (1)');
      const duplicate = await client.query('INSERT INTO t VALUES (1)').then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(isTransientDatabaseError(duplicate)).toBe(false);
    } finally {
      await client.end();
    }
  });
});
