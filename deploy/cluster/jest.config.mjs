// @ts-check
/**
 * `npm run test:cluster` and `npm run test:faults`: the repository's jest setup (ts-jest, aliases,
 * the global broker and PostgreSQL), for the long multi-process runs kept out of `npm test`.
 */
// The repository's own jest config, beside which this one sits (not an @switchboard/* library).
// eslint-disable-next-line no-restricted-imports
import base from '../../jest.config.js';

/** @type {import('jest').Config} */
export default {
  ...base,
  rootDir: '../..',
  testRegex: '.*\\.(cluster|faults)-spec\\.ts$',
  // One long test file at a time; each step logs what it measured.
  maxWorkers: 1,
  verbose: true,
  testTimeout: 600_000,
};
