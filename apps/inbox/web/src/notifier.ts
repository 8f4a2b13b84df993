import { type ConversationListItem, type Me, type NotificationSettings, type Page, api } from './api.js';
import { type LiveEvent, live } from './live.js';
import { mentions } from './mentions.js';

export const DEFAULT_SETTINGS: NotificationSettings = {
  desktop: true,
  sound: true,
  onAssigned: true,
  onCustomerMessage: true,
  onMention: true,
};

const BASE_TITLE = 'Switchboard inbox';
const REFRESH_DEBOUNCE_MS = 300;
/** Event ids alerted by any tab, remembered this long: a tab taking over alerting does not repeat them. */
const ALERTED_TTL_MS = 60_000;
/** How far back a tab that takes over alerting looks for events no tab alerted (the previous one was closing). */
const HANDOVER_MS = 10_000;

interface Alert {
  readonly eventId: string;
  readonly kind: keyof Pick<NotificationSettings, 'onAssigned' | 'onCustomerMessage' | 'onMention'>;
  readonly title: string;
  readonly body: string;
  readonly conversationId: string;
}

type ChannelMessage =
  { type: 'alerted'; eventId: string } | { type: 'settings'; settings: NotificationSettings };

/**
 * Desktop notifications, a chime and the unread count in the tab title (ADR 0111). Every tab
 * keeps its own title; exactly one tab of the browser alerts: the holder of a Web Lock, which the
 * next tab takes when it closes. The tabs tell each other on a BroadcastChannel which events were
 * alerted (so a tab taking over does not repeat one) and when the settings changed.
 */
class Notifier {
  private me: Me | null = null;
  settings: NotificationSettings = DEFAULT_SETTINGS;
  /** The agent's open conversations and their customers' names. */
  private readonly mine = new Map<string, string | null>();
  private readonly alerted = new Map<string, number>();
  private readonly settingsListeners = new Set<(settings: NotificationSettings) => void>();
  private channel: BroadcastChannel | null = null;
  private leader = false;
  private release: (() => void) | null = null;
  private offs: (() => void)[] = [];
  private refreshTimer: number | undefined;
  private audio: AudioContext | null = null;
  private unalerted: { alert: Alert; at: number }[] = [];

  start(me: Me): void {
    this.stop();
    this.me = me;
    this.channel =
      typeof BroadcastChannel === 'function' ? new BroadcastChannel(`switchboard-inbox-${me.id}`) : null;
    this.channel?.addEventListener('message', (message: MessageEvent<ChannelMessage>) =>
      this.fromTab(message.data),
    );
    this.offs = [live.on((event) => this.onEvent(event)), live.onConnected(() => this.scheduleRefresh())];
    window.addEventListener('pointerdown', this.unlockAudio);
    window.addEventListener('keydown', this.unlockAudio);
    void api<NotificationSettings>('GET', '/notification-settings')
      .then((settings) => this.useSettings(settings))
      .catch(() => undefined);
    this.refresh();
    this.lead(me.id);
  }

  stop(): void {
    this.offs.forEach((off) => off());
    this.offs = [];
    this.release?.();
    this.release = null;
    this.leader = false;
    this.channel?.close();
    this.channel = null;
    this.mine.clear();
    this.unalerted = [];
    window.clearTimeout(this.refreshTimer);
    window.removeEventListener('pointerdown', this.unlockAudio);
    window.removeEventListener('keydown', this.unlockAudio);
    this.me = null;
    document.title = BASE_TITLE;
  }

  onSettings(listener: (settings: NotificationSettings) => void): () => void {
    this.settingsListeners.add(listener);
    return () => this.settingsListeners.delete(listener);
  }

  async saveSettings(settings: NotificationSettings): Promise<void> {
    const saved = await api<NotificationSettings>('PUT', '/notification-settings', settings);
    this.useSettings(saved);
    this.channel?.postMessage({ type: 'settings', settings: saved } satisfies ChannelMessage);
  }

