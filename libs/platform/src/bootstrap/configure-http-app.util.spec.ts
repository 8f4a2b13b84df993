import { Controller, Get, Header, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  KEEP_ALIVE_TIMEOUT_MS,
  configureHttpApp,
  defineConfig,
  httpVariables,
  PlatformConfigModule,
  startMetricsServer,
} from '@switchboard/platform';
import { parsePrometheusText, settle } from '@switchboard/testing';
import { connect } from 'node:net';

const AppConfig = defineConfig(httpVariables, 'HeadersTestConfig');

@Controller()
class ProbeController {
  @Get('json')
  json() {
    return { csrfToken: 'abc' };
  }

  @Get('items/:id')
  item() {
    return { ok: true };
  }

  @Get('script')
  @Header('Cache-Control', 'public, max-age=300')
  @Header('Content-Type', 'text/javascript')
  script() {
    return 'void 0;';
  }
}

async function start(env: Record<string, string>): Promise<{ app: INestApplication; url: string }> {
  @Module({ imports: [PlatformConfigModule.forRoot(AppConfig, { env })], controllers: [ProbeController] })
  class ProbeModule {}
  const app = await NestFactory.create(ProbeModule, { logger: false });
  configureHttpApp(app);
  await app.listen(0, '127.0.0.1');
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}

/** The headers every app gets from the platform, over HTTP on a real Nest app. */
describe('configureHttpApp', () => {
  let running: INestApplication | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('drops X-Powered-By and sends the security headers; a handler can still set its own caching', async () => {
    const { app, url } = await start({ PUBLIC_BASE_URL: 'http://localhost:3000' });
    running = app;
    const json = await fetch(`${url}/json`);
    expect(json.headers.get('x-powered-by')).toBeNull();
    expect(json.headers.get('cache-control')).toBe('no-store');
    expect(json.headers.get('x-content-type-options')).toBe('nosniff');
    expect(json.headers.get('x-frame-options')).toBe('DENY');
    expect(json.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    // http: no HSTS (it would pin browsers to an https the deployment does not serve).
    expect(json.headers.get('strict-transport-security')).toBeNull();
    const missing = await fetch(`${url}/nothing`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-powered-by')).toBeNull();
    expect(missing.headers.get('cache-control')).toBe('no-store');
    const script = await fetch(`${url}/script`);
    expect(script.headers.get('cache-control')).toBe('public, max-age=300');
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('sends HSTS when PUBLIC_BASE_URL is https', async () => {
    const { app, url } = await start({ PUBLIC_BASE_URL: 'https://switchboard.example.com/' });
    running = app;
    expect((await fetch(`${url}/json`)).headers.get('strict-transport-security')).toBe('max-age=31536000');
  });

  it('serves /metrics on the app’s port when METRICS_PORT is unset, requests timed by route template', async () => {
    const { app, url } = await start({});
    running = app;
    await fetch(`${url}/items/+15551234567`);
    await fetch(`${url}/wp-login.php?user=admin`);
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    const scrape = parsePrometheusText(text);
    const count = 'switchboard_http_request_duration_seconds_count';
    expect(scrape.sum(count, { method: 'GET', route: '/items/:id', status: '200' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(scrape.sum(count, { method: 'GET', route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1);
    // Paths as requested never become labels.
    expect(text).not.toContain('15551234567');
    expect(text).not.toContain('wp-login');
    expect(scrape.types.get('process_resident_memory_bytes')).toBe('gauge');
  });

  it('leaves /metrics to its own server when METRICS_PORT is set', async () => {
    const { app, url } = await start({ METRICS_PORT: '0' });
    running = app;
    expect((await fetch(`${url}/metrics`)).status).toBe(404);
    const server = await startMetricsServer(0);
    try {
      const scraped = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(scraped.status).toBe(200);
      expect(
        parsePrometheusText(await scraped.text()).types.get('switchboard_http_request_duration_seconds'),
      ).toBe('histogram');
      // It serves nothing else.
      expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('keeps an idle connection open past Node’s 5 s, so a client reusing it later is answered', async () => {
    const { app, url } = await start({});
    running = app;
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    let closed = false;
    socket.on('close', () => (closed = true));
    const get = 'GET /json HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n';
    socket.write(get);
    await settle(500);
    expect(received).toMatch(/^HTTP\/1\.1 200/);
    expect(received).toContain(`Keep-Alive: timeout=${KEEP_ALIVE_TIMEOUT_MS / 1000}`);
    // Idle past Node's default keep-alive timeout (5 s), then the same connection used again.
    await settle(6_000);
    expect(closed).toBe(false);
    received = '';
    socket.write(get);
    await settle(500);
    expect(received).toMatch(/^HTTP\/1\.1 200/);
    socket.destroy();
  }, 15_000);
});
