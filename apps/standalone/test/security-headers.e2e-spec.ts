import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser } from 'playwright-core';
import {
  type AppProcess,
  type TestDatabase,
  createTestDatabase,
  launchChromium,
  seriousAccessibilityViolations,
  startAppProcess,
  waitFor,
} from '@switchboard/testing';

const PUBLIC_BASE_URL = 'https://switchboard.example.test';

/**
 * The response headers of the built standalone process, over HTTP: no X-Powered-By; JSON answers
 * not cached and not sniffed (the session with its CSRF token, the widget settings with the
 * identity secret); /healthz and /widget/config with the same headers; HSTS since PUBLIC_BASE_URL
 * is https; our own pages refuse to be framed, while the widget still works on a customer's site
 * of another origin, in Chromium.
 */
describe('standalone: security headers', () => {
  let database: TestDatabase;
  let app: AppProcess;
  let browser: Browser | undefined;
  let site: Server;
  let siteOrigin: string;
  let cookie: string;
  let csrfToken: string;
  let widgetKey: string;

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${app.url}${path}`, {
      ...init,
      headers: {
        cookie,
        origin: app.url,
        'x-csrf-token': csrfToken,
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
    });

  beforeAll(async () => {
    database = await createTestDatabase('standalone_headers');
    app = await startAppProcess('standalone', {
      DATABASE_URL: database.url,
      SWITCHBOARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ADMIN_EMAIL: 'owner@example.test',
      ADMIN_PASSWORD: 'correct horse battery',
      PUBLIC_BASE_URL,
    });
    await app.waitUntilReady(90_000);
    const login = await fetch(`${app.url}/api/inbox/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: app.url },
      body: JSON.stringify({ email: 'owner@example.test', password: 'correct horse battery' }),
    });
    expect(login.status).toBe(200);
    cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0]!)
      .join('; ');
    csrfToken = ((await login.json()) as { csrfToken: string }).csrfToken;
    widgetKey = ((await (await api('/api/inbox/admin/channels/web')).json()) as { widgetKey: string })
      .widgetKey;

    // A customer's site on another origin (localhost vs 127.0.0.1): the widget embedded as the
    // install guide says, and a page that tries to frame our own pages.
    site = createServer((request, response) => {
      response.setHeader('content-type', 'text/html; charset=utf-8');
      if (request.url === '/frames') {
        response.end(
          `<h1>framing</h1><iframe id="demo" src="${app.url}/demo"></iframe>` +
            `<iframe id="inbox" src="${app.url}/inbox/"></iframe>`,
        );
        return;
      }
      response.end(
        `<!doctype html><html lang="en"><title>Shop</title><h1>A shop</h1>` +
          `<script async src="${app.url}/widget.js" data-workspace="${widgetKey}"></script>`,
      );
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteOrigin = `http://localhost:${(site.address() as AddressInfo).port}`;
    const allowed = await api('/api/inbox/admin/channels/web', {
      method: 'PATCH',
      body: JSON.stringify({ allowedOrigins: [siteOrigin] }),
    });
    expect(allowed.status).toBe(200);
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => site?.close(resolve));
    await app?.stop('SIGTERM');
    await database?.drop();
  });

  const expectSecurityHeaders = (path: string, response: Response) => {
    const headers = Object.fromEntries(response.headers);
    expect({ path, poweredBy: headers['x-powered-by'] }).toEqual({ path, poweredBy: undefined });
    expect({ path, nosniff: headers['x-content-type-options'] }).toEqual({ path, nosniff: 'nosniff' });
    expect({ path, hsts: headers['strict-transport-security'] }).toEqual({ path, hsts: 'max-age=31536000' });
    expect({ path, referrer: headers['referrer-policy'] }).toEqual({ path, referrer: 'no-referrer' });
    return headers;
  };

  it('answers JSON uncached and unsniffed, the session and widget secrets included, with HSTS', async () => {
    const json: [string, Response][] = [
      ['/healthz', await fetch(`${app.url}/healthz`)],
      ['/readyz', await fetch(`${app.url}/readyz`)],
      ['/widget/config', await fetch(`${app.url}/widget/config?key=${widgetKey}`)],
      ['GET /api/inbox/session', await api('/api/inbox/session')],
      ['/api/inbox/admin/channels/web', await api('/api/inbox/admin/channels/web')],
      ['/api/inbox/conversations', await api('/api/inbox/conversations?view=all')],
      ['unknown route', await fetch(`${app.url}/api/inbox/nothing-here`)],
      [
        'POST /api/inbox/session',
        await fetch(`${app.url}/api/inbox/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: app.url },
          body: JSON.stringify({ email: 'owner@example.test', password: 'correct horse battery' }),
        }),
      ],
    ];
    for (const [path, response] of json) {
      const headers = expectSecurityHeaders(path, response);
      expect({ path, type: headers['content-type'] }).toEqual({ path, type: expect.stringMatching(/json/) });
      expect({ path, cache: headers['cache-control'] }).toEqual({ path, cache: 'no-store' });
      expect({ path, frames: headers['x-frame-options'] }).toEqual({ path, frames: 'DENY' });
    }
    // What those answers hold: why they must never sit in a cache.
    const settings = (await (await api('/api/inbox/admin/channels/web')).json()) as {
      identitySecret: string;
    };
    expect(settings.identitySecret.length).toBeGreaterThan(20);
    expect(((await (await api('/api/inbox/session')).json()) as { csrfToken: string }).csrfToken).toBe(
      csrfToken,
    );
  });

  it('keeps its own pages out of frames and lets the widget’s files be cached as before', async () => {
    for (const path of ['/demo', '/inbox/']) {
      const response = await fetch(`${app.url}${path}`);
      const headers = expectSecurityHeaders(path, response);
      expect(headers['x-frame-options']).toBe('DENY');
      expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    }
    const loader = await fetch(`${app.url}/widget.js`);
    expectSecurityHeaders('/widget.js', loader);
    expect(loader.headers.get('cache-control')).toBe('public, max-age=300');
    expect(loader.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
  });

  it('still works embedded on a customer’s site, where our pages cannot be framed', async () => {
    browser = await launchChromium();
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${siteOrigin}/`);
    const launcher = page.locator('button.l');
    await launcher.waitFor();
    await launcher.click();
    // The pre-chat form: fetched from /widget/config across origins.
    await page.getByLabel('Name').fill('Dana Customer');
    expect(await seriousAccessibilityViolations(page)).toEqual([]); // the widget on another site
    await page.getByRole('button', { name: 'Start chat' }).click();
    const text = `Embedded hello ${randomBytes(3).toString('hex')}`;
    const input = page.getByRole('textbox', { name: 'Message' });
    await input.fill(text);
    await input.press('Enter');
    // The message went through the socket into the platform: the inbox lists its conversation.
    await waitFor(
      async () => {
        const list = (await (await api('/api/inbox/conversations?view=all')).json()) as {
          items: { lastMessagePreview: string | null }[];
        };
        return list.items.some((c) => c.lastMessagePreview === text);
      },
      { what: 'the embedded widget’s message in the inbox', timeoutMs: 30_000 },
    );
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(pageErrors).toEqual([]);

    // A foreign page framing /demo or the inbox gets nothing of them.
    const framing = await browser.newPage();
    await framing.goto(`${siteOrigin}/frames`);
    await framing.waitForTimeout(1_000);
    const frames = framing.frames().filter((f) => f !== framing.mainFrame());
    expect(frames).toHaveLength(2);
    for (const frame of frames) {
      // Chromium shows its own error page in place of a frame the framed page refused.
      expect(frame.url()).toBe('chrome-error://chromewebdata/');
      const content = await frame.content().catch(() => '');
      expect(content).not.toContain('data-workspace');
      expect(content).not.toContain('/inbox/assets/');
    }
  });
});
