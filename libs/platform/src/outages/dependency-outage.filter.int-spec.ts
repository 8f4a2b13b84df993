import type { Server } from 'node:http';
import { BadRequestException, Controller, Get, Header, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { type TcpProxy, type TestDatabase, createTestDatabase, startTcpProxy } from '@switchboard/testing';
import pg from 'pg';
import request from 'supertest';
import { configureLogging } from '../logging/logger.util.js';
import { DependencyOutageFilter } from './dependency-outage.filter.js';
import { DependencyUnavailableError } from './dependency-unavailable.error.js';

let pool: pg.Pool;

@Controller()
class ProbeController {
  /** A JSON endpoint that needs the database. */
  @Get('count')
  async count(): Promise<{ count: number }> {
    const { rows } = await pool.query<{ count: number }>('SELECT 1::int AS count');
    return { count: rows[0]!.count };
  }

  /** A webhook answering TwiML, whose errors must not be JSON under text/xml. */
  @Get('hook')
  @Header('Content-Type', 'text/xml; charset=utf-8')
  hook(): string {
    throw new BadRequestException('X-Signature is missing');
  }

  @Get('provider')
  provider(): string {
    throw new DependencyUnavailableError('twilio', 'Twilio answered 503');
  }

  @Get('bug')
  bug(): string {
    throw new Error('a bug');
  }
}

/**
 * The platform's HTTP error answers, on a Nest app whose PostgreSQL sits behind a TCP proxy the
 * test cuts: a dependency down is 503 with Retry-After on any endpoint, logged once for the
 * outage; a route of another type than JSON answers its errors in plain text.
 */
describe('DependencyOutageFilter', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let app: INestApplication;
  const lines: Record<string, unknown>[] = [];
  const server = () => app.getHttpServer() as Server;

  beforeAll(async () => {
    database = await createTestDatabase('outage_filter');
    const url = new URL(database.url);
    proxy = await startTcpProxy(Number(url.port || 5432));
    url.host = `127.0.0.1:${proxy.port}`;
    pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
    pool.on('error', () => undefined);
    configureLogging({
      level: 'info',
      destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    const moduleRef = await Test.createTestingModule({ controllers: [ProbeController] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.useGlobalFilters(new DependencyOutageFilter(app.getHttpAdapter()));
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await pool?.end();
    await proxy?.close();
    await database?.drop();
    configureLogging({ destination: undefined });
  });

  it('answers 503 with Retry-After while the database is unreachable, and logs the outage once', async () => {
    expect((await request(server()).get('/count')).body).toEqual({ count: 1 });
    proxy.cut();
    try {
      for (let i = 0; i < 5; i++) {
        const answer = await request(server()).get('/count');
        expect(answer.status).toBe(503);
        expect(answer.headers['retry-after']).toBe('5');
        expect(answer.headers['content-type']).toMatch(/^application\/json/);
        expect(answer.body).toEqual({ statusCode: 503, message: 'database is unavailable; try again later' });
      }
    } finally {
      proxy.restore();
    }
    const outage = lines.filter((line) => line.dependency === 'database');
    expect(outage).toEqual([
      expect.objectContaining({
        level: 'error',
        msg: 'database unavailable: requests that need it are answered 503 until it is back',
      }),
    ]);
    expect(JSON.stringify(lines)).not.toContain('"stack"');
    expect((await request(server()).get('/count')).status).toBe(200);
  });

  it('answers any dependency that says it is down 503, under its own name', async () => {
    const answer = await request(server()).get('/provider');
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('5');
    expect(answer.body).toEqual({ statusCode: 503, message: 'twilio is unavailable; try again later' });
  });

  it('answers a text/xml route’s errors in plain text under text/plain', async () => {
    const answer = await request(server()).get('/hook');
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toMatch(/^text\/plain/);
    expect(answer.text).toBe('X-Signature is missing');
  });

  it('leaves other errors to Nest: a bug is a 500', async () => {
    const answer = await request(server()).get('/bug');
    expect(answer.status).toBe(500);
    expect(answer.headers['retry-after']).toBeUndefined();
  });
});
