import { runReadinessChecks, type ReadinessCheck } from './readiness.util.js';
import { clearSecretValues, registerSecretValues } from '../logging/redaction.util.js';

afterEach(() => clearSecretValues());

describe('runReadinessChecks', () => {
  it('is ok when every check passes', async () => {
    const report = await runReadinessChecks(
      new Map<string, ReadinessCheck>([
        ['a', () => undefined],
        ['b', async () => {}],
      ]),
      100,
    );
    expect(report).toEqual({
      status: 'ok',
      checks: {
        a: { status: 'up', durationMs: expect.any(Number) },
        b: { status: 'up', durationMs: expect.any(Number) },
      },
    });
  });

  it('reports which check failed and why, sync throws included', async () => {
    const checks = new Map<string, ReadinessCheck>([
      ['db', () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'))],
      [
        'sync',
        () => {
          throw new Error('not configured');
        },
      ],
      ['fine', () => undefined],
    ]);
    const report = await runReadinessChecks(checks, 100);
    expect(report.status).toBe('unavailable');
    expect(report.checks.db).toMatchObject({ status: 'down', reason: 'connect ECONNREFUSED 127.0.0.1:5432' });
    expect(report.checks.sync).toMatchObject({ status: 'down', reason: 'not configured' });
    expect(report.checks.fine?.status).toBe('up');
  });

  it('times out each check separately and in parallel, aborting its signal', async () => {
    let aborted = false;
    const hang: ReadinessCheck = (signal) =>
      new Promise(() => signal.addEventListener('abort', () => (aborted = true)));
    const started = Date.now();
    const report = await runReadinessChecks(
      new Map<string, ReadinessCheck>([
        ['a', hang],
        ['b', hang],
        ['c', hang],
      ]),
      150,
    );
    expect(Date.now() - started).toBeLessThan(400);
    expect(report.checks.a).toMatchObject({ status: 'down', reason: 'timed out after 150 ms' });
    expect(aborted).toBe(true);
  });

  it('keeps secrets and URL credentials out of reasons', async () => {
    registerSecretValues(['tok_abcdef123456']);
    const report = await runReadinessChecks(
      new Map<string, ReadinessCheck>([
        ['kafka', () => Promise.reject(new Error('SASL failed for token tok_abcdef123456'))],
        ['db', () => Promise.reject(new Error('cannot reach postgres://app:pa55word@db:5432/app'))],
      ]),
      100,
    );
    expect(JSON.stringify(report)).not.toMatch(/tok_abcdef123456|pa55word/);
    expect(report.checks.db).toMatchObject({ reason: 'cannot reach postgres://app:[Redacted]@db:5432/app' });
  });
});
