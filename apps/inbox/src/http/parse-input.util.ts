import { InvalidArgumentError } from '@switchboard/contracts';
import type { z } from 'zod';

/** Validates a request body or query at the edge; the error names each offending field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  throw new InvalidArgumentError(
    'invalid request',
    result.error.issues.map((issue) => ({
      field: issue.path.map(String).join('.') || '(body)',
      description: issue.message,
    })),
  );
}
