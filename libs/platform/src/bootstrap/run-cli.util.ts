import type { DynamicModule, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ApiError } from '@switchboard/contracts';
import { ConfigValidationError } from '../config/config-validation.error.js';
import type { LogLevel } from '../config/common-variables.config.js';
import type { Environment } from '../config/config-definition.js';
import {
  type EmbeddedPostgres,
  runningEmbeddedPostgresUrl,
  startEmbeddedPostgres,
} from '../database/embedded-postgres.util.js';
import { configureLogging } from '../logging/logger.util.js';

/** What every operator's command reads: its log level and where the database is. */
export interface CliDatabaseConfig {
  readonly LOG_LEVEL: LogLevel;
  readonly DATABASE_URL?: string | undefined;
  readonly SWITCHBOARD_DATA_DIR: string;
}

/**
 * Runs a command against a service's database: logs go to stderr, warnings and up (stdout is the
 * command's answer: a key, a password, a list). The database is DATABASE_URL; unset, the embedded
 * one a running `npm start` holds (it goes on running), or one started for the command and
 * stopped after it.
 */
export async function withCliApplication<T>(
  config: CliDatabaseConfig,
  module: (overrides: Environment) => DynamicModule,
  run: (app: INestApplicationContext) => Promise<T>,
): Promise<T> {
  configureLogging({ level: config.LOG_LEVEL, destination: process.stderr });
  let embedded: EmbeddedPostgres | undefined;
  let databaseUrl = config.DATABASE_URL;
  if (databaseUrl === undefined) {
    // Beside a running `npm start`: its PostgreSQL, not a second server on the same data.
    databaseUrl = await runningEmbeddedPostgresUrl(config.SWITCHBOARD_DATA_DIR);
    if (databaseUrl === undefined) {
      embedded = await startEmbeddedPostgres({ dataDir: config.SWITCHBOARD_DATA_DIR });
      databaseUrl = embedded.url;
    }
  }
  try {
    const app = await NestFactory.createApplicationContext(
      module({ LOG_LEVEL: config.LOG_LEVEL, DATABASE_URL: databaseUrl }),
      { logger: ['error', 'warn'], abortOnError: false },
    );
    try {
      return await run(app);
    } finally {
      await app.close();
    }
  } finally {
    await embedded?.stop();
  }
}

/**
 * A command's entry point: its exit code, or a plain message on stderr (a field error a line) and
 * exit code 1 — never a stack trace for a mistake the operator can fix.
 */
export async function runCli(main: (argv: string[]) => Promise<number>): Promise<void> {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (error) {
    if (error instanceof ApiError) {
      const details = error.fieldViolations.map((v) => `\n  ${v.field}: ${v.description}`).join('');
      process.stderr.write(`${error.message}${details}\n`);
    } else if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\n`);
    } else {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    }
    process.exitCode = 1;
  }
}
