import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HttpConfig } from '../config/common-variables.config.js';
import { ConfigValidationError } from '../config/config-validation.error.js';
import type { ConfigDefinition, Environment } from '../config/config-definition.js';
import { PlatformConfigService, loadConfig } from '../config/platform-config.service.js';
import { WsAdapter } from '@nestjs/platform-ws';
import { configureHttpApp } from './configure-http-app.util.js';
import { createLogger } from '../logging/logger.util.js';
import { NestPinoLogger } from '../logging/nest-logger.service.js';
import { DependencyOutageFilter } from '../outages/dependency-outage.filter.js';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { type MetricsServer, startMetricsServer } from '../metrics/metrics-endpoint.util.js';
import { listenInternalRpc } from '../rpc/internal-rpc.listener.js';
import { flushTracing } from '../tracing/trace-context.util.js';

export interface RunHttpServiceOptions {
  /** The app's config definition: validated before Nest starts, so a bad variable is all that's printed. */
  readonly config: ConfigDefinition;
  /** Applied over the environment (e.g. the embedded PostgreSQL's URL). */
  readonly overrides?: Environment;
  /** Listen on this port instead of `PORT` (0: any free port, for tests). */
  readonly port?: number;
  /** Runs after the app is listening, e.g. to print where to go. */
  readonly onListening?: (app: INestApplication, url: string) => void | Promise<void>;
  /** Runs after the app has closed on SIGTERM/SIGINT (everything drained), before the process exits. */
  readonly afterClose?: () => Promise<void>;
  /**
   * The largest JSON body taken (express's default is 100 KB): Meta batches up to 1,000 events in
   * one webhook, which a 100 KB limit would refuse with 413 on every retry.
   */
  readonly jsonBodyLimit?: string;
  /**
   * Bodies of these media types are read as bytes only (`req.rawBody`, and `req.body` the same
   * Buffer), never parsed by express: for an app whose every route with a body checks a provider's
   * signature over the bytes and parses them itself, once (the webhook channels). Express's
   * urlencoded parser (`qs`) and JSON parser would otherwise parse each body a second time.
   * Bodies of other types get the default parsers.
   */
  readonly rawBodies?: { readonly types: readonly string[]; readonly limit: string };
}

/**
 * What every app's `main.ts` does: create the Nest app from its root module, log as JSON, drain on
 * SIGTERM (Kubernetes stops pods that way), and listen (internal RPC on INTERNAL_RPC_PORT too, for
 * an app that serves a port). A bad configuration ends the process with
 * the variables named, not a stack trace.
 */
export async function runHttpService(
  rootModule: Parameters<typeof NestFactory.create>[0],
  options: RunHttpServiceOptions,
): Promise<INestApplication> {
  const logger = createLogger('bootstrap');
  try {
    loadConfig(options.config, { overrides: options.overrides });
    // abortOnError: false, or Nest exits on a bad config before we can print which variable is wrong.
    // rawBody: webhook signatures (Twilio's over the form parameters as sent, Meta's over the
    // bytes) must be checked against what the provider sent, not a re-encoding of a parsed body.
    const app = await NestFactory.create<NestExpressApplication>(rootModule, {
      bufferLogs: true,
      abortOnError: false,
      rawBody: true,
    });
    app.useLogger(app.get(NestPinoLogger));
    configureHttpApp(app);
    app.useGlobalFilters(new DependencyOutageFilter(app.getHttpAdapter()));
    // Before listen: replaces Nest's default JSON parser, keeping rawBody.
    if (options.jsonBodyLimit !== undefined) app.useBodyParser('json', { limit: options.jsonBodyLimit });
    // Before Nest's own parsers too: a body read here is not read (nor parsed) by them.
    if (options.rawBodies !== undefined)
      app.useBodyParser('raw', { type: [...options.rawBodies.types], limit: options.rawBodies.limit });
    // WebSocket gateways (the widget's customers, the inbox's agents) share the HTTP port, each on
    // its own path; `ws` rather than socket.io keeps the widget small.
    app.useWebSocketAdapter(new WsAdapter(app));
    // Our own signal handling rather than enableShutdownHooks(): `afterClose` must run after every
    // module's shutdown hook (the embedded PostgreSQL outlives the pools that use it).
    let closing: Promise<void> | undefined;
    let metricsServer: MetricsServer | undefined;
    const shutdown = (signal: NodeJS.Signals) => {
      closing ??= (async () => {
        logger.info({ signal }, 'shutting down: draining in-flight work');
        // close() ends idle connections at once; one whose request is in flight becomes idle once
        // answered, and would otherwise hold the close for the whole keep-alive timeout (65 s).
        app.getHttpServer().keepAliveTimeout = 100;
        try {
          await app.close();
          await metricsServer?.close();
          await options.afterClose?.();
          await flushTracing();
          process.exit(0);
        } catch (error) {
          logger.error({ err: error }, 'unclean shutdown');
          process.exit(1);
        }
      })();
    };
    process.on('SIGTERM', shutdown);
    process.on('SIGINT', shutdown);
    const http = app.get(PlatformConfigService).get(HttpConfig);
    const port = options.port ?? http.PORT;
    // An app serving a port to the others (ADR 0004) opens internal RPC first: ready means both.
    await listenInternalRpc(app);
    await app.listen(port);
    if (http.METRICS_PORT !== undefined) {
      metricsServer = await startMetricsServer(http.METRICS_PORT);
      logger.info({ port: metricsServer.port }, 'metrics on their own port');
    }
    const url = (await app.getUrl()).replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
    await options.onListening?.(app, url);
    return app;
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\n`);
    } else {
      logger.fatal({ err: error }, 'could not start');
    }
    process.exit(1);
  }
}
