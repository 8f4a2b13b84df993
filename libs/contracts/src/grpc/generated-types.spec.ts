import { execFileSync } from 'node:child_process';

describe('generated gRPC types', () => {
  it('match the protos (regenerate with `npm run grpc:generate`)', () => {
    // Throws, with the stale file names on stderr, when libs/contracts/src/generated is out of date.
    expect(() =>
      execFileSync(process.execPath, ['tools/generate-grpc-types.mjs', '--check'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    ).not.toThrow();
  });
});
