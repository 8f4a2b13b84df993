import { z } from 'zod';
import {
  ConfigValidationError,
  configVariable,
  coreVariables,
  databaseVariables,
  defineConfig,
  httpVariables,
  kafkaVariables,
  storageVariables,
  type ConfigOf,
} from '@switchboard/platform';

const AppConfig = defineConfig({
  ...coreVariables,
  ...httpVariables,
  ...databaseVariables,
  ...kafkaVariables,
  ...storageVariables,
  TWILIO_AUTH_TOKEN: configVariable({
    description: 'Signs Twilio webhooks.',
    schema: z.string().min(32),
    expected: 'the 32-character auth token from the Twilio console',
    sensitive: true,
  }),
});

const validEnv = { TWILIO_AUTH_TOKEN: 'a'.repeat(32) };

function problemsOf(env: Record<string, string>): string {
  try {
    AppConfig.parse(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.message;
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

describe('defineConfig', () => {
  it('applies defaults and parses typed values', () => {
    const config: ConfigOf<typeof AppConfig> = AppConfig.parse({
      ...validEnv,
      PORT: '8080',
      KAFKA_BROKERS: 'kafka-0:9092, kafka-1:9092',
      DATABASE_URL: 'postgresql://app:pw@db:5432/switchboard',
    });
    expect(config).toMatchObject({
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      PORT: 8080,
      DATABASE_POOL_SIZE: 10,
      KAFKA_BROKERS: ['kafka-0:9092', 'kafka-1:9092'],
      KAFKA_CLIENT_ID: 'switchboard',
      KAFKA_TOPIC_PREFIX: '',
      KAFKA_PARTITIONS: 12,
      KAFKA_REPLICATION_FACTOR: 1,
    });
    expect(config.SWITCHBOARD_DATA_DIR).toBe(`${process.cwd()}/.data`);
  });

  it('treats optional variables that are unset or empty as absent', () => {
    const config = AppConfig.parse({ ...validEnv, DATABASE_URL: '', KAFKA_BROKERS: '  ' });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.KAFKA_BROKERS).toBeUndefined();
  });

  it('freezes the result, lists included', () => {
    const config = AppConfig.parse({ ...validEnv, KAFKA_BROKERS: 'k:9092' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.KAFKA_BROKERS)).toBe(true);
  });

  it('names every bad variable, with what is expected, in one message', () => {
    expect(
      problemsOf({
        PORT: '3e3',
        KAFKA_BROKERS: 'localhost',
        LOG_LEVEL: 'loud',
        DATABASE_URL: 'mysql://root:hunter2@db/app',
      }),
    ).toBe(
      [
        'Invalid configuration:',
        '  LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent; got "loud"',
        '  PORT: expected an integer from 1 to 65535; got "3e3"',
        "  DATABASE_URL: expected a postgres://user:password@host:port/database URL; got a value that doesn't match (hidden: sensitive)",
        '  KAFKA_BROKERS: expected host:port[,host:port…]; got "localhost"',
        '  TWILIO_AUTH_TOKEN: expected the 32-character auth token from the Twilio console; not set',
      ].join('\n'),
    );
  });

  it('never echoes a sensitive value', () => {
    expect(problemsOf({ TWILIO_AUTH_TOKEN: 'too-short-secret' })).not.toContain('too-short-secret');
  });

  it('rejects out-of-range and non-decimal integers', () => {
    expect(problemsOf({ ...validEnv, PORT: '70000' })).toContain('PORT: expected an integer from 1 to 65535');
    expect(problemsOf({ ...validEnv, KAFKA_PARTITIONS: '0' })).toContain('KAFKA_PARTITIONS');
    expect(problemsOf({ ...validEnv, DATABASE_POOL_SIZE: '0x10' })).toContain('DATABASE_POOL_SIZE');
  });

  it('falls back to the schema’s own message when a variable gives no expectation', () => {
    const Config = defineConfig({
      RETRIES: configVariable({ description: 'x', schema: z.enum(['a', 'b']) }),
    });
    expect(() => Config.parse({ RETRIES: 'c' })).toThrow(/RETRIES: .+; got "c"/);
  });

  it('accepts IPv6 brokers and rejects bad ports', () => {
    expect(AppConfig.parse({ ...validEnv, KAFKA_BROKERS: '[::1]:9092' }).KAFKA_BROKERS).toEqual([
      '[::1]:9092',
    ]);
    expect(problemsOf({ ...validEnv, KAFKA_BROKERS: 'kafka:99999' })).toContain('KAFKA_BROKERS');
  });

  it('refuses variable names that are not UPPER_SNAKE_CASE', () => {
    expect(() => defineConfig({ port: httpVariables.PORT })).toThrow(/UPPER_SNAKE_CASE/);
  });
});
