import { type Reader, kGetApi } from '@platformatic/kafka';

/** One of @platformatic/kafka's API functions: a connection, the request's arguments, a callback last. */
export type ClientApi = ((connection: unknown, ...args: unknown[]) => void) & {
  readonly key: number;
  readonly version: number;
};

/** How @platformatic/kafka parses a response: the client's own parsers have this shape. */
export type ResponseParser = (
  correlationId: number,
  apiKey: number,
  apiVersion: number,
  reader: Reader,
) => unknown;

/** What an API function asks of a @platformatic/kafka connection: one request, its payload made when written. */
export interface ClientConnection {
  send(
    apiKey: number,
    apiVersion: number,
    createPayload: () => unknown,
    parser: ResponseParser,
    hasRequestHeaderTaggedFields: boolean,
    hasResponseHeaderTaggedFields: boolean,
    callback: unknown,
  ): void;
}

type GetApi = (name: string, callback: (error: Error | null, api?: ClientApi) => void) => void;

/**
 * Has a @platformatic/kafka client (a producer, a consumer) call `replace(api)`'s function for the
 * API `name` wherever it looks that API up (ADRs 0168, 0170): the client negotiates the version
 * and hands its own function over; `replace` returns the one to use instead, or undefined to leave
 * that version to the client. Each of the client's functions is replaced once.
 */
export function replaceClientApi(
  client: object,
  name: string,
  replace: (api: ClientApi) => ClientApi | undefined,
): void {
  const target = client as Record<symbol, GetApi>;
  const getApi = target[kGetApi]!.bind(client);
  const replaced = new WeakMap<ClientApi, ClientApi>();
  target[kGetApi] = (apiName, callback) =>
    getApi(apiName, (error, api) => {
      if (error !== null || api === undefined || apiName !== name) {
        callback(error, api);
        return;
      }
      let ours = replaced.get(api);
      if (ours === undefined) {
        ours = replace(api) ?? api;
        replaced.set(api, ours);
      }
      callback(null, ours);
    });
}

/** `call` as an API function of `api`'s key and version (the client reads both off the function). */
export function asClientApi(
  api: ClientApi,
  call: (connection: unknown, ...args: never[]) => void,
): ClientApi {
  return Object.assign(call as ClientApi, { key: api.key, version: api.version });
}
