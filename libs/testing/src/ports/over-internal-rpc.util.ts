import { Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { ServicePort } from '@switchboard/contracts';
import {
  createInternalRpcClient,
  defineConfig,
  InternalRpcModule,
  internalRpcVariables,
  listenInternalRpc,
  PlatformConfigModule,
} from '@switchboard/platform';
import { randomBytes } from 'node:crypto';

const RpcContractConfig = defineConfig(internalRpcVariables, 'RpcContractConfig');

/**
 * `implementation` (a real service) served as its app serves it alone — `InternalRpcModule.serve`
 * on @nestjs/microservices' TCP transport — and `api`, the client its callers hold: what a contract
 * suite runs against to hold the service to its contract across the network.
 */
export async function overInternalRpc<T>(
  port: ServicePort<T>,
  implementation: T,
): Promise<{ api: T; close(): Promise<void> }> {
  const token = randomBytes(32).toString('hex');
  @Module({ providers: [{ provide: port.token, useValue: implementation }], exports: [port.token] })
  class ImplementationModule {}
  const moduleRef = await Test.createTestingModule({
    imports: [
      PlatformConfigModule.forRoot(RpcContractConfig, { overrides: { INTERNAL_API_TOKEN: token } }),
      InternalRpcModule.serve(port, [ImplementationModule]),
    ],
  }).compile();
  const app: INestApplication = moduleRef.createNestApplication({ logger: false });
  const url = await listenInternalRpc(app, { port: 0 });
  await app.init();
  if (url === undefined) throw new Error(`${port.name} is not served over internal RPC`);
  const client = createInternalRpcClient(port, { url, token });
  return {
    api: client.api,
    close: async () => {
      client.close();
      await app.close();
    },
  };
}
