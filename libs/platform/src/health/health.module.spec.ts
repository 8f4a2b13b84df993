import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { HealthModule, HealthRegistry } from '@switchboard/platform';

describe('HealthModule', () => {
  let app: INestApplication;
  let kafkaUp = true;

  beforeEach(async () => {
    kafkaUp = true;
    const moduleRef = await Test.createTestingModule({ imports: [HealthModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.get(HealthRegistry).register('kafka', () => {
      if (!kafkaUp) throw new Error('no brokers reachable');
    });
    await app.init();
  });

  afterEach(async () => {
    await app.close();
  });

  it('answers /healthz without looking at dependencies', async () => {
    kafkaUp = false;
    await request(app.getHttpServer() as Server)
      .get('/healthz')
      .expect(200, { status: 'ok' });
  });

  it('answers /readyz 200 with per-check status when all pass', async () => {
    const response = await request(app.getHttpServer() as Server)
      .get('/readyz')
      .expect(200);
    expect(response.body).toEqual({
      status: 'ok',
      checks: { kafka: { status: 'up', durationMs: expect.any(Number) } },
    });
  });

  it('answers /readyz 503 naming the failed check and the reason', async () => {
    kafkaUp = false;
    const response = await request(app.getHttpServer() as Server)
      .get('/readyz')
      .expect(503);
    expect(response.body).toEqual({
      status: 'unavailable',
      checks: { kafka: { status: 'down', durationMs: expect.any(Number), reason: 'no brokers reachable' } },
    });
  });

  it('refuses two checks with one name', () => {
    expect(() => app.get(HealthRegistry).register('kafka', () => undefined)).toThrow(/already registered/);
  });

  it('reports not ready once shutdown begins', async () => {
    const registry = app.get(HealthRegistry);
    registry.beforeApplicationShutdown();
    expect(await registry.checkReadiness()).toMatchObject({
      status: 'unavailable',
      checks: { process: { status: 'down', reason: 'shutting down' } },
    });
  });
});
