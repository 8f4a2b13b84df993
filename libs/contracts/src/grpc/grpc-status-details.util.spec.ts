import { join } from 'node:path';
import protobuf from 'protobufjs';
import { decodeStatusDetails, encodeStatusDetails } from './grpc-status-details.util.js';
import { switchboardProtoRoot } from './switchboard-protos.js';

describe('google.rpc.Status details', () => {
  it('round-trips field violations and a retry delay', () => {
    const bytes = encodeStatusDetails({
      code: 3,
      message: 'the request has invalid fields',
      fieldViolations: [
        { field: 'identity.value', description: 'is required' },
        { field: 'text', description: 'must be 0 to 20000 characters — “ü”' },
      ],
      retryDelayMs: 1500,
    });
    expect(decodeStatusDetails(bytes)).toEqual({
      code: 3,
      message: 'the request has invalid fields',
      fieldViolations: [
        { field: 'identity.value', description: 'is required' },
        { field: 'text', description: 'must be 0 to 20000 characters — “ü”' },
      ],
      retryDelayMs: 1500,
    });
  });

  it('is what protobuf itself decodes as google.rpc.Status with BadRequest and RetryInfo', () => {
    // Cross-checked with protobufjs, the runtime under @grpc/proto-loader (a test-only import).
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) =>
      target.startsWith('google/protobuf/') ? target : join(switchboardProtoRoot(), target);
    root.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto']);
    const Status = root.lookupType('google.rpc.Status');
    const bytes = encodeStatusDetails({
      code: 3,
      message: 'bad',
      fieldViolations: [{ field: 'a.b', description: 'is required' }],
      retryDelayMs: 2250,
    });
    const decoded = Status.toObject(Status.decode(bytes), { longs: Number }) as {
      code: number;
      message: string;
      details: { type_url: string; value: Uint8Array }[];
    };
    expect(decoded.code).toBe(3);
    expect(decoded.message).toBe('bad');
    const [badRequest, retryInfo] = decoded.details;
    expect(badRequest!.type_url).toBe('type.googleapis.com/google.rpc.BadRequest');
    const BadRequest = root.lookupType('google.rpc.BadRequest');
    expect(BadRequest.toObject(BadRequest.decode(badRequest!.value))).toEqual({
      fieldViolations: [{ field: 'a.b', description: 'is required' }],
    });
    const RetryInfo = root.lookupType('google.rpc.RetryInfo');
    expect(RetryInfo.toObject(RetryInfo.decode(retryInfo!.value), { longs: Number })).toEqual({
      retryDelay: { seconds: 2, nanos: 250_000_000 },
    });
  });
});
