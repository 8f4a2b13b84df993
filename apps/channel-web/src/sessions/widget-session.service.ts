import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { EventBusUnavailableError } from '@switchboard/messaging';
import { createLogger } from '@switchboard/platform';
import { AttachmentRejectedError } from '../attachments/web-attachment.service.js';
import { isValidUserHash } from '../contacts/identity-verification.util.js';
import { VisitorMergeService } from '../contacts/visitor-merge.service.js';
import { WebContactService } from '../contacts/web-contact.service.js';
import { WebInboundService } from '../inbound/web-inbound.service.js';
import { DeliveryReceiptsService } from '../outbound/delivery-receipts.service.js';
import { WidgetSettingsService } from '../settings/widget-settings.service.js';
import type { PublicWidgetConfig } from '../settings/widget-settings.js';
import { TranscriptNotifierService } from '../transcript/transcript-notifier.service.js';
import { TranscriptService } from '../transcript/transcript.service.js';
import { AgentAvailabilityService } from './agent-availability.service.js';
import { isOriginAllowed } from './origin.util.js';
import { RateLimiter } from './rate-limiter.util.js';
import { type RateLimit, SharedRateLimitsService } from './shared-rate-limits.service.js';
import { SessionRegistryService } from './session-registry.service.js';
import {
  CLOSE_IDENTITY_INVALID,
  CLOSE_ORIGIN_REFUSED,
  CLOSE_UNKNOWN_WIDGET,
  type ClientMessage,
  type HelloMessage,
  type WidgetErrorCode,
  clientMessageSchema,
} from './widget-protocol.js';
import type { WidgetSession } from './widget-session.js';

/** A fresh page shows this much of the transcript; older items stay in the store. */
const RECENT_ITEMS = 100;
const PRUNE_MS = 60_000;

/**
 * The customer side of a widget socket: who it is (visitor token or the site's HMAC), what it
 * missed, and what it sends. The gateway only hands frames over; every rule is here.
 */
// Per contact: a burst of 8 messages, then one every 2 s. Per IP (many visitors behind one NAT): a
// burst of 60, then 2 per second. New visitors per IP: a burst of 30, then one every 2 s.
const messagesPerContact = (id: string): RateLimit => ({ key: `msg:c:${id}`, burst: 8, perSecond: 0.5 });
const messagesPerIp = (ip: string): RateLimit => ({ key: `msg:ip:${ip}`, burst: 60, perSecond: 2 });
const newVisitorsPerIp = (ip: string): RateLimit => ({ key: `new:ip:${ip}`, burst: 30, perSecond: 0.5 });

