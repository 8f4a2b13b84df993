// Config
export {
  coreVariables,
  databaseVariables,
  httpVariables,
  kafkaVariables,
  storageVariables,
  ClientIpConfig,
  DatabaseConfig,
  HttpConfig,
  KafkaConfig,
  LoggingConfig,
  StorageConfig,
  LOG_LEVELS,
  type LogLevel,
} from './config/common-variables.config.js';
export {
  defineConfig,
  type ConfigDefinition,
  type ConfigOf,
  type ConfigShape,
  type ConfigValues,
  type Environment,
} from './config/config-definition.js';
export { ConfigValidationError, type ConfigProblem } from './config/config-validation.error.js';
export { configVariable, type ConfigVariable, type ConfigVariableSpec } from './config/config-variable.js';
export { renderEnvExample } from './config/env-example.util.js';
export { InjectConfig } from './config/inject-config.decorator.js';
export { PlatformConfigModule } from './config/platform-config.module.js';
export {
  loadConfig,
  PlatformConfigService,
  type LoadConfigOptions,
} from './config/platform-config.service.js';

// Clock (ADR 0120)
export { Clock, SystemClock } from './clock/clock.js';

// HTTP
export { clientIp, parseTrustedProxies, type TrustedProxies } from './http/client-ip.util.js';
export { readBody, safeDecode } from './http/upload-body.util.js';

// Logging
export { configureLogging, createLogger, type Logger, type LoggingOptions } from './logging/logger.util.js';
export { LoggingModule } from './logging/logging.module.js';
export { NestPinoLogger } from './logging/nest-logger.service.js';
export { REDACT_PATHS, redactSecretValues, registerSecretValues } from './logging/redaction.util.js';

// Tracing (OpenTelemetry, ADR 0105)
export { startTracing } from './tracing/start-tracing.util.js';
export {
  SpanKind,
  activeTraceCarrier,
  activeTraceIds,
  flushTracing,
  inSpan,
  inSpanContinuing,
  inSpanSync,
  markTracingEnabled,
  spanContextOf,
  tracingEnabled,
  type TraceCarrier,
} from './tracing/trace-context.util.js';

// Health
export { HealthModule } from './health/health.module.js';
export { HealthRegistry, READINESS_CHECK_TIMEOUT_MS } from './health/health-registry.service.js';
export { type CheckResult, type ReadinessCheck, type ReadinessReport } from './health/readiness.util.js';

export { type CliDatabaseConfig, runCli, withCliApplication } from './bootstrap/run-cli.util.js';

// Database
export {
  DatabaseModule,
  type DatabaseServiceOptions,
  type EntityClass,
  type MigrationClass,
} from './database/database.module.js';
export {
  runningEmbeddedPostgresUrl,
  startEmbeddedPostgres,
  type EmbeddedPostgres,
  type EmbeddedPostgresOptions,
} from './database/embedded-postgres.util.js';
export {
  getServiceDataSourceToken,
  InjectServiceDataSource,
  InjectServiceRepository,
  serviceDataSourceName,
} from './database/service-data-source.util.js';
export { isTransientDatabaseError } from './database/transient-database-error.util.js';
export { isUniqueViolation } from './database/unique-violation.util.js';
export { preparedRows, queryRows, returnedRows } from './database/query-rows.util.js';
export { PgListener, type PgListenerOptions } from './database/pg-listener.util.js';

// Outages: a dependency down is 503 + Retry-After, logged once per outage
export { DependencyUnavailableError } from './outages/dependency-unavailable.error.js';
export {
  RETRY_AFTER_SECONDS,
  reportIfDependencyDown,
  type DependencyDown,
} from './outages/dependency-outage.util.js';
export { DependencyOutageFilter } from './outages/dependency-outage.filter.js';
export {
  DEFAULT_SEND_RETRY,
  type SendRetryHooks,
  type SendRetryPolicy,
  retryWhileChannelUnavailable,
} from './channels/channel-send-retry.util.js';

