import type { INestApplication } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import type { AddressInfo, Server } from 'node:net';
import { InternalRpcServing } from './internal-rpc.module.js';
import { MAX_MESSAGE_CHARACTERS } from './internal-rpc.protocol.js';

/**
 * Opens the app's internal RPC (`@nestjs/microservices`' TCP transport, beside its HTTP server) when
 * it serves a port (`InternalRpcModule.serve`), on INTERNAL_RPC_PORT or `port`; resolves with the
 * `tcp://` URL it listens on, or undefined for an app that serves none. `runHttpService` calls it
 * before the HTTP server listens; tests call it on their own Nest apps.
 */
export async function listenInternalRpc(
  app: INestApplication,
  options: { port?: number } = {},
): Promise<string | undefined> {
  // Looked up in the modules rather than by `app.get`, whose miss Nest logs as an error.
  const serving = [...app.get(ModulesContainer).values()]
    .map((module) => module.providers.get(InternalRpcServing)?.instance)
    .find((instance): instance is InternalRpcServing => instance instanceof InternalRpcServing);
  if (serving === undefined) return undefined;
  const port = options.port ?? serving.config.INTERNAL_RPC_PORT;
  const microservice = app.connectMicroservice<MicroserviceOptions>({
    transport: Transport.TCP,
    // host present but undefined: every interface, as the HTTP server (the library's default is localhost).
    options: { host: undefined, port, maxBufferSize: MAX_MESSAGE_CHARACTERS },
  });
  await app.startAllMicroservices();
  const address = microservice.unwrap<Server>().address() as AddressInfo;
  return `tcp://127.0.0.1:${address.port}`;
}
