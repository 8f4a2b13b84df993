import { resolve } from 'node:path';
import { z } from 'zod';
import { defineConfig } from './config-definition.js';
import { configVariable } from './config-variable.js';
import { parseTrustedProxies, type TrustedProxies } from '../http/client-ip.util.js';

// Env values are strings: accept digits only, so "3e3", " 12" or "0x10" are errors, not surprises.
function integer(min: number, max: number) {
  return z.string().regex(/^\d+$/).transform(Number).pipe(z.int().min(min).max(max));
}

const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

function isHostPort(entry: string): boolean {
  const match = HOST_PORT.exec(entry);
  return match !== null && Number(match[2]) >= 1 && Number(match[2]) <= 65535;
}

function isPostgresUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const coreVariables = {
  NODE_ENV: configVariable({
    description: 'Deployment flavour.',
    schema: z.enum(['development', 'production', 'test']),
    default: 'development',
    expected: 'one of development, production, test',
  }),
  LOG_LEVEL: configVariable({
    description: 'Lowest level written to the JSON logs.',
    schema: z.enum(LOG_LEVELS),
    default: 'info',
    expected: `one of ${LOG_LEVELS.join(', ')}`,
  }),
  // Read by OpenTelemetry's own SDK (with the rest of its OTEL_* variables) before the app starts:
  // declared here so that a malformed one stops the start and .env.example documents it (ADR 0105).
  OTEL_EXPORTER_OTLP_ENDPOINT: configVariable({
    description:
      'OpenTelemetry collector to export traces to over OTLP/HTTP (the exporter adds /v1/traces). ' +
      'Unset: tracing is off and costs nothing. OTEL_EXPORTER_OTLP_HEADERS, OTEL_BSP_* and the other ' +
      'standard OTEL_* variables apply too (docs/tracing.md).',
    schema: z.url({ protocol: /^https?$/ }).optional(),
    expected: 'an http(s) URL',
    example: 'http://otel-collector:4318',
  }),
  OTEL_SERVICE_NAME: configVariable({
    description:
      'The service name spans are exported under. Unset: switchboard-<app> (switchboard-standalone).',
    schema: z.string().min(1).max(200).optional(),
    expected: 'a name',
    example: 'switchboard-history',
  }),
};

export const httpVariables = {
  PORT: configVariable({
    description: 'HTTP port to listen on.',
    schema: integer(1, 65535),
    default: '3000',
    expected: 'an integer from 1 to 65535',
  }),
  TRUSTED_PROXIES: configVariable({
    description:
      'Proxies (e.g. the ingress) whose X-Forwarded-For names the client: per-IP limits count the ' +
      'visitor, not the proxy. Unset: nobody is trusted and the peer address is the client.',
    schema: z.string().transform((value, context): TrustedProxies => {
      const list = parseTrustedProxies(value);
      if (list === null) {
        context.addIssue({ code: 'custom', message: 'not a list of addresses or CIDR blocks' });
        return z.NEVER;
      }
      return list;
    }),
    default: '',
    expected: 'addresses or CIDR blocks, comma-separated (10.0.0.0/8,fd00::/8)',
  }),
  METRICS_PORT: configVariable({
    description:
      'Serve Prometheus’s GET /metrics on this port alone (ADR 0100), away from the public port ' +
      'the ingress reaches. Unset: /metrics is served on PORT (development and the embedded mode).',
    schema: integer(0, 65535).optional(),
    expected: 'an integer from 0 to 65535 (0: any free port)',
    example: '9464',
  }),
  PUBLIC_BASE_URL: configVariable({
    description:
      'The URL browsers and providers (Twilio, Meta, Telegram) reach this deployment at (your domain, or an ngrok/cloudflared ' +
      'tunnel), without a trailing path. https: every response carries Strict-Transport-Security. ' +
      'The SMS channel checks Twilio’s webhook signatures against it (behind a proxy the URL the ' +
      'server sees differs), points status callbacks to it, and sends agents’ files as MMS from URLs ' +
      'under it; Telegram bots are registered at PUBLIC_BASE_URL/webhooks/telegram/<channel>. Unset: ' +
      'no HSTS; the request’s own Host and protocol for signatures; no status callbacks; files are not ' +
      'sent by SMS; bots are not registered.',
    schema: z
      .string()
      .refine((value) => URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol))
      .transform((value) => value.replace(/\/+$/, ''))
      .optional(),
    expected: 'an http(s) URL',
    example: 'https://switchboard.example.com',
  }),
};

