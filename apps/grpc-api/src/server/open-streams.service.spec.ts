import { status } from '@grpc/grpc-js';
import { configureLogging } from '@switchboard/platform';
import type { ApiKeyScope } from '../api-keys/api-key.js';
import type { ApiKeyService } from '../api-keys/api-key.service.js';
import type { RpcError } from './grpc-errors.util.js';
import { OpenStreamsService } from './open-streams.service.js';

/** The recheck's decisions, over a stand-in of the key store (the real one: api-key-revocation.int-spec). */
describe('OpenStreamsService', () => {
  beforeAll(() => configureLogging({ level: 'silent' }));
  let answer: () => Promise<Map<string, ApiKeyScope>>;
  let revoke: (keyId: string) => void = () => undefined;
  const keys = {
    currentScopes: () => answer(),
    onRevoked: (listener: (keyId: string) => void) => {
      revoke = listener;
      return () => undefined;
    },
  } as unknown as ApiKeyService;

  const stream = (keyId: string, scope: 'read' | 'write') => {
    const ended: RpcError[] = [];
    return { keyId, scope, ended, end: (error: RpcError) => void ended.push(error) };
  };

  it('ends revoked keys’ streams, and those whose scope no longer allows the call; keeps the rest', async () => {
    const service = new OpenStreamsService(keys);
    const revoked = stream('k1', 'read');
    const narrowed = stream('k2', 'write');
    const fine = stream('k3', 'read');
    for (const s of [revoked, narrowed, fine]) service.register(s);
    answer = () =>
      Promise.resolve(
        new Map<string, ApiKeyScope>([
          ['k2', 'read'],
          ['k3', 'read'],
        ]),
      );
    await service.recheck();
    expect(revoked.ended.map((e) => e.code)).toEqual([status.UNAUTHENTICATED]);
    expect(narrowed.ended.map((e) => e.code)).toEqual([status.PERMISSION_DENIED]);
    expect(fine.ended).toEqual([]);
    // Ended once: a later recheck does not end them again.
    await service.recheck();
    expect(revoked.ended).toHaveLength(1);
    service.onModuleDestroy();
  });

  it('ends at once on a revocation in this process, and keeps streams while the database is unreachable', async () => {
    const service = new OpenStreamsService(keys);
    const a = stream('a', 'read');
    const b = stream('b', 'read');
    service.register(a);
    const unregisterB = service.register(b);
    revoke('a');
    expect(a.ended.map((e) => e.code)).toEqual([status.UNAUTHENTICATED]);
    answer = () => Promise.reject(new Error('connection refused'));
    await service.recheck();
    expect(b.ended).toEqual([]);
    unregisterB();
    service.onModuleDestroy();
  });
});
