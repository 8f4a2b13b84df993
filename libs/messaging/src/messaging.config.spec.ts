import { ConfigValidationError } from '@switchboard/platform';
import { MessagingConfig } from './messaging.config.js';

describe('MessagingConfig retention settings', () => {
  const env = { DATABASE_URL: 'postgres://localhost/switchboard' };

  it('keeps processed records a day and idle groups a week unless told otherwise', () => {
    const config = MessagingConfig.parse(env);
    expect(config.EVENT_LOG_RETENTION_HOURS).toBe(24);
    expect(config.EVENT_LOG_GROUP_RETENTION_DAYS).toBe(7);
  });

  it('takes other retentions, and refuses what would keep nothing or no end', () => {
    const config = MessagingConfig.parse({
      ...env,
      EVENT_LOG_RETENTION_HOURS: '2',
      EVENT_LOG_GROUP_RETENTION_DAYS: '1',
    });
    expect(config.EVENT_LOG_RETENTION_HOURS).toBe(2);
    expect(config.EVENT_LOG_GROUP_RETENTION_DAYS).toBe(1);
    for (const bad of [
      { EVENT_LOG_RETENTION_HOURS: '0' },
      { EVENT_LOG_RETENTION_HOURS: 'a day' },
      { EVENT_LOG_RETENTION_HOURS: '100000' },
      { EVENT_LOG_GROUP_RETENTION_DAYS: '0' },
    ]) {
      expect(() => MessagingConfig.parse({ ...env, ...bad })).toThrow(ConfigValidationError);
    }
  });
});

describe('MessagingConfig: the consumer group timing (ADR 0091)', () => {
  it('defaults to a 6 s session, 1 s heartbeats and a 20 s rebalance timeout', () => {
    const config = MessagingConfig.parse({ KAFKA_BROKERS: 'kafka:9092' });
    expect({
      session: config.KAFKA_SESSION_TIMEOUT_MS,
      heartbeat: config.KAFKA_HEARTBEAT_INTERVAL_MS,
      rebalance: config.KAFKA_REBALANCE_TIMEOUT_MS,
    }).toEqual({ session: 6_000, heartbeat: 1_000, rebalance: 20_000 });
  });

  it('takes other values as milliseconds', () => {
    const config = MessagingConfig.parse({
      KAFKA_SESSION_TIMEOUT_MS: '10000',
      KAFKA_HEARTBEAT_INTERVAL_MS: '3000',
      KAFKA_REBALANCE_TIMEOUT_MS: '60000',
    });
    expect([
      config.KAFKA_SESSION_TIMEOUT_MS,
      config.KAFKA_HEARTBEAT_INTERVAL_MS,
      config.KAFKA_REBALANCE_TIMEOUT_MS,
    ]).toEqual([10_000, 3_000, 60_000]);
  });

  it('refuses a session brokers would refuse (under 6 s) and values that are not milliseconds', () => {
    expect(() => MessagingConfig.parse({ KAFKA_SESSION_TIMEOUT_MS: '5000' })).toThrow(
      /KAFKA_SESSION_TIMEOUT_MS/,
    );
    expect(() => MessagingConfig.parse({ KAFKA_HEARTBEAT_INTERVAL_MS: '1s' })).toThrow(
      /KAFKA_HEARTBEAT_INTERVAL_MS/,
    );
    expect(() => MessagingConfig.parse({ KAFKA_REBALANCE_TIMEOUT_MS: '0' })).toThrow(
      /KAFKA_REBALANCE_TIMEOUT_MS/,
    );
  });
});

describe('MessagingConfig: crashed members evicted through PostgreSQL (ADR 0092)', () => {
  it('looks every second by default, never with 0, and refuses a look more often than every 100 ms', () => {
    expect(MessagingConfig.parse({}).KAFKA_CRASH_CHECK_INTERVAL_MS).toBe(1_000);
    expect(MessagingConfig.parse({ KAFKA_CRASH_CHECK_INTERVAL_MS: '0' }).KAFKA_CRASH_CHECK_INTERVAL_MS).toBe(
      0,
    );
    expect(
      MessagingConfig.parse({ KAFKA_CRASH_CHECK_INTERVAL_MS: '2500' }).KAFKA_CRASH_CHECK_INTERVAL_MS,
    ).toBe(2_500);
    for (const bad of ['50', '1s', '600000'])
      expect(() => MessagingConfig.parse({ KAFKA_CRASH_CHECK_INTERVAL_MS: bad })).toThrow(
        /KAFKA_CRASH_CHECK_INTERVAL_MS/,
      );
  });
});
