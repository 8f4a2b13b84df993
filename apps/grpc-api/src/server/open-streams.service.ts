import { status } from '@grpc/grpc-js';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { createLogger } from '@switchboard/platform';
import { allows, type RequiredScope } from '../api-keys/api-key.js';
import { ApiKeyService } from '../api-keys/api-key.service.js';
import { RpcError } from './grpc-errors.util.js';

/**
 * How often open streams' keys are read again. A key is checked only when a call starts; a
 * stream lasts as long as its connection, so without this a revoked (leaked) key would keep
 * receiving the workspace's events. With the recheck query's own time, a stream ends well within
 * the 10 s docs/grpc.md promises.
 */
export const STREAM_KEY_RECHECK_MS = 5_000;

/** A stream whose key has been checked once; `end` stops its handler and sends the status. */
export interface OpenStream {
  readonly keyId: string;
  readonly scope: RequiredScope;
  end(error: RpcError): void;
}

/**
 * Ends open streams whose API key was revoked (UNAUTHENTICATED) or no longer has the scope
 * their call needs (PERMISSION_DENIED): at once for a revocation in this process, within
 * STREAM_KEY_RECHECK_MS for one made elsewhere (another replica, the CLI, SQL). One query per
 * process per interval, for every open stream's key together, and none while no stream is open.
 */
@Injectable()
export class OpenStreamsService implements OnModuleDestroy {
  private readonly logger = createLogger('grpc-api.streams');
  private readonly streams = new Set<OpenStream>();
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  private failing = false;
  private readonly stopListening: () => void;

  constructor(private readonly keys: ApiKeyService) {
    this.stopListening = keys.onRevoked((keyId) => {
      for (const stream of this.streams) if (stream.keyId === keyId) this.end(stream, revoked());
    });
  }

  /** Watches a stream until the returned function is called (its end, whatever the cause). */
  register(stream: OpenStream): () => void {
    this.streams.add(stream);
    this.timer ??= setInterval(() => void this.recheck(), STREAM_KEY_RECHECK_MS).unref();
    return () => {
      this.streams.delete(stream);
      if (this.streams.size === 0) this.stopTimer();
    };
  }

  /** Reads every open stream's key and ends the streams it no longer allows. */
  async recheck(): Promise<void> {
    if (this.checking || this.streams.size === 0) return;
    this.checking = true;
    try {
      const open = [...this.streams];
      let scopes;
      try {
        scopes = await this.keys.currentScopes(open.map((s) => s.keyId));
      } catch (error) {
        // The database is unreachable: the streams can't read events either; check again next
        // time, and say so once per outage, not every few seconds.
        if (!this.failing) this.logger.warn({ err: error }, 'could not recheck the keys of open streams');
        this.failing = true;
        return;
      }
      if (this.failing) this.logger.info('rechecking the keys of open streams again');
      this.failing = false;
      for (const stream of open) {
        const scope = scopes.get(stream.keyId);
        if (scope === undefined) this.end(stream, revoked());
        else if (!allows(scope, stream.scope))
          this.end(
            stream,
            new RpcError(status.PERMISSION_DENIED, 'this API key’s scope no longer allows this call'),
          );
      }
    } finally {
      this.checking = false;
    }
  }

  onModuleDestroy(): void {
    this.stopListening();
    this.stopTimer();
  }

  private end(stream: OpenStream, error: RpcError): void {
    if (!this.streams.delete(stream)) return;
    this.logger.info(
      { keyId: stream.keyId, code: status[error.code] },
      'ended a stream whose key no longer allows it',
    );
    stream.end(error);
    if (this.streams.size === 0) this.stopTimer();
  }

  private stopTimer(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

function revoked(): RpcError {
  return new RpcError(status.UNAUTHENTICATED, 'the API key was revoked');
}
