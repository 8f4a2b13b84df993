/** An attachment as the widget sees it: fetched from /widget/attachments/:id by the contact only. */
export interface TranscriptAttachment {
  readonly id: string;
  readonly contentType: string;
  readonly sizeBytes: number;
  readonly fileName?: string;
}

/**
 * One entry of a contact's session transcript, in the order the widget shows it. `seq` is gapless
 * from 1 per contact: a reconnecting widget asks for everything after the last one it has.
 */
export interface TranscriptItem {
  readonly seq: number;
  /** The customer's client message id, or history's message id for a reply; unique per contact. */
  readonly id: string;
  /**
   * `message`; `csat` (the rating prompt after a conversation was resolved); `bot` (routing
   * holds the conversation for a bot, ADR 0083: the widget offers "Talk to a person" from the
   * customer's first message on, before any answer) and `bot_released` (it left the bot: the
   * offer goes). The last two show nothing in the log.
   */
  readonly kind: 'message' | 'csat' | 'bot' | 'bot_released';
  /** `in`: from the customer; `out`: to the customer. */
  readonly dir: 'in' | 'out';
  readonly text: string | null;
  readonly attachments: readonly TranscriptAttachment[];
  /**
   * The agent (or bot) who wrote an `out` message: name as the delivery request gives it.
   * `botAnswer`: the bot answered with an article (not its hand-off notice), so the widget asks
   * whether it helped and offers a person.
   */
  readonly author: { readonly name: string | null; readonly type: string; readonly botAnswer?: true } | null;
  readonly conversationId: string | null;
  readonly at: string;
  readonly readAt: string | null;
  /** On a `csat` prompt: the conversation was already rated, so the widget shows thanks instead. */
  readonly answered?: boolean;
  /**
   * On an `out` message that asks for a secure form (ADR 0082): the widget renders it until the
   * customer `submitted` it. Never holds the form's values.
   */
  readonly form?: TranscriptForm;
}

export interface TranscriptForm {
  readonly kind: 'card';
  readonly submitted?: true;
}

export type NewTranscriptItem = Omit<TranscriptItem, 'seq' | 'at' | 'readAt' | 'answered'>;
