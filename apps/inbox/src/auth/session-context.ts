import type { MessageSender } from '@switchboard/contracts';
import type { Role } from './role.js';

/** Who is calling, resolved from the session cookie by `SessionGuard`. */
export interface SessionContext {
  readonly sessionId: string;
  readonly csrfToken: string;
  readonly userId: string;
  readonly workspaceId: string;
  readonly role: Role;
  readonly email: string;
  readonly displayName: string;
  /** The user row is the installation's operator (ADR 0059). */
  readonly operator: boolean;
}

/** The signed-in user as the actor history records on what they change. */
export function sessionSender(session: Pick<SessionContext, 'userId' | 'displayName'>): MessageSender {
  return { type: 'agent', id: session.userId, name: session.displayName };
}