export const databaseVariables = {
  DATABASE_URL: configVariable({
    description:
      'PostgreSQL connection URL. Each service keeps its tables in its own schema of this database. ' +
      'Unset in the embedded mode, which starts its own PostgreSQL.',
    schema: z.string().refine(isPostgresUrl).optional(),
    expected: 'a postgres://user:password@host:port/database URL',
    sensitive: true,
    example: 'postgres://switchboard:change-me@localhost:5432/switchboard',
  }),
  DATABASE_POOL_SIZE: configVariable({
    description: 'Maximum connections in each service’s pool.',
    schema: integer(1, 500),
    default: '10',
    expected: 'an integer from 1 to 500',
  }),
};

export const kafkaVariables = {
  KAFKA_BROKERS: configVariable({
    description: 'Kafka bootstrap brokers. Unset: events go over the in-process bus (embedded mode).',
    schema: z
      .string()
      .transform((value) => value.split(',').map((entry) => entry.trim()))
      .refine((entries) => entries.every(isHostPort))
      .optional(),
    expected: 'host:port[,host:port…]',
    example: 'localhost:9092',
  }),
  KAFKA_CLIENT_ID: configVariable({
    description: 'Client id this process reports to Kafka (shows up in broker logs and quotas).',
    schema: z.string().regex(/^[A-Za-z0-9._-]+$/),
    default: 'switchboard',
    expected: 'letters, digits, ".", "_" or "-"',
  }),
  KAFKA_TOPIC_PREFIX: configVariable({
    description: 'Prepended to every topic name, so several deployments can share one cluster.',
    schema: z.string().regex(/^[A-Za-z0-9._-]*$/),
    default: '',
    expected: 'letters, digits, ".", "_" or "-"',
  }),
  KAFKA_PARTITIONS: configVariable({
    description: 'Partitions of topics this process creates; the ceiling on consumers sharing a topic.',
    schema: integer(1, 10000),
    default: '12',
    expected: 'an integer from 1 to 10000',
  }),
  KAFKA_REPLICATION_FACTOR: configVariable({
    description: 'Replication factor of topics this process creates; at most the number of brokers.',
    schema: integer(1, 10),
    default: '1',
    expected: 'an integer from 1 to 10',
  }),
};

export const storageVariables = {
  SWITCHBOARD_DATA_DIR: configVariable({
    description: 'Directory for local state (the embedded PostgreSQL lives in its postgres/ folder).',
    // Resolved once at boot so a later chdir can't move the data.
    schema: z.string().transform((path) => resolve(path)),
    default: './.data',
    expected: 'a directory path',
  }),
};

// Slices of the shared variables, for `PlatformConfigService.get()` and `forFeature()`.

/** What `LoggingModule` reads from the app's config. */
export const LoggingConfig = defineConfig({ LOG_LEVEL: coreVariables.LOG_LEVEL }, 'LoggingConfig');

/** What `DatabaseModule` reads from the app's config. */
export const DatabaseConfig = defineConfig(databaseVariables, 'DatabaseConfig');

export const HttpConfig = defineConfig(httpVariables, 'HttpConfig');

/** What `clientIp()` callers read: the proxies they believe. */
export const ClientIpConfig = defineConfig(
  { TRUSTED_PROXIES: httpVariables.TRUSTED_PROXIES },
  'ClientIpConfig',
);

export const KafkaConfig = defineConfig(kafkaVariables, 'KafkaConfig');

export const StorageConfig = defineConfig(storageVariables, 'StorageConfig');
