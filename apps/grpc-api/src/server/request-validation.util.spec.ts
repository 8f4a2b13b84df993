import { InvalidArgumentError } from '@switchboard/contracts';
import { Violations } from './request-validation.util.js';

describe('Violations', () => {
  it('collects every problem of a request and throws them together', () => {
    const v = new Violations()
      .uuid('conversation_id', '')
      .uuid('customer_id', 'nope')
      .optionalUuid('queue_id', '')
      .text('request_id', '   ', 1, 200)
      .text('note', 'x'.repeat(1001), 0, 1000)
      .integer('page_size', 101, 0, 100)
      .integer('page_size_ok', 100, 0, 100);
    expect(v.count).toBe(5);
    let error: unknown;
    try {
      v.throwIfAny();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).fieldViolations).toEqual([
      { field: 'conversation_id', description: 'is required' },
      { field: 'customer_id', description: 'must be a UUID' },
      { field: 'request_id', description: 'is required' },
      { field: 'note', description: 'must be 0 to 1000 characters' },
      { field: 'page_size', description: 'must be an integer from 0 to 100' },
    ]);
  });

  it('throws nothing when the request is valid', () => {
    expect(() =>
      new Violations().uuid('id', '3f1c2a4e-8b9d-4c1e-9f00-0123456789ab').throwIfAny(),
    ).not.toThrow();
  });
});
