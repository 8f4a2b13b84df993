import {
  type ChannelCredentials,
  type Client,
  type ClientDuplexStream,
  Client as GrpcClient,
  Metadata,
  credentials,
  loadPackageDefinition,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor/index.js';
import { fileURLToPath } from 'node:url';

/** One `grpcurl` command of a guide, split into its arguments as a shell would. */
export interface GrpcurlCommand {
  readonly text: string;
  readonly headers: Record<string, string>;
  readonly data: string | undefined;
  /** `list`, `describe <symbol>`, or `<package.Service>/<Method>`. */
  readonly verb: 'list' | 'describe' | 'call';
  readonly target: string | undefined;
}

/**
 * The `grpcurl` commands in the fenced `sh` blocks of a markdown page, with `$NAME` expanded from
 * `env` inside double quotes (as the shell would) and line continuations joined.
 */
export function grpcurlCommands(markdown: string, env: Record<string, string>): GrpcurlCommand[] {
  const commands: GrpcurlCommand[] = [];
  for (const block of markdown.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const lines = block[1]!.split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i]!.startsWith('grpcurl ')) continue;
      let text = lines[i]!;
      // A command goes on while a quote is open or the line ends in a backslash.
      while ((text.split("'").length % 2 === 0 || text.endsWith('\\')) && i + 1 < lines.length) {
        text = text.endsWith('\\') ? `${text.slice(0, -1)} ${lines[++i]!}` : `${text}\n${lines[++i]!}`;
      }
      commands.push(parseCommand(text, env));
    }
  }
  return commands;
}

function parseCommand(text: string, env: Record<string, string>): GrpcurlCommand {
  const words = shellWords(text, env);
  const headers: Record<string, string> = {};
  let data: string | undefined;
  const positional: string[] = [];
  for (let i = 1; i < words.length; i++) {
    const word = words[i]!;
    if (word === '-plaintext') continue;
    if (word === '-H') {
      const [name, ...value] = words[++i]!.split(':');
      headers[name!.trim().toLowerCase()] = value.join(':').trim();
    } else if (word === '-d') data = words[++i];
    else if (word.startsWith('-')) throw new Error(`grpcurl flag not understood here: ${word}`);
    else positional.push(word);
  }
  // positional: address, then `list`, `describe <symbol>` or the method.
  const [, first, second] = positional;
  if (first === 'list') return { text, headers, data, verb: 'list', target: second };
  if (first === 'describe') return { text, headers, data, verb: 'describe', target: second };
  return { text, headers, data, verb: 'call', target: first };
}

function shellWords(text: string, env: Record<string, string>): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      word = (word ?? '') + text.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      const end = text.indexOf('"', i + 1);
      const inner = text.slice(i + 1, end).replace(/\$(\w+)/g, (_, name: string) => {
        if (!(name in env)) throw new Error(`$${name} is not set`);
        return env[name]!;
      });
      word = (word ?? '') + inner;
      i = end;
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? '') + c;
  }
  if (word !== undefined) words.push(word);
  return words;
}

type ReflectionClient = Client & { ServerReflectionInfo(): ClientDuplexStream<object, ReflectionResponse> };
interface ReflectionResponse {
  listServicesResponse?: { service: { name: string }[] };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

/**
 * What grpcurl does without .proto files: asks the server's reflection service for the
 * descriptors, encodes the JSON request with them (proto field names, enum names), calls, and
 * decodes the answer to JSON.
 */
export class ReflectingCaller {
  private readonly reflection: ReflectionClient;
  private readonly raw: GrpcClient;
  private readonly files = new Map<string, protobuf.Message>();

  constructor(address: string, creds: ChannelCredentials = credentials.createInsecure()) {
    const proto = loadPackageDefinition(
      loadSync('grpc/reflection/v1/reflection.proto', {
        includeDirs: [
          fileURLToPath(new URL('../../../node_modules/@grpc/reflection/build/proto', import.meta.url)),
        ],
      }),
    ) as unknown as {
      grpc: {
        reflection: { v1: { ServerReflection: new (a: string, c: ChannelCredentials) => ReflectionClient } };
      };
    };
    this.reflection = new proto.grpc.reflection.v1.ServerReflection(address, creds);
    this.raw = new GrpcClient(address, creds);
  }

