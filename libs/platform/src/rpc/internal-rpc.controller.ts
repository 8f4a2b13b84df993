import { timingSafeEqual } from 'node:crypto';
import { Controller, Inject, type Type } from '@nestjs/common';
import { MessagePattern, RpcException } from '@nestjs/microservices';
import { ApiError, type ServicePort } from '@switchboard/contracts';
import type { ConfigOf } from '../config/config-definition.js';
import { InjectConfig } from '../config/inject-config.decorator.js';
import { createLogger } from '../logging/logger.util.js';
import { reportIfDependencyDown } from '../outages/dependency-outage.util.js';
import { SpanKind, inSpanContinuing } from '../tracing/trace-context.util.js';
import { InternalRpcConfig } from './internal-rpc.config.js';
import {
  decodeArgs,
  type InternalRpcError,
  internalRpcPattern,
  traceCarrierOf,
} from './internal-rpc.protocol.js';

type PortImplementation = Record<string, (...args: unknown[]) => Promise<unknown>>;

/** No interface method takes more arguments than this; a longer list is a malformed request. */
const MAX_ARGS = 8;

/**
 * A controller serving `port`'s implementation (whatever its module provides under `port.token`)
 * as one `@MessagePattern({ port, method })` handler per declared method: nothing else of the
 * implementation is callable. Every call must carry the shared INTERNAL_API_TOKEN; without a token
 * configured every call is refused. Errors go back as `{ code, message, fieldViolations }`: an
 * ApiError as itself, a dependency down (database, event log) as UNAVAILABLE, logged once per
 * outage, and anything else as INTERNAL, logged here with its stack.
 */
export function createInternalRpcController<T>(port: ServicePort<T>): Type<unknown> {
  const logger = createLogger(`internal-rpc:${port.name}`);

  @Controller()
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

    /** In a SERVER span, the child of the caller's CLIENT span when the payload names it (ADR 0105). */
    call(method: string, payload: unknown): Promise<unknown> {
      return inSpanContinuing(
        `${port.name}/${method}`,
        [traceCarrierOf(payload)],
        {
          kind: SpanKind.SERVER,
          attributes: {
            'rpc.system': 'switchboard_internal',
            'rpc.service': port.name,
            'rpc.method': method,
          },
        },
        () => this.handle(method, payload),
      );
    }

    private async handle(method: string, payload: unknown): Promise<unknown> {
      if (!this.authorized(payload)) {
        throw rpcError({ code: 'PERMISSION_DENIED', message: 'internal RPC needs the shared service token' });
      }
      let args: unknown[];
      try {
        args = decodeArgs(payload, MAX_ARGS);
      } catch (error) {
        throw rpcError({ code: 'INVALID_ARGUMENT', message: (error as Error).message });
      }
      try {
        return await this.implementation[method]!(...args);
      } catch (error) {
        throw rpcError(errorAnswer(error, method));
      }
    }

    private authorized(payload: unknown): boolean {
      const presented = (payload as { token?: unknown } | null)?.token;
      if (!this.token || typeof presented !== 'string') return false;
      const bytes = Buffer.from(presented);
      return bytes.length === this.token.length && timingSafeEqual(bytes, this.token);
    }
  }

  const prototype = InternalRpcController.prototype as unknown as Record<string, unknown>;
  for (const method of port.methods) {
    const key = `rpc:${method}`;
    Object.defineProperty(prototype, key, {
      value: function (this: InternalRpcController, payload: unknown) {
        return this.call(method, payload);
      },
      writable: true,
      configurable: true,
    });
    MessagePattern(internalRpcPattern(port.name, method))(
      prototype,
      key,
      Object.getOwnPropertyDescriptor(prototype, key)!,
    );
  }

  function errorAnswer(error: unknown, method: string): InternalRpcError {
    if (error instanceof ApiError) {
      return { code: error.code, message: error.message, fieldViolations: [...error.fieldViolations] };
    }
    const down = reportIfDependencyDown(error);
    if (down !== undefined) {
      return { code: 'UNAVAILABLE', message: `${port.name}: ${down.dependency} is unavailable; retry` };
    }
    logger.error({ err: error, method }, 'internal RPC call failed');
    return { code: 'INTERNAL', message: 'internal error' };
  }

  return InternalRpcController;
}

function rpcError(error: InternalRpcError): RpcException {
  return new RpcException(error);
}
