import { Logger as NestLogger } from '@nestjs/common';
import {
  configureLogging,
  createLogger,
  defineConfig,
  databaseVariables,
  loadConfig,
  NestPinoLogger,
} from '@switchboard/platform';
import { clearSecretValues } from './redaction.util.js';

const SECRET = 'sk_live_9f8e7d6c5b4a';

function capture(level: 'trace' | 'info' | 'warn' = 'trace'): {
  lines: string[];
  records: () => Record<string, unknown>[];
} {
  const lines: string[] = [];
  configureLogging({ level, destination: { write: (line: string) => void lines.push(line) } });
  return { lines, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

afterEach(() => clearSecretValues());

describe('createLogger', () => {
  it('writes one JSON object per line, with level label, time, name and fields', () => {
    const out = capture();
    createLogger('routing').info({ conversationId: 'c1' }, 'assigned');
    expect(out.records()).toEqual([
      expect.objectContaining({ level: 'info', name: 'routing', conversationId: 'c1', msg: 'assigned' }),
    ]);
    expect(out.records()[0]?.time).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
  });

  it('redacts secret keys at any depth up to five levels, including child bindings and errors', () => {
    const out = capture();
    const logger = createLogger('channels', { apiKey: SECRET });
    logger.info({
      password: SECRET,
      twilio: { authToken: SECRET },
      req: { headers: { authorization: `Bearer ${SECRET}`, cookie: `sid=${SECRET}`, 'x-api-key': SECRET } },
      a: { b: { c: { d: { secret: SECRET } } } },
      list: [{ token: SECRET }],
    });
    logger
      .child({ run: 1 })
      .error({ err: Object.assign(new Error('boom'), { accessToken: SECRET }) }, 'failed');
    expect(out.lines).toHaveLength(2);
    for (const line of out.lines) expect(line).not.toContain(SECRET);
    expect(out.records()[0]).toMatchObject({ password: '[Redacted]', twilio: { authToken: '[Redacted]' } });
  });

  it('keeps the parameters of a failed query out of the log, the SQL in', () => {
    const out = capture();
    const failed = Object.assign(new Error('invalid input syntax for type uuid'), {
      query: 'SELECT 1 FROM history.customers WHERE id = $1 AND name = $2',
      parameters: ['not-a-uuid', 'Alice Example'],
      driverError: { parameters: ['not-a-uuid', 'Alice Example'] },
    });
    createLogger('inbox.http').error({ err: failed }, 'request failed');
    expect(out.lines[0]).not.toContain('Alice Example');
    expect(out.records()[0]).toMatchObject({
      err: { query: expect.stringContaining('SELECT'), parameters: '[Redacted]' },
    });
  });

  it('redacts values of sensitive config variables wherever they appear, credentials in URLs too', () => {
    const out = capture();
    const url = `postgres://app:${SECRET}@db.internal:5432/app`;
    loadConfig(defineConfig(databaseVariables), { env: { DATABASE_URL: url } });
    const logger = createLogger('database');
    logger.warn({ target: url }, `could not connect to ${url}`);
    logger.warn({ note: `the password is "${SECRET}"` }, SECRET);
    logger.warn('retrying postgres://other:elsewhere-pw@replica/app');
    expect(out.lines.join('')).not.toContain(SECRET);
    expect(out.lines.join('')).not.toContain('elsewhere-pw');
    expect(out.records()[0]?.msg).toBe('could not connect to [Redacted]');
  });

  it('applies a later configuration to loggers created earlier', () => {
    const logger = createLogger('early');
    const out = capture('warn');
    logger.info('dropped');
    logger.warn('kept');
    expect(out.records().map((record) => record.msg)).toEqual(['kept']);
    expect(logger.isLevelEnabled('info')).toBe(false);
  });
});

describe('NestPinoLogger', () => {
  it("turns Nest's log calls into JSON with context, stack and error", () => {
    const out = capture();
    const nest = new NestPinoLogger();
    nest.log('Mapped {/healthz, GET} route', 'RouterExplorer');
    nest.error('Unhandled', 'Error: x\n    at handler (file.ts:1:1)', 'ExceptionsHandler');
    nest.error(new Error('kaput'));
    nest.warn({ event: 'lag', partitions: 3 }, 'Consumer');
    nest.verbose('details');
    expect(out.records()).toEqual([
      expect.objectContaining({
        level: 'info',
        context: 'RouterExplorer',
        msg: 'Mapped {/healthz, GET} route',
      }),
      expect.objectContaining({
        level: 'error',
        context: 'ExceptionsHandler',
        stack: expect.stringContaining('at handler'),
      }),
      expect.objectContaining({
        level: 'error',
        msg: 'kaput',
        err: expect.objectContaining({ message: 'kaput' }),
      }),
      expect.objectContaining({ level: 'warn', context: 'Consumer', event: 'lag', partitions: 3 }),
      expect.objectContaining({ level: 'trace', msg: 'details' }),
    ]);
  });

  it('serves as the logger behind Nest’s Logger class, redaction included', () => {
    const out = capture();
    NestLogger.overrideLogger(new NestPinoLogger());
    new NestLogger('Webhooks').log({ msg: 'received', headers: { authorization: SECRET } });
    new NestLogger('Webhooks').error('failed', undefined);
    NestLogger.overrideLogger(false);
    expect(out.lines.join('')).not.toContain(SECRET);
    expect(out.records()).toEqual([
      expect.objectContaining({ level: 'info', context: 'Webhooks', msg: 'received' }),
      expect.objectContaining({ level: 'error', context: 'Webhooks', msg: 'failed' }),
    ]);
  });
});