// Bootstrap
export { runHttpService, type RunHttpServiceOptions } from './bootstrap/run-http-service.util.js';
export { KEEP_ALIVE_TIMEOUT_MS, configureHttpApp } from './bootstrap/configure-http-app.util.js';
export { securityHeaders } from './http/security-headers.middleware.js';
export {
  type AheadOfExpressOptions,
  type AheadOfExpressRoute,
  serveAheadOfExpress,
} from './http/ahead-of-express.util.js';

// Metrics (Prometheus, ADR 0100)
export {
  LATENCY_BUCKETS_SECONDS,
  collectProcessMetrics,
  counterMetric,
  gaugeMetric,
  histogramMetric,
  metricsRegistry,
} from './metrics/metrics-registry.js';
export { httpMetrics } from './metrics/http-metrics.middleware.js';
export { UNMATCHED_ROUTE, httpMethodLabel, httpRouteLabel } from './metrics/http-route-label.util.js';
export { answerScrape, startMetricsServer, type MetricsServer } from './metrics/metrics-endpoint.util.js';
export { observeDatabasePool, type ObservablePool } from './metrics/database-pool.metrics.js';
export { countOpenSocket } from './metrics/socket.metrics.js';
export { WEBHOOK_OUTCOMES, countWebhook, type WebhookOutcome } from './metrics/webhook.metrics.js';

// Crypto
export { EncryptionConfig, encryptionVariables } from './crypto/encryption.config.js';
export {
  encryptionKeyFromConfig,
  loadOrCreateEncryptionKey,
  secretBoxFromConfig,
} from './crypto/encryption-key.util.js';
export { SecretBox, generateEncryptionKey, parseEncryptionKey } from './crypto/secret-box.util.js';

// Internal RPC (service interfaces across processes)
export {
  HistoryApiClientConfig,
  InternalRpcConfig,
  RoutingApiClientConfig,
  historyApiUrlVariables,
  internalRpcClientVariables,
  internalRpcUrlVariable,
  internalRpcVariables,
  parseInternalRpcUrl,
  routingApiUrlVariables,
} from './rpc/internal-rpc.config.js';
export {
  createInternalRpcClient,
  type InternalRpcClient,
  type InternalRpcClientOptions,
} from './rpc/internal-rpc-client.util.js';
export { listenInternalRpc } from './rpc/internal-rpc.listener.js';
export { BotApiClientConfig, botApiUrlVariables } from './rpc/bot-api-url.config.js';
export { ReportingApiClientConfig, reportingApiUrlVariables } from './rpc/reporting-api-url.config.js';
export { InternalRpcModule } from './rpc/internal-rpc.module.js';

// Attachment storage (ADR 0045)
export {
  ATTACHMENT_STORE,
  AttachmentSizeMismatchError,
  InvalidAttachmentKeyError,
  assertAttachmentKey,
  isAttachmentKey,
  type AttachmentPutOptions,
  type AttachmentStore,
  type StoredAttachment,
} from './storage/attachment-store.js';
export {
  ATTACHMENT_SIGNATURE_BYTES,
  SIGNED_ATTACHMENT_TYPES,
  matchesAttachmentType,
  readSignature,
  sanitizeFileName,
} from './storage/attachment-type.util.js';
export { AttachmentStorageConfig, attachmentStorageVariables } from './storage/attachment-storage.config.js';
export { createAttachmentStore } from './storage/attachment-store.factory.js';
export {
  STORE_AREAS,
  storeKey,
  type StoreArea,
  workspaceStoreKey,
} from './storage/workspace-store-key.util.js';
export { AttachmentStoreModule } from './storage/attachment-store.module.js';
export {
  INLINE_ATTACHMENT_TYPES,
  type StoredFileContent,
  sendStoredFile,
  setStoredFileHeaders,
} from './storage/stored-file-response.util.js';
export { FilesystemAttachmentStore } from './storage/filesystem-attachment.store.js';
export { S3AttachmentStore, type S3AttachmentStoreOptions } from './storage/s3-attachment.store.js';
