import { timingSafeEqual } from 'node:crypto';
import { Body, Controller, Headers, HttpCode, Inject, Param, Post, Res, type Type } from '@nestjs/common';
import { ApiError, type ServicePort } from '@switchboard/contracts';
import type { Response } from 'express';
import type { ConfigOf } from '../config/config-definition.js';
import { InjectConfig } from '../config/inject-config.decorator.js';
import { isTransientDatabaseError } from '../database/transient-database-error.util.js';
import { createLogger } from '../logging/logger.util.js';
import { InternalRpcConfig } from './internal-rpc.config.js';
import {
  decodeArgs,
  HTTP_STATUS_OF,
  INTERNAL_RPC_PREFIX,
  type RpcErrorBody,
} from './internal-rpc.protocol.js';

type PortImplementation = Record<string, (...args: unknown[]) => Promise<unknown>>;

/** No interface method takes more arguments than this; a longer list is a malformed request. */
const MAX_ARGS = 8;

/**
 * A controller serving `port`'s implementation (whatever its module provides under `port.token`)
 * at `POST /internal/rpc/{port.name}/{method}`. Only the port's declared methods are callable, and
 * only with the shared INTERNAL_API_TOKEN; without a token configured nothing is served.
 */
export function createInternalRpcController<T>(port: ServicePort<T>): Type<unknown> {
  const methods = new Set<string>(port.methods);
  const logger = createLogger(`internal-rpc:${port.name}`);

  @Controller(`${INTERNAL_RPC_PREFIX}/${port.name}`)
  class InternalRpcController {
    private readonly token: Buffer | undefined;

    constructor(
      @Inject(port.token) private readonly implementation: PortImplementation,
      @InjectConfig(InternalRpcConfig) config: ConfigOf<typeof InternalRpcConfig>,
    ) {
      this.token =
        config.INTERNAL_API_TOKEN === undefined ? undefined : Buffer.from(config.INTERNAL_API_TOKEN);
      if (!this.token) logger.warn('INTERNAL_API_TOKEN is unset: internal RPC refuses every call');
    }

    @Post(':method')
    @HttpCode(200)
    async call(
      @Param('method') method: string,
      @Headers('authorization') authorization: string | undefined,
      @Body() body: unknown,
      @Res() response: Response,
    ): Promise<void> {
      if (!this.authorized(authorization)) {
        response
          .status(401)
          .json(errorBody('PERMISSION_DENIED', 'internal RPC needs the shared service token'));
        return;
      }
      if (!methods.has(method)) {
        response.status(404).json(errorBody('NOT_FOUND', `${port.name} has no method "${method}"`));
        return;
      }
      let args: unknown[];
      try {
        args = decodeArgs(body, MAX_ARGS);
      } catch (error) {
        response.status(400).json(errorBody('INVALID_ARGUMENT', (error as Error).message));
        return;
      }
      try {
        const result = await this.implementation[method]!(...args);
        response.status(200).json({ result });
      } catch (error) {
        if (error instanceof ApiError) {
          response.status(HTTP_STATUS_OF[error.code]).json({
            error: { code: error.code, message: error.message, fieldViolations: [...error.fieldViolations] },
          } satisfies RpcErrorBody);
        } else if (isTransientDatabaseError(error)) {
          response.status(503).json(errorBody('UNAVAILABLE', `${port.name} cannot reach its database`));
        } else {
          logger.error({ err: error, method }, 'internal RPC call failed');
          response.status(500).json(errorBody('INTERNAL', 'internal error'));
        }
      }
    }

    private authorized(header: string | undefined): boolean {
      if (!this.token || !header?.startsWith('Bearer ')) return false;
      const presented = Buffer.from(header.slice('Bearer '.length));
      return presented.length === this.token.length && timingSafeEqual(presented, this.token);
    }
  }
  return InternalRpcController;
}

function errorBody(code: RpcErrorBody['error']['code'], message: string): RpcErrorBody {
  return { error: { code, message } };
}
