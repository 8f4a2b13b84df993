/**
 * Errors of the service interfaces (HistoryApi, RoutingApi). Each carries a transport-neutral code
 * that the HTTP layer maps to a status, the gRPC API to a status code, and the internal RPC client
 * back to the same class — so a caller writes `catch (e) { if (e instanceof NotFoundError) … }`
 * whether the service runs in its process or across the network.
 */
export type ApiErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION'
  | 'PERMISSION_DENIED'
  | 'UNAVAILABLE';

export interface FieldViolation {
  /** Dotted path of the offending field, e.g. `steps.0.expression`. */
  field: string;
  description: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly fieldViolations: readonly FieldViolation[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Malformed input; `fieldViolations` says which fields and why. */
export class InvalidArgumentError extends ApiError {
  constructor(message: string, fieldViolations: readonly FieldViolation[] = []) {
    super('INVALID_ARGUMENT', message, fieldViolations);
  }
}

/** The thing does not exist — or belongs to another workspace, which reads the same. */
export class NotFoundError extends ApiError {
  constructor(what: string) {
    super('NOT_FOUND', `${what} not found`);
  }
}

export class AlreadyExistsError extends ApiError {
  constructor(message: string) {
    super('ALREADY_EXISTS', message);
  }
}

/** The request is well-formed but the state forbids it (an opted-out number, a resolved conversation…). */
export class FailedPreconditionError extends ApiError {
  constructor(message: string) {
    super('FAILED_PRECONDITION', message);
  }
}

export class PermissionDeniedError extends ApiError {
  constructor(message: string) {
    super('PERMISSION_DENIED', message);
  }
}

/** A dependency (database, event log) is down; the caller may retry. */
export class UnavailableError extends ApiError {
  constructor(message: string) {
    super('UNAVAILABLE', message);
  }
}

/** Rebuilds the right subclass from a serialized error (the internal RPC client uses it). */
export function apiErrorFromJson(json: {
  code: ApiErrorCode;
  message: string;
  fieldViolations?: FieldViolation[];
}): ApiError {
  switch (json.code) {
    case 'INVALID_ARGUMENT':
      return new InvalidArgumentError(json.message, json.fieldViolations ?? []);
    case 'NOT_FOUND': {
      const error = new NotFoundError('');
      error.message = json.message;
      return error;
    }
    case 'ALREADY_EXISTS':
      return new AlreadyExistsError(json.message);
    case 'FAILED_PRECONDITION':
      return new FailedPreconditionError(json.message);
    case 'PERMISSION_DENIED':
      return new PermissionDeniedError(json.message);
    case 'UNAVAILABLE':
      return new UnavailableError(json.message);
  }
}
