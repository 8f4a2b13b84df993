import {
  credentials,
  Metadata,
  status,
  type CallOptions,
  type ClientReadableStream,
  type ServiceError,
} from '@grpc/grpc-js';
import {
  createSwitchboardClients,
  decodeStatusDetails,
  STATUS_DETAILS_KEY,
  type StatusDetails,
  type SwitchboardClients,
} from '@switchboard/contracts';

/** Typed clients on a plaintext loopback channel, as tests and benchmarks talk to the API. */
export function localSwitchboardClients(port: number, apiKey: string): SwitchboardClients {
  return createSwitchboardClients({
    address: `127.0.0.1:${port}`,
    apiKey,
    credentials: credentials.createInsecure(),
  });
}

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: CallOptions,
  callback: (error: ServiceError | null, response?: Res) => void,
) => unknown;

/** A unary call as a promise: `await unary(clients.conversations, 'GetConversation', { conversationId })`. */
export function unary<C, M extends keyof C, Req, Res>(
  client: C,
  method: M,
  request: Req,
  options: CallOptions & { metadata?: Metadata } = {},
): Promise<Res> {
  const fn = client[method] as unknown as UnaryMethod<Req, Res>;
  const { metadata = new Metadata(), ...callOptions } = options;
  return new Promise((resolve, reject) => {
    fn.call(client, request, metadata, callOptions, (error, response) =>
      error ? reject(error) : resolve(response!),
    );
  });
}

export interface RpcFailure {
  code: status;
  codeName: string;
  details: string;
  /** google.rpc.Status from the trailer, when the server sent one. */
  status: StatusDetails | null;
}

/** The status a call failed with (throws when it succeeded). */
export async function rpcFailure(call: Promise<unknown>): Promise<RpcFailure> {
  try {
    await call;
  } catch (error) {
    const e = error as ServiceError;
    const raw = e.metadata?.get(STATUS_DETAILS_KEY)[0];
    return {
      code: e.code,
      codeName: status[e.code],
      details: e.details,
      status: Buffer.isBuffer(raw) ? decodeStatusDetails(raw) : null,
    };
  }
  throw new Error('expected the call to fail, it succeeded');
}

/** Collects a server stream's messages as they arrive; `cancel()` ends it from the client side. */
export function collectStream<T>(stream: ClientReadableStream<T>): {
  readonly items: T[];
  readonly ended: Promise<ServiceError | null>;
  cancel(): void;
} {
  const items: T[] = [];
  const ended = new Promise<ServiceError | null>((resolve) => {
    stream.on('data', (item: T) => items.push(item));
    stream.on('error', (error: ServiceError) => resolve(error));
    stream.on('end', () => resolve(null));
  });
  return { items, ended, cancel: () => stream.cancel() };
}