  /** A short two-note chime made on the spot: nothing to download. */
  chime(): void {
    const audio = this.audioContext();
    if (!audio) return;
    const t = audio.currentTime;
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.type = 'sine';
    tone.frequency.setValueAtTime(880, t);
    tone.frequency.setValueAtTime(660, t + 0.12);
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.2, t + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.35);
    tone.connect(gain).connect(audio.destination);
    tone.start(t);
    tone.stop(t + 0.4);
  }

  private useSettings(settings: NotificationSettings): void {
    this.settings = settings;
    this.settingsListeners.forEach((l) => l(settings));
  }

  /** Waits for the alerting lock for as long as this tab lives; without Web Locks (not https), every tab alerts but each event once. */
  private lead(userId: string): void {
    if (!navigator.locks) {
      this.leader = true;
      return;
    }
    void navigator.locks.request(`switchboard-inbox-alerts-${userId}`, () => {
      if (this.me?.id !== userId) return undefined;
      this.leader = true;
      const missed = this.unalerted.filter((u) => Date.now() - u.at < HANDOVER_MS);
      this.unalerted = [];
      for (const { alert } of missed) this.alert(alert);
      return new Promise<void>((resolve) => {
        this.release = () => {
          this.leader = false;
          resolve();
        };
      });
    });
  }

  private fromTab(message: ChannelMessage): void {
    if (message.type === 'alerted') this.alerted.set(message.eventId, Date.now());
    else this.useSettings(message.settings);
  }

  private onEvent({ event }: LiveEvent): void {
    const me = this.me;
    if (!me) return;
    const p = event.payload;
    const conversationId = typeof p.conversationId === 'string' ? p.conversationId : '';
    if (event.type === 'conversation.assigned') {
      if (p.agentId === me.id && !this.mine.has(conversationId)) this.mine.set(conversationId, null);
      if (p.agentId === me.id)
        this.alert({
          eventId: event.id,
          kind: 'onAssigned',
          title:
            p.mode === 'offer' ? 'A conversation is offered to you' : 'A conversation was assigned to you',
          body: this.mine.get(conversationId) ?? 'Open the inbox to see it',
          conversationId,
        });
    } else if (event.type === 'conversation.message.appended') {
      const sender = p.sender as { type?: string; id?: string; name?: string } | undefined;
      const text = typeof p.text === 'string' ? p.text : '';
      if (p.direction === 'in' && this.mine.has(conversationId))
        this.alert({
          eventId: event.id,
          kind: 'onCustomerMessage',
          title: `New message from ${this.mine.get(conversationId) ?? 'a customer'}`,
          body: text || 'An attachment',
          conversationId,
        });
      else if (p.direction === 'note' && sender?.id !== me.id && mentions(text, me.displayName))
        this.alert({
          eventId: event.id,
          kind: 'onMention',
          title: `${sender?.name ?? 'A colleague'} mentioned you`,
          body: text,
          conversationId,
        });
    }
    if (event.type !== 'conversation.activity' && event.type !== 'agent.presence.changed')
      this.scheduleRefresh();
  }

  private alert(alert: Alert): void {
    if (!this.leader) {
      // Kept a moment: if the alerting tab is closing, this one takes over and alerts what it missed.
      this.unalerted = [
        ...this.unalerted.filter((u) => Date.now() - u.at < HANDOVER_MS),
        { alert, at: Date.now() },
      ];
      return;
    }
    if (!this.settings[alert.kind] || this.alerted.has(alert.eventId)) return;
    const now = Date.now();
    this.alerted.set(alert.eventId, now);
    for (const [id, at] of this.alerted) if (now - at > ALERTED_TTL_MS) this.alerted.delete(id);
    this.channel?.postMessage({ type: 'alerted', eventId: alert.eventId } satisfies ChannelMessage);
    if (this.settings.sound) this.chime();
    if (
      this.settings.desktop &&
      typeof Notification === 'function' &&
      Notification.permission === 'granted'
    ) {
      // A notification's title and body are plain text to the browser: nothing in them is markup.
      const notification = new Notification(alert.title, {
        body: alert.body.slice(0, 200),
        tag: alert.eventId,
      });
      notification.onclick = () => {
        window.focus();
        location.hash = `#/c/${alert.conversationId}`;
        notification.close();
      };
    }
  }

  private scheduleRefresh(): void {
    window.clearTimeout(this.refreshTimer);
    this.refreshTimer = window.setTimeout(() => this.refresh(), REFRESH_DEBOUNCE_MS);
  }

  /** The agent's own open conversations: whose customers' messages alert, and the unread count in the title. */
  private refresh(): void {
    api<Page<ConversationListItem>>('GET', '/conversations?view=mine&status=open,pending')
      .then((page) => {
        if (!this.me) return;
        this.mine.clear();
        for (const item of page.items) this.mine.set(item.id, item.customerName);
        const unread = page.items.reduce((sum, item) => sum + item.unread, 0);
        document.title = unread > 0 ? `(${unread}) ${BASE_TITLE}` : BASE_TITLE;
      })
      .catch(() => undefined);
  }

  private readonly unlockAudio = () => {
    // Browsers start audio only after a gesture on the page; the first click or key unlocks the chime.
    void this.audioContext()?.resume();
  };

  private audioContext(): AudioContext | null {
    if (typeof AudioContext !== 'function') return null;
    this.audio ??= new AudioContext();
    if (this.audio.state === 'suspended') void this.audio.resume();
    return this.audio;
  }
}

export const notifier = new Notifier();
