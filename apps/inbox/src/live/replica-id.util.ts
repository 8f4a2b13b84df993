import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * This inbox instance among the replicas: names its live consumer group and tags its WebSocket
 * rows. Per Nest application rather than per process, so two instances in one process (tests)
 * are two replicas too.
 */
@Injectable()
export class InboxReplica {
  readonly id = `${hostname()
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .slice(0, 40)}-${process.pid}-${randomBytes(4).toString('hex')}`;
}
