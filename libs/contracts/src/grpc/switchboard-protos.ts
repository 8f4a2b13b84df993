import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSync, type Options, type PackageDefinition } from '@grpc/proto-loader';
import type { ProtoGrpcType as AgentsProto } from '../generated/agents.js';
import type { ProtoGrpcType as ConversationsProto } from '../generated/conversations.js';
import type { ProtoGrpcType as CustomersProto } from '../generated/customers.js';
import type { ProtoGrpcType as EventsProto } from '../generated/events.js';
import type { ProtoGrpcType as KnowledgeBaseProto } from '../generated/knowledge_base.js';
import type { ProtoGrpcType as QueuesProto } from '../generated/queues.js';
import type { ProtoGrpcType as ReportsProto } from '../generated/reports.js';

/** Every proto of the public API, relative to the proto root. */
export const SWITCHBOARD_PROTO_FILES = [
  'switchboard/v1/common.proto',
  'switchboard/v1/conversations.proto',
  'switchboard/v1/customers.proto',
  'switchboard/v1/agents.proto',
  'switchboard/v1/queues.proto',
  'switchboard/v1/events.proto',
  'switchboard/v1/knowledge_base.proto',
  'switchboard/v1/reports.proto',
  'google/rpc/status.proto',
  'google/rpc/error_details.proto',
] as const;

/**
 * How the protos become JS objects. The generated types (tools/generate-grpc-types.mjs) are made
 * with the same choices, so they describe exactly what the loader produces: camelCase fields,
 * enums as their names, 64-bit integers as decimal strings, defaults filled in, and a virtual
 * field naming the member set in each oneof.
 */
export const SWITCHBOARD_LOADER_OPTIONS: Options = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** The folder holding `switchboard/v1/*.proto`, from the sources or from `dist/`. */
export function switchboardProtoRoot(): string {
  // The protos are not copied to dist/: walk up from this module to the repository's copy.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'libs/contracts/proto');
    if (existsSync(join(candidate, 'switchboard/v1/common.proto'))) return candidate;
    if (existsSync(join(dir, 'proto/switchboard/v1/common.proto'))) return join(dir, 'proto');
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error('libs/contracts/proto not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

export type SwitchboardProto = AgentsProto &
  ConversationsProto &
  CustomersProto &
  EventsProto &
  KnowledgeBaseProto &
  QueuesProto &
  ReportsProto;

let cached: PackageDefinition | undefined;

/** The API's package definition, loaded once: for servers, reflection and dynamic clients. */
export function loadSwitchboardPackageDefinition(): PackageDefinition {
  cached ??= loadSync([...SWITCHBOARD_PROTO_FILES], {
    ...SWITCHBOARD_LOADER_OPTIONS,
    includeDirs: [switchboardProtoRoot()],
  });
  return cached;
}

let described: PackageDefinition | undefined;

/**
 * The same protos for server reflection: field names as the .proto files spell them. The loader's
 * camelCase would otherwise reach the descriptors, and grpcurl (which reads JSON by the proto
 * names, as protojson does) would refuse `{"request_id": …}`.
 */
export function loadSwitchboardReflectionDefinition(): PackageDefinition {
  described ??= loadSync([...SWITCHBOARD_PROTO_FILES], {
    ...SWITCHBOARD_LOADER_OPTIONS,
    keepCase: true,
    includeDirs: [switchboardProtoRoot()],
  });
  return described;
}
