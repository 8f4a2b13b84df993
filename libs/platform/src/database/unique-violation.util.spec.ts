import { QueryFailedError } from 'typeorm';
import { isUniqueViolation } from './unique-violation.util.js';

function pgError(code: string, constraint?: string): Error {
  return Object.assign(new Error('duplicate key value violates unique constraint'), { code, constraint });
}

describe('isUniqueViolation', () => {
  it('recognizes 23505 from node-postgres and wrapped by TypeORM', () => {
    expect(isUniqueViolation(pgError('23505'))).toBe(true);
    expect(isUniqueViolation(new QueryFailedError('INSERT', [], pgError('23505')))).toBe(true);
  });

  it('refuses other errors and non-errors', () => {
    expect(isUniqueViolation(pgError('23503'))).toBe(false);
    expect(isUniqueViolation(new QueryFailedError('INSERT', [], pgError('40001')))).toBe(false);
    expect(isUniqueViolation(new Error('boom'))).toBe(false);
    expect(isUniqueViolation(null)).toBe(false);
    expect(isUniqueViolation('23505')).toBe(false);
  });

  it('with a constraint, only when that constraint is the one violated', () => {
    expect(
      isUniqueViolation(pgError('23505', 'messages_provider_id_unique'), 'messages_provider_id_unique'),
    ).toBe(true);
    expect(isUniqueViolation(pgError('23505', 'other_unique'), 'messages_provider_id_unique')).toBe(false);
    expect(
      isUniqueViolation(
        new QueryFailedError('INSERT', [], pgError('23505', 'messages_provider_id_unique')),
        'messages_provider_id_unique',
      ),
    ).toBe(true);
  });
});
