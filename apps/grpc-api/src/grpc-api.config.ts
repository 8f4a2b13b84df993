import { configVariable, databaseVariables, defineConfig } from '@switchboard/platform';
import { z } from 'zod';

function integer(min: number, max: number) {
  return z.string().regex(/^\d+$/).transform(Number).pipe(z.int().min(min).max(max));
}

export const grpcApiVariables = {
  GRPC_PORT: configVariable({
    description:
      'Port of the gRPC API for integrators (beside the HTTP port in the standalone process); 0 picks a free one.',
    schema: integer(0, 65535),
    default: '50051',
    expected: 'an integer from 0 to 65535',
  }),
  GRPC_HOST: configVariable({
    description: 'Address the gRPC API binds to.',
    schema: z.string().min(1),
    default: '0.0.0.0',
    expected: 'an IP address or host name',
  }),
  GRPC_RATE_LIMIT_PER_SECOND: configVariable({
    description:
      'Calls per second each API key may make (bursts up to twice that); a key can carry its own limit.',
    schema: integer(1, 100000),
    default: '50',
    expected: 'an integer from 1 to 100000',
  }),
  GRPC_EVENT_RETENTION_DAYS: configVariable({
    description: 'Days EventService keeps events for subscribers to resume from.',
    schema: integer(1, 365),
    default: '7',
    expected: 'an integer from 1 to 365',
  }),
};

/** What the gRPC API reads, alone or in the standalone process. */
export const GrpcApiConfig = defineConfig(
  { ...grpcApiVariables, DATABASE_URL: databaseVariables.DATABASE_URL },
  'GrpcApiConfig',
);