@Injectable()
export class WidgetSessionService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = createLogger('channel-web.session');
  // Typing, per contact and per process: a dropped indicator costs nothing, a query per keystroke
  // would. Messages and new visitors are limited across replicas (SharedRateLimitsService).
  private readonly typingPerContact = new RateLimiter(3, 1);
  private pruneTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly settings: WidgetSettingsService,
    private readonly contacts: WebContactService,
    private readonly transcript: TranscriptService,
    private readonly inbound: WebInboundService,
    private readonly receipts: DeliveryReceiptsService,
    private readonly registry: SessionRegistryService,
    private readonly notifier: TranscriptNotifierService,
    private readonly availability: AgentAvailabilityService,
    private readonly merges: VisitorMergeService,
    private readonly limits: SharedRateLimitsService,
  ) {}

  onModuleInit(): void {
    this.pruneTimer = setInterval(() => {
      this.typingPerContact.prune();
    }, PRUNE_MS).unref();
  }

  onApplicationShutdown(): void {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
  }

  /** A socket opened on /ws/widget?key=…: refused unless the key is known and the page's origin allowed. */
  async open(session: WidgetSession, widgetKey: string | null): Promise<void> {
    this.registry.track(session);
    const site = widgetKey === null ? null : await this.settings.findSite(widgetKey);
    if (site === null) return session.close(CLOSE_UNKNOWN_WIDGET, 'unknown widget key');
    if (!isOriginAllowed(session.origin, session.host, site.allowedOrigins))
      return session.close(CLOSE_ORIGIN_REFUSED, 'origin not allowed');
    session.site = site;
  }

  closed(session: WidgetSession): void {
    session.closed = true;
    this.registry.remove(session);
  }

  /** One frame from the widget, already known to be text. */
  async receive(session: WidgetSession, raw: string): Promise<void> {
    if (session.closed) return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return this.error(session, 'bad_request', 'frames are JSON objects');
    }
    const parsed = clientMessageSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const id = typeof (json as { id?: unknown })?.id === 'string' ? (json as { id: string }).id : undefined;
      return this.error(
        session,
        'bad_request',
        `${issue?.path.join('.') || 'frame'}: ${issue?.message ?? 'invalid'}`,
        id,
      );
    }
    const message = parsed.data;
    if (message.t === 'hello') return this.hello(session, message);
    if (message.t === 'ping') return session.send({ t: 'pong' });
    if (!session.ready) return this.error(session, 'not_ready', 'say hello first');
    try {
      await this.dispatch(session, message);
    } catch (error) {
      const id = 'id' in message ? message.id : undefined;
      if (error instanceof EventBusUnavailableError)
        return this.error(session, 'unavailable', 'not sent: try again in a moment', id);
      if (error instanceof AttachmentRejectedError)
        return this.error(session, 'attachment_invalid', error.message, id);
      throw error;
    }
  }

  private async hello(session: WidgetSession, hello: HelloMessage): Promise<void> {
    const site = session.site;
    if (site === null) return this.error(session, 'not_ready', 'the widget key was not accepted');
    if (session.contact !== null) return this.error(session, 'bad_request', 'already said hello');
    let token: string | undefined;
    if (hello.user) {
      if (!isValidUserHash(site.identitySecret, hello.user, hello.user.hash)) {
        this.error(session, 'identity_invalid', 'the user hash does not match this user id, email and phone');
        return session.close(CLOSE_IDENTITY_INVALID, 'identity not verified');
      }
      session.contact = await this.contacts.resolveUser(site.workspaceId, hello.user.id, {
        ...(hello.user.name ? { name: hello.user.name } : {}),
        ...(hello.user.email ? { email: hello.user.email } : {}),
      });
      // Signed in on a browser that chatted anonymously: what it said comes along.
      if (hello.token !== undefined) await this.merges.mergeIntoUser(session.contact, hello.token);
      session.identity = hello.user;
      session.verified = {
        ...(hello.user.email ? { email: hello.user.email } : {}),
        ...(hello.user.phone ? { phone: hello.user.phone } : {}),
      };
    } else {
      const known = hello.token !== undefined;
      if (!known) {
        const wait = await this.limits.take([newVisitorsPerIp(session.ip)]);
        if (wait > 0) return this.rateLimited(session, wait);
      }
      const resolved = await this.contacts.resolveVisitor(site.workspaceId, hello.token);
      session.contact = resolved.contact;
      token = resolved.token;
    }
    const contact = session.contact;
    this.registry.join(session);
    const online = await this.availability.isOnline(site);
    const config: PublicWidgetConfig = {
      theme: site.appearance.theme,
      prechatFields: site.appearance.prechatFields,
      offlineMessage: site.appearance.offlineMessage,
      cardTokenizationUrl: site.appearance.cardTokenizationUrl ?? null,
    };
    // On the session's outbound chain: items appended meanwhile queue behind the replay and are
    // sent only if newer than what it sent.
    let lastSeqAtWelcome = 0;
    await session.deliver(async () => {
      const items =
        hello.since === undefined
          ? await this.transcript.listRecent(contact, RECENT_ITEMS)
          : await this.transcript.listAfter(contact, hello.since);
      const lastSeq = await this.transcript.lastSeq(contact);
      lastSeqAtWelcome = lastSeq;
      // Items follow the welcome from `after` on: the widget starts (or resumes) counting there.
      const after = hello.since ?? (items[0] ? items[0].seq - 1 : lastSeq);
      session.lastSentSeq = after;
      session.send({
        t: 'welcome',
        ...(token === undefined ? {} : { token }),
        contact: { name: contact.name, email: contact.email, verified: contact.userId !== null },
        config,
        online,
        lastSeq,
        after,
      });
      for (const item of items) this.registry.sendItem(session, item);
    });
    // A resume of more than a page continues until it has everything; anything appended since
    // the read was announced and queued behind it.
    if (session.lastSentSeq < lastSeqAtWelcome) await this.registry.catchUp(session);
  }

  private async dispatch(
    session: WidgetSession,
    message: Exclude<ClientMessage, HelloMessage | { t: 'ping' }>,
  ): Promise<void> {
    const site = session.site!;
    const contact = session.contact!;
    switch (message.t) {
      case 'msg':
      case 'offline': {
        const sent = await this.inbound.alreadySent(contact, message.id);
        if (sent) return session.send({ t: 'ack', id: message.id, seq: sent.seq });
        const wait = await this.limits.take([messagesPerContact(contact.id), messagesPerIp(session.ip)]);
        if (wait > 0) return this.rateLimited(session, wait, message.id);
        const text = message.text ?? null;
        const attachmentIds = message.t === 'msg' ? (message.attachments ?? []) : [];
        if (text === null && attachmentIds.length === 0)
          return this.error(session, 'bad_request', 'a message needs text or an attachment', message.id);
        const sender =
          message.t === 'offline'
            ? await this.contacts.saveProfile(contact, {
                email: message.email,
                ...(message.name ? { name: message.name } : {}),
              })
            : contact;
        session.contact = sender;
        const item = await this.inbound.send(
          site,
          sender,
          {
            clientId: message.id,
            text,
            attachmentIds,
            ...(message.t === 'offline'
              ? { offline: { email: message.email, ...(message.name ? { name: message.name } : {}) } }
              : {}),
          },
          session.verified,
        );
        return session.send({ t: 'ack', id: message.id, seq: item.seq });
      }
      case 'prechat': {
        session.contact = await this.contacts.saveProfile(contact, {
          ...(message.name ? { name: message.name } : {}),
          ...(message.email ? { email: message.email } : {}),
        });
        return session.send({ t: 'profile', name: session.contact.name, email: session.contact.email });
      }
      case 'typing': {
        if (this.typingPerContact.take(contact.id) > 0) return;
        await this.inbound
          .activity(contact, message.typing ? 'typing' : 'stopped_typing')
          .catch((error: unknown) => {
            // Typing is ephemeral: lost is fine, failing the socket is not.
            this.logger.debug({ err: error }, 'typing not published');
          });
        return;
      }
      case 'read': {
        const marked = await this.transcript.markReadByCustomer(contact, message.seq);
        if (marked.length === 0) return;
        await this.receipts.publish(contact.workspaceId, site.widgetKey, 'read', marked);
        await this.inbound.activity(contact, 'read');
        await this.notifier.notify({ kind: 'customer-read', contactId: contact.id, upToSeq: message.seq });
        return;
      }
      case 'csat': {
        const rated = await this.inbound.rate(
          site,
          contact,
          message.conversationId,
          message.rating,
          message.comment,
        );
        if (!rated) return this.error(session, 'bad_request', 'no rating was asked for this conversation');
        session.send({ t: 'csat-ok', conversationId: message.conversationId });
        // The contact's other tabs stop asking too.
        return this.notifier.notify({
          kind: 'csat-answered',
          contactId: contact.id,
          conversationId: message.conversationId,
        });
      }
      case 'card': {
        const sent = await this.inbound.alreadySent(contact, message.id);
        if (sent) {
          // A retry after the ack was lost: the form may not have been marked yet.
          await this.inbound.markFormSubmitted(contact, message.formId);
          return session.send({ t: 'ack', id: message.id, seq: sent.seq });
        }
        const wait = await this.limits.take([messagesPerContact(contact.id), messagesPerIp(session.ip)]);
        if (wait > 0) return this.rateLimited(session, wait, message.id);
        const item = await this.inbound.submitCard(site, contact, message, session.verified);
        if (item === null)
          return this.error(session, 'bad_request', 'no open card form with this id', message.id);
        return session.send({ t: 'ack', id: message.id, seq: item.seq });
      }
      case 'resume': {
        await session.deliver(() => {
          session.lastSentSeq = Math.min(session.lastSentSeq, message.since);
        });
        return this.registry.catchUp(session);
      }
    }
  }

  private rateLimited(session: WidgetSession, retryAfterMs: number, id?: string): void {
    session.send({
      t: 'error',
      code: 'rate_limited',
      message: `Too many messages: wait ${Math.ceil(retryAfterMs / 1000)} s`,
      retryAfterMs,
      ...(id === undefined ? {} : { id }),
    });
  }

  private error(session: WidgetSession, code: WidgetErrorCode, message: string, id?: string): void {
    session.send({ t: 'error', code, message, ...(id === undefined ? {} : { id }) });
  }
}
