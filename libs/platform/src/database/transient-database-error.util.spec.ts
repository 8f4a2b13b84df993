import { isTransientDatabaseError } from '@switchboard/platform';

function pgError(code: string, message = 'error'): Error {
  return Object.assign(new Error(message), { code, severity: 'ERROR' });
}

// How TypeORM's QueryFailedError carries the driver's error.
function queryFailed(driverError: Error): Error {
  return Object.assign(new Error(driverError.message), {
    name: 'QueryFailedError',
    driverError,
    code: (driverError as { code?: string }).code,
  });
}

describe('isTransientDatabaseError', () => {
  it.each([
    ['serialization failure', pgError('40001')],
    ['deadlock', pgError('40P01')],
    ['too many connections', pgError('53300')],
    ['admin shutdown', pgError('57P01', 'terminating connection due to administrator command')],
    ['starting up', pgError('57P03', 'the database system is starting up')],
    ['connection exception class 08', pgError('08006')],
    ['lock timeout', pgError('55P03')],
    [
      'connection refused',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    ],
    ['connection reset', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['terminated (no code)', new Error('Connection terminated unexpectedly')],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
    ['wrapped by TypeORM', queryFailed(pgError('40P01'))],
    ['wrapped as cause', new Error('could not save', { cause: pgError('57P01') })],
    [
      'dual-stack refusal',
      new AggregateError([
        Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' }),
      ]),
    ],
  ])('%s: transient', (_, error) => {
    expect(isTransientDatabaseError(error)).toBe(true);
  });

  it.each([
    ['unique violation', queryFailed(pgError('23505'))],
    ['foreign key violation', pgError('23503')],
    ['not null violation', pgError('23502')],
    ['undefined table', pgError('42P01')],
    ['syntax error', pgError('42601')],
    ['statement timeout', pgError('57014')],
    ['plain error', new Error('boom')],
    ['not an error', 'ECONNREFUSED'],
    ['null', null],
  ])('%s: not transient', (_, error) => {
    expect(isTransientDatabaseError(error)).toBe(false);
  });

  it('survives cyclic causes', () => {
    const error = new Error('loop') as Error & { cause?: unknown };
    error.cause = error;
    expect(isTransientDatabaseError(error)).toBe(false);
  });
});
