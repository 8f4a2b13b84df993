import { status } from '@grpc/grpc-js';
import { InvalidArgumentError, decodeStatusDetails, STATUS_DETAILS_KEY } from '@switchboard/contracts';
import { protoFieldPath, toServiceError } from './grpc-errors.util.js';

describe('gRPC error translation', () => {
  it('names fields as the proto does', () => {
    expect(protoFieldPath('pageToken')).toBe('page_token');
    expect(protoFieldPath('identity.kind')).toBe('identity.kind');
    expect(protoFieldPath('queue.steps[1].stepExpression')).toBe('queue.steps[1].step_expression');
    expect(protoFieldPath('attributes[favouriteColour]')).toBe('attributes[favouriteColour]');
  });

  it('sends a port’s field violations under the proto’s names', () => {
    const error = toServiceError(
      new InvalidArgumentError('invalid page token', [{ field: 'pageToken', description: 'not a token' }]),
    )!;
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toBe('invalid page token: page_token: not a token');
    const raw = error.metadata!.get(STATUS_DETAILS_KEY)[0] as Buffer;
    expect(decodeStatusDetails(raw).fieldViolations).toEqual([
      { field: 'page_token', description: 'not a token' },
    ]);
  });
});
