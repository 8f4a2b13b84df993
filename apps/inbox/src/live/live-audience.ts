/**
 * Who a live event goes to, by the inbox's rule (ConversationsService): agents see their own and
 * unassigned conversations, supervisors and admins every conversation of their workspace.
 * `everyone`: every socket of the workspace; `holders`: the sockets of these users, and those of
 * supervisors and admins.
 */
export type LiveAudience =
  { readonly kind: 'everyone' } | { readonly kind: 'holders'; readonly userIds: readonly string[] };

export const EVERYONE: LiveAudience = { kind: 'everyone' };
/** Supervisors and admins only: a conversation whose holder could not be known (fail closed). */
export const SUPERVISORS: LiveAudience = { kind: 'holders', userIds: [] };

interface Holding {
  /** The agent it is assigned to, or null while nobody holds it. */
  readonly agentId: string | null;
  /** When routing decided it: a decision older than the one recorded changes nothing (as history). */
  readonly at: number;
}

/** Enough for every open conversation of a contact centre; the oldest entries are looked up again. */
const MAX_CONVERSATIONS = 200_000;

/**
 * Who holds each conversation, as this replica learnt it: from routing's decisions on the log, or
 * from history for a conversation it has not seen decided (looked up once, then kept current by
 * the decisions). Pure bookkeeping, no I/O.
 */
export class ConversationHolders {
  private readonly holdings = new Map<string, Holding>();

  /** The conversation's holder: an agent id, null when nobody, undefined when not known here. */
  holderOf(conversationId: string): string | null | undefined {
    return this.holdings.get(conversationId)?.agentId;
  }

  /** A lookup's answer: kept only if no decision arrived meanwhile (the decision is newer). */
  learn(conversationId: string, agentId: string | null): void {
    if (!this.holdings.has(conversationId)) this.set(conversationId, { agentId, at: 0 });
  }

  assigned(conversationId: string, agentId: string, at: string): void {
    const time = Date.parse(at);
    const current = this.holdings.get(conversationId);
    if (current === undefined || current.at <= time) this.set(conversationId, { agentId, at: time });
  }

  /** At the same instant as the assignment shown, only that agent's own unassignment clears it (a transfer). */
  unassigned(conversationId: string, agentId: string, at: string): void {
    const time = Date.parse(at);
    const current = this.holdings.get(conversationId);
    if (
      current === undefined ||
      current.at < time ||
      (current.at === time && (current.agentId === null || current.agentId === agentId))
    )
      this.set(conversationId, { agentId: null, at: time });
  }

  /** Who sees an event of this conversation now; undefined when the holder is not known here. */
  audienceOf(conversationId: string): LiveAudience | undefined {
    const holder = this.holderOf(conversationId);
    if (holder === undefined) return undefined;
    return holder === null ? EVERYONE : { kind: 'holders', userIds: [holder] };
  }

  private set(conversationId: string, holding: Holding): void {
    this.holdings.delete(conversationId);
    this.holdings.set(conversationId, holding);
    if (this.holdings.size > MAX_CONVERSATIONS) {
      const oldest = this.holdings.keys().next().value;
      if (oldest !== undefined) this.holdings.delete(oldest);
    }
  }
}

/** Both audiences: who saw the conversation before a decision, and who sees it after. */
export function unionOf(a: LiveAudience, b: LiveAudience): LiveAudience {
  if (a.kind === 'everyone' || b.kind === 'everyone') return EVERYONE;
  return { kind: 'holders', userIds: [...new Set([...a.userIds, ...b.userIds])] };
}
