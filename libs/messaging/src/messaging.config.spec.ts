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
