import { InvalidArgumentError, type FieldViolation } from '@switchboard/contracts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Collects every problem of a request before answering, so an integrator fixes them in one round:
 * INVALID_ARGUMENT with one google.rpc.BadRequest field violation per problem.
 */
export class Violations {
  private readonly list: FieldViolation[] = [];

  add(field: string, description: string): this {
    this.list.push({ field, description });
    return this;
  }

  /** A required UUID (empty: "is required"). */
  uuid(field: string, value: string): this {
    if (value === '') return this.add(field, 'is required');
    if (!UUID.test(value)) return this.add(field, 'must be a UUID');
    return this;
  }

  /** An optional UUID: empty is fine. */
  optionalUuid(field: string, value: string): this {
    return value === '' ? this : this.uuid(field, value);
  }

  /** Text of `min` to `max` characters; with `min` 0 it may be empty. */
  text(field: string, value: string, min: number, max: number): this {
    if (min > 0 && value.trim() === '') return this.add(field, 'is required');
    if (value.length < min || value.length > max)
      return this.add(field, `must be ${min} to ${max} characters`);
    return this;
  }

  integer(field: string, value: number, min: number, max: number): this {
    if (!Number.isInteger(value) || value < min || value > max) {
      return this.add(field, `must be an integer from ${min} to ${max}`);
    }
    return this;
  }

  get count(): number {
    return this.list.length;
  }

  throwIfAny(message = 'the request has invalid fields'): void {
    if (this.list.length > 0) throw new InvalidArgumentError(message, this.list);
  }
}
