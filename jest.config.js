// @ts-check
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { pathsToModuleNameMapper } from 'ts-jest';
import ts from 'typescript';

// Path aliases live in tsconfig.json only; read them from there.
const { config: tsconfig } = ts.parseConfigFileTextToJson(
  'tsconfig.json',
  readFileSync(new URL('./tsconfig.json', import.meta.url), 'utf8'),
);

/** @type {import('jest').Config} */
export default {
  moduleFileExtensions: ['js', 'json', 'ts'],
  rootDir: '.',
  testRegex: '.*\\.(spec|int-spec|e2e-spec)\\.ts$',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  moduleNameMapper: {
    ...pathsToModuleNameMapper(tsconfig.compilerOptions.paths, { prefix: '<rootDir>/' }),
    // ESM sources import siblings as './x.js'; jest resolves the .ts file.
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // Its ES build imports JSON without an import attribute, which jest warns about in every file.
    '^libphonenumber-js/min$': '<rootDir>/node_modules/libphonenumber-js/min/index.cjs',
  },
  testEnvironment: 'node',
  globalSetup: '<rootDir>/libs/testing/src/jest/global-setup.mjs',
  globalTeardown: '<rootDir>/libs/testing/src/jest/global-teardown.mjs',
  testTimeout: 60000,
  // Test files run in a worker, never in jest's own process, which it would choose on two cores
  // (ADR 0065): work a file leaves behind (a late log, a late import) then cannot set jest's exit
  // code after every test passed; it is still printed, and .ci/run repeats it at the end. The
  // worker is replaced when a file leaves it holding more than this.
  workerIdleMemoryLimit: '2GB',
  // Two test files at a time even on two cores, where jest would run one (ADR 0163): most of a
  // file's time is spent waiting on Kafka, PostgreSQL, a browser or a child process, and every
  // file keeps to its own topics, schemas and ports.
  maxWorkers: Math.max(2, availableParallelism() - 1),
};
