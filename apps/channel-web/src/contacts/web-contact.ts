import type { IdentityKind } from '@switchboard/contracts';

/** Someone who chats through the widget: an anonymous visitor, or a user the site vouched for. */
export interface WebContact {
  readonly id: string;
  readonly workspaceId: string;
  readonly visitorId: string | null;
  readonly userId: string | null;
  readonly name: string | null;
  readonly email: string | null;
  /** History's ids, learned from delivery requests; null until an agent first replied. */
  readonly customerId: string | null;
  readonly conversationId: string | null;
}

/** How the contact appears in events: a verified user by their id, a visitor by theirs. */
export function senderOf(contact: WebContact): { kind: IdentityKind; address: string } {
  return contact.userId !== null
    ? { kind: 'web_user', address: contact.userId }
    : { kind: 'web_visitor', address: contact.visitorId! };
}
