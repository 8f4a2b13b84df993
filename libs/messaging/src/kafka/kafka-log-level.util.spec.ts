import { logLevel } from 'kafkajs';
import { kafkaLogLevel } from './kafka-log-level.util.js';

const error = (message: string, extra: Record<string, unknown> = {}) => ({
  level: logLevel.ERROR,
  log: { timestamp: '', logger: 'kafkajs', message, ...extra },
});

describe('kafkaLogLevel', () => {
  it.each([
    // What kafkajs logged at error level on a clean start of every app against a fresh broker.
    ['Response Metadata(key: 3, version: 6)', 'This server does not host this topic-partition'],
    [
      'Response FindCoordinator(key: 10, version: 2)',
      'The coordinator is loading and hence can\u2019t process',
    ],
    [
      'Response JoinGroup(key: 11, version: 5)',
      "The coordinator is loading and hence can't process requests",
    ],
    ['Response Produce(key: 0, version: 7)', 'This server is not the leader for that topic-partition'],
    ['Response OffsetFetch(key: 9, version: 4)', 'This is not the correct coordinator for this group'],
    ['Response Metadata(key: 3, version: 6)', 'There is no leader for this topic-partition as we are in'],
    ['Response JoinGroup(key: 11, version: 5)', 'The group member needs to have a valid member id'],
  ])('makes a transient broker state debug: %s %s', (message, cause) => {
    expect(kafkaLogLevel(error(message, { error: cause }))).toBe('debug');
  });

  it('makes a broker outage a warning', () => {
    expect(kafkaLogLevel(error('Connection error: connect ECONNREFUSED 127.0.0.1:9092'))).toBe('warn');
    expect(kafkaLogLevel(error('Failed to send messages: Connection timeout'))).toBe('warn');
    expect(kafkaLogLevel(error('Crash: KafkaJSNumberOfRetriesExceeded: Connection error'))).toBe('warn');
    expect(kafkaLogLevel(error('Restarting the consumer in 10260ms'))).toBe('warn');
  });

  it('keeps what would not go away by itself an error', () => {
    expect(
      kafkaLogLevel(
        error('Response CreateTopics(key: 19, version: 3)', { error: 'Topic authorization failed' }),
      ),
    ).toBe('error');
    expect(kafkaLogLevel(error('Error when calling eachBatch', { error: 'boom' }))).toBe('error');
  });

  it('keeps kafkajs info and debug chatter at debug', () => {
    expect(
      kafkaLogLevel({ level: logLevel.INFO, log: { timestamp: '', logger: 'kafkajs', message: 'Starting' } }),
    ).toBe('debug');
    expect(
      kafkaLogLevel({
        level: logLevel.WARN,
        log: { timestamp: '', logger: 'kafkajs', message: 'The group is rebalancing, re-joining' },
      }),
    ).toBe('debug');
  });
});
