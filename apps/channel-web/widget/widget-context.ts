/** What the loader hands the panel when the customer first opens the chat. */
export interface WidgetUser {
  id: string;
  /** Hex HMAC-SHA256 of `id`, or of `id LF email LF phone` when either is given (ADR 0042). */
  hash: string;
  name?: string;
  email?: string;
  phone?: string;
}

export interface WidgetTheme {
  color: string;
  position: 'right' | 'left';
  language: 'en' | 'fr' | 'de' | 'es';
  title: string;
  greeting: string;
}

export interface WidgetConfig {
  theme: WidgetTheme;
  prechatFields: { name: 'name' | 'email'; required: boolean }[];
  offlineMessage: string;
  /** Where the card form posts (ADR 0082); null: agents can't ask for a card. */
  cardTokenizationUrl?: string | null;
  online?: boolean;
}

export interface WidgetContext {
  /** The shadow root both parts draw in: the site's CSS can't reach in, ours can't leak out. */
  root: ShadowRoot;
  /** Where the widget was loaded from: the socket and uploads go there. */
  base: string;
  key: string;
  user: WidgetUser | undefined;
  config: WidgetConfig | undefined;
  launcher: HTMLButtonElement;
  /** Called by the panel when it closes (Escape or its close button). */
  onClose: () => void;
}

export interface WidgetPanel {
  open(): void;
  close(): void;
}

declare global {
  interface Window {
    /** Set by a site before the tag to identify its logged-in user (see README). */
    SwitchboardSettings?: { user?: WidgetUser };
    __switchboardPanel?: (context: WidgetContext) => WidgetPanel;
    __switchboardLoaded?: boolean;
  }
}