  close(): void {
    this.reflection.close();
    this.raw.close();
  }

  async listServices(): Promise<string[]> {
    const response = await this.ask({ listServices: '' });
    return response.listServicesResponse!.service.map((s) => s.name);
  }

  /** The message type, enum or service a fully-qualified name refers to. */
  async describe(symbol: string): Promise<protobuf.ReflectionObject> {
    const root = await this.rootFor(symbol);
    return root.lookup(symbol) ?? fail(`${symbol} not in the descriptors the server sent`);
  }

  /** A unary call; for a server stream, the first `take` messages, then the call is cancelled. */
  async call(
    method: string,
    json: string,
    headers: Record<string, string>,
    take = 1,
  ): Promise<Record<string, unknown>[]> {
    const [serviceName, methodName] = method.split('/') as [string, string];
    const service = (await this.describe(serviceName)) as protobuf.Service;
    const rpc = service.methods[methodName] ?? fail(`${method} does not exist`);
    rpc.resolve();
    const requestType = rpc.resolvedRequestType!;
    const responseType = rpc.resolvedResponseType!;
    const object = JSON.parse(json) as Record<string, unknown>;
    requireKnownFields(requestType, object, requestType.name);
    const request = requestType.fromObject(object);
    const metadata = new Metadata();
    for (const [name, value] of Object.entries(headers)) metadata.set(name, value);
    const serialize = (m: protobuf.Message) => Buffer.from(requestType.encode(m).finish());
    const deserialize = (bytes: Buffer) =>
      responseType.toObject(responseType.decode(bytes), { enums: String, longs: String, defaults: true });
    const path = `/${serviceName}/${methodName}`;
    if (!rpc.responseStream) {
      return [
        await new Promise<Record<string, unknown>>((resolve, reject) => {
          this.raw.makeUnaryRequest(path, serialize, deserialize, request, metadata, (error, value) =>
            error ? reject(error) : resolve(value!),
          );
        }),
      ];
    }
    const stream = this.raw.makeServerStreamRequest(path, serialize, deserialize, request, metadata);
    return new Promise((resolve, reject) => {
      const got: Record<string, unknown>[] = [];
      stream.on('data', (value: Record<string, unknown>) => {
        got.push(value);
        if (got.length === take) {
          stream.cancel();
          resolve(got);
        }
      });
      stream.on('error', (error: Error) => {
        if (got.length < take) reject(error);
      });
    });
  }

  private async rootFor(symbol: string): Promise<protobuf.Root> {
    const response = await this.ask({ fileContainingSymbol: symbol });
    if (response.errorResponse) throw new Error(`reflection: ${response.errorResponse.errorMessage}`);
    for (const bytes of response.fileDescriptorResponse!.fileDescriptorProto) {
      const file = descriptor.FileDescriptorProto.decode(bytes);
      this.files.set((file as unknown as { name: string }).name, file);
    }
    const root = (protobuf.Root as unknown as { fromDescriptor(set: object): protobuf.Root }).fromDescriptor({
      file: [...this.files.values()],
    });
    root.resolveAll();
    return root;
  }

  private ask(request: object): Promise<ReflectionResponse> {
    return new Promise((resolve, reject) => {
      const call = this.reflection.ServerReflectionInfo();
      call.on('data', (response: ReflectionResponse) => {
        resolve(response);
        call.end();
      });
      call.on('error', reject);
      call.write(request);
    });
  }
}

/** As protojson (and so grpcurl) does: a field the message does not have is an error, not ignored. */
function requireKnownFields(type: protobuf.Type, object: Record<string, unknown>, path: string): void {
  for (const [key, value] of Object.entries(object)) {
    const field = type.fields[key] ?? Object.values(type.fields).find((f) => f.name === key);
    if (!field) fail(`message type ${path} has no known field named ${key}`);
    field.resolve();
    if (!(field.resolvedType instanceof protobuf.Type)) continue;
    const nested = field.resolvedType;
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== null && typeof item === 'object')
        requireKnownFields(nested, item as Record<string, unknown>, `${path}.${key}`);
    }
  }
}

function fail(message: string): never {
  throw new Error(message);
}
