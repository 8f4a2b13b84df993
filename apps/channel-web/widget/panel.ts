/**
 * panel.js: the chat itself, loaded the first time the customer opens the widget. Everything shown
 * is set with textContent (never innerHTML from data): a message is text, whatever it contains.
 */
import { textOnBrand } from './brand-colour.js';
import { STRINGS, type Strings } from './panel-strings.js';
import type { ServerMessage } from '../src/sessions/widget-protocol.js';
import type { TranscriptAttachment, TranscriptItem } from '../src/transcript/transcript-item.js';
import type { WidgetConfig, WidgetContext, WidgetPanel } from './widget-context.js';

// The server's own definitions of what it sends (type-only: nothing of the server is bundled).
type Attachment = TranscriptAttachment;
type Item = TranscriptItem;

const CSS = `
:host{all:initial}
.p{position:fixed;bottom:88px;right:20px;z-index:2147483000;width:370px;height:560px;max-height:calc(100vh - 110px);display:flex;flex-direction:column;background:#fff;color:#111827;border-radius:14px;box-shadow:0 10px 40px rgba(0,0,0,.25);font:15px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;overflow:hidden}
.p.left{right:auto;left:20px}.p[hidden]{display:none}
.h{background:var(--sb,#2563eb);color:var(--sbf,#fff);padding:14px 48px 14px 16px;position:relative}
.h h2{margin:0;font-size:17px}.h p{margin:4px 0 0;font-size:13px}
.x{position:absolute;top:10px;right:10px;width:32px;height:32px;border:0;border-radius:50%;background:transparent;color:inherit;font-size:22px;cursor:pointer}
button:focus-visible,textarea:focus-visible,input:focus-visible,.log:focus-visible{outline:3px solid #111;outline-offset:2px}
.st{background:#fef3c7;color:#92400e;font-size:13px;padding:4px 12px}.st:empty{display:none}
.log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px}
.m{max-width:82%;display:flex;flex-direction:column}.m.in{align-self:flex-end;align-items:flex-end}.m.out{align-self:flex-start}
.b{padding:8px 12px;border-radius:14px;white-space:pre-wrap;overflow-wrap:anywhere;background:#f3f4f6}
.in .b{background:var(--sb,#2563eb);color:var(--sbf,#fff)}
.a{display:flex;align-items:center;gap:6px;font-size:12px;color:#4b5563;margin-bottom:2px}
.av{width:22px;height:22px;border-radius:50%;background:#6b7280;color:#fff;display:grid;place-items:center;font-size:11px;font-weight:600}
.mt{font-size:11px;color:#6b7280;margin-top:2px}.err .mt{color:#b91c1c}
.f{display:block;margin-top:4px;max-width:220px;border-radius:8px}
.fb{margin-top:4px;border:1px solid #d1d5db;background:#fff;border-radius:8px;padding:4px 8px;cursor:pointer;font:inherit;font-size:13px;color:inherit}
.t{font-size:12px;color:#6b7280;padding:0 12px;min-height:16px}
form{display:flex;flex-direction:column;gap:8px;padding:12px;border-top:1px solid #e5e7eb}form[hidden]{display:none}
form.c{flex-direction:row;align-items:flex-end}
label{font-size:13px;display:flex;flex-direction:column;gap:2px}
textarea,input{font:inherit;border:1px solid #d1d5db;border-radius:8px;padding:8px;color:inherit;background:#fff}
textarea{resize:none;flex:1;min-height:22px;max-height:120px}
.s{border:0;border-radius:8px;padding:8px 14px;background:var(--sb,#2563eb);color:var(--sbf,#fff);cursor:pointer;font:inherit}
.i{border:0;background:transparent;cursor:pointer;padding:6px;color:#4b5563;display:grid;place-items:center}.i svg{display:block}
.cs{align-self:stretch;border:1px solid #e5e7eb;border-radius:12px;padding:10px}
.cs p{margin:0 0 6px}.r{display:flex;gap:4px}.r button{flex:1;border:1px solid #d1d5db;border-radius:8px;background:#fff;padding:6px 0;cursor:pointer;font:inherit}
.r button[aria-pressed=true]{background:var(--sb,#2563eb);color:var(--sbf,#fff)}
.cs textarea{width:100%;box-sizing:border-box;margin:6px 0}
.bb{display:flex;flex-wrap:wrap;align-items:center;gap:6px;padding:6px 12px;border-top:1px solid #e5e7eb;font-size:13px}
.bb .q{display:flex;align-items:center;gap:6px}.bb[hidden],.bb [hidden]{display:none}.bb button{border:1px solid #d1d5db;border-radius:8px;background:#fff;padding:4px 10px;cursor:pointer;font:inherit;color:inherit}
.cf input{display:block;width:100%;box-sizing:border-box;margin:2px 0 6px}.cf .ce{color:#b91c1c;font-size:13px}.cf .ce:empty{display:none}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
@media (max-width:480px){.p,.p.left{inset:0;width:auto;height:auto;max-height:none;border-radius:0}}
`;

const CLOSE_REFUSED = [4001, 4003, 4004];
const ALLOWED_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf'];
const MAX_FILE = 10 * 1024 * 1024;

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The Luhn checksum every card number carries: catches a mistyped digit before anything is sent. */
function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

function cardBrand(digits: string): 'visa' | 'mastercard' | 'amex' | 'discover' | 'other' {
  if (digits.startsWith('4')) return 'visa';
  if (/^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))/.test(digits)) return 'mastercard';
  if (/^3[47]/.test(digits)) return 'amex';
  if (/^(6011|65|64[4-9])/.test(digits)) return 'discover';
  return 'other';
}

/** A paperclip (stroke icon, 20 px, the button's colour), built node by node: no markup parsed. */
function paperclipIcon(): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  for (const [name, value] of Object.entries({
    viewBox: '0 0 24 24',
    width: '20',
    height: '20',
    fill: 'none',
    stroke: 'currentColor',
    'stroke-width': '2',
    'stroke-linecap': 'round',
    'stroke-linejoin': 'round',
    'aria-hidden': 'true',
    focusable: 'false',
  }))
    svg.setAttribute(name, value);
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute(
    'd',
    'M21.44 11.05l-9.19 9.19a6 6 0 0 1-8.49-8.49l9.19-9.19a4 4 0 0 1 5.66 5.66l-9.2 9.19a2 2 0 0 1-2.83-2.83l8.49-8.48',
  );
  svg.append(path);
  return svg;
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  cls?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A v4 uuid: crypto.randomUUID exists only on https pages and localhost. */
function uuid(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function initials(name: string | null): string {
  const parts = (name ?? '?').trim().split(/\s+/);
  return ((parts[0]?.[0] ?? '?') + (parts.length > 1 ? (parts.at(-1)?.[0] ?? '') : '')).toUpperCase();
}

function createPanel(ctx: WidgetContext): WidgetPanel {
  const tokenKey = `sb:${ctx.key}:token`;
  const prechatKey = `sb:${ctx.key}:prechat`;
  let s: Strings = STRINGS.en;
  let config = ctx.config;
  let ws: WebSocket | undefined;
  let welcomed = false;
  let everWelcomed = false;
  let lastSeq = 0;
  let lastOutSeq = 0;
  let readSent = 0;
  let retry = 0;
  let refused = false;
  let isOpen = false;
  let typingSentAt = 0;
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  let typingClear: ReturnType<typeof setTimeout> | undefined;
  const pending = new Map<string, { row: HTMLElement; frame: object }>();
  const ownRows = new Map<string, HTMLElement>();

  const style = el('style');
  style.textContent = CSS;
  const panel = el('div', 'p');
  panel.hidden = true;
  panel.setAttribute('role', 'dialog');
  const header = el('div', 'h');
  const title = el('h2');
  title.id = 'sb-title';
  panel.setAttribute('aria-labelledby', 'sb-title');
  const greeting = el('p');
  const closeButton = el('button', 'x', '×');
  closeButton.type = 'button';
  header.append(title, greeting, closeButton);
  const status = el('div', 'st');
  status.setAttribute('role', 'status');
  const log = el('div', 'log');
  log.setAttribute('role', 'log');
  log.setAttribute('aria-live', 'polite');
  log.tabIndex = 0;
  const typing = el('div', 't');
  typing.setAttribute('aria-live', 'polite');
  // While the bot holds the conversation: "Did this answer your question?" under its last answer,
  // and a way to a person. The replies go as the customer's messages, as they would by SMS.
  const botBar = el('div', 'bb');
  botBar.hidden = true;
  const feedback = el('div', 'q');
  feedback.setAttribute('role', 'group');
  const feedbackQuestion = el('span');
  const yesButton = el('button');
  yesButton.type = 'button';
  const noButton = el('button');
  noButton.type = 'button';
  feedback.append(feedbackQuestion, yesButton, noButton);
  const personButton = el('button');
  personButton.type = 'button';
  botBar.append(feedback, personButton);

  const prechat = el('form');
  prechat.hidden = true;
  const offline = el('form');
  offline.hidden = true;
  const composer = el('form', 'c');
  const input = el('textarea');
  input.rows = 1;
  const file = el('input');
  file.type = 'file';
  file.accept = ALLOWED_TYPES.join(',');
  file.hidden = true;
  // An inline icon, not an emoji: a page without an emoji font showed an empty box.
  const attach = el('button', 'i');
  attach.type = 'button';
  attach.append(paperclipIcon());
  const sendButton = el('button', 's');
  sendButton.type = 'submit';
  composer.append(attach, file, input, sendButton);
  panel.append(header, status, log, typing, botBar, prechat, offline, composer);
  ctx.root.append(style, panel);

  const applyConfig = (c: WidgetConfig) => {
    config = c;
    s = STRINGS[c.theme.language] ?? STRINGS.en;
    title.textContent = c.theme.title;
    greeting.textContent = c.theme.greeting;
    panel.style.setProperty('--sb', c.theme.color);
    panel.style.setProperty('--sbf', textOnBrand(c.theme.color));
    panel.classList.toggle('left', c.theme.position === 'left');
    closeButton.setAttribute('aria-label', s.close);
    input.setAttribute('aria-label', s.message);
    input.placeholder = s.message;
    attach.setAttribute('aria-label', s.attach);
    sendButton.textContent = s.send;
    feedbackQuestion.textContent = s.helped;
    feedback.setAttribute('aria-label', s.helped);
    yesButton.textContent = s.yes;
    noButton.textContent = s.no;
    personButton.textContent = s.person;
  };
  if (config) applyConfig(config);

  const authHeaders = (): Record<string, string> =>
    ctx.user
      ? {
          'x-user-id': ctx.user.id,
          'x-user-hash': ctx.user.hash,
          // The hash covers them too (ADR 0042).
          ...(ctx.user.email ? { 'x-user-email': ctx.user.email } : {}),
          ...(ctx.user.phone ? { 'x-user-phone': ctx.user.phone } : {}),
        }
      : { 'x-visitor-token': localStorage.getItem(tokenKey) ?? '' };

  const frame = (message: object) => {
    if (ws && welcomed && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
  };

  const scroll = () => {
    log.scrollTop = log.scrollHeight;
  };

  const sendRead = () => {
    if (isOpen && document.visibilityState === 'visible' && lastOutSeq > readSent && welcomed) {
      readSent = lastOutSeq;
      frame({ t: 'read', seq: lastOutSeq });
    }
  };

  const fetchAttachment = async (a: Attachment): Promise<string> => {
    const response = await fetch(
      `${ctx.base}/widget/attachments/${encodeURIComponent(a.id)}?key=${encodeURIComponent(ctx.key)}`,
      {
        headers: authHeaders(),
      },
    );
    if (!response.ok) throw new Error(String(response.status));
    return URL.createObjectURL(await response.blob());
  };

  const renderAttachments = (bubble: HTMLElement, attachments: readonly Attachment[]) => {
    for (const a of attachments) {
      if (a.contentType.startsWith('image/') && !a.id.includes('/')) {
        const img = el('img', 'f');
        img.alt = a.fileName ?? '';
        fetchAttachment(a).then(
          (url) => (img.src = url),
          () => (img.alt = `${a.fileName ?? ''} ⚠`),
        );
        bubble.append(img);
      } else {
        const button = el('button', 'fb', `📄 ${a.fileName ?? a.contentType}`);
        button.type = 'button';
        if (a.id.includes('/')) button.disabled = true;
        button.addEventListener('click', () => {
          fetchAttachment(a).then(
            (url) => window.open(url, '_blank', 'noopener'),
            () => undefined,
          );
        });
        bubble.append(button);
      }
    }
  };

  const messageRow = (dir: 'in' | 'out', text: string | null, author: Item['author']) => {
    const row = el('div', `m ${dir}`);
    if (dir === 'out' && author) {
      const who = el('div', 'a');
      const avatar = el('span', 'av', initials(author.name));
      avatar.setAttribute('aria-hidden', 'true');
      who.append(avatar, el('span', '', author.name ?? ''));
      row.append(who);
    } else {
      row.append(el('span', 'sr', dir === 'in' ? s.you : ''));
    }
    const bubble = el('div', 'b');
    if (text) bubble.textContent = text;
    row.append(bubble, el('div', 'mt'));
    return row;
  };

  /**
   * Where the server's next item goes: above the customer's own messages it has not confirmed yet.
   * Those wait at the bottom (typed during a drop, say) and take their place in the server's
   * order when it confirms them, so the widget shows what the agent's inbox shows.
   */
  const place = (...nodes: HTMLElement[]) => {
    const firstUnconfirmed = log.querySelector(':scope > [data-unconfirmed]');
    if (firstUnconfirmed) firstUnconfirmed.before(...nodes);
    else log.append(...nodes);
  };

  const meta = (row: HTMLElement, text: string, error = false) => {
    row.classList.toggle('err', error);
    const m = row.querySelector('.mt');
    if (m) m.textContent = text;
  };

  const csatBlock = (item: Item) => {
    const box = el('div', 'cs');
    box.append(el('p', '', s.rate));
    const row = el('div', 'r');
    row.setAttribute('role', 'group');
    row.setAttribute('aria-label', s.rate);
    let rating = 0;
    const buttons = [1, 2, 3, 4, 5].map((n) => {
      const b = el('button', '', `${'★'.repeat(n)}`);
      b.type = 'button';
      b.setAttribute('aria-label', s.stars(n));
      b.setAttribute('aria-pressed', 'false');
      b.addEventListener('click', () => {
        rating = n;
        for (const other of buttons) other.setAttribute('aria-pressed', String(other === b));
      });
      return b;
    });
    row.append(...buttons);
    const comment = el('textarea');
    comment.setAttribute('aria-label', s.comment);
    comment.placeholder = s.comment;
    comment.maxLength = 2000;
    const submit = el('button', 's', s.submit);
    submit.type = 'button';
    submit.addEventListener('click', () => {
      if (rating === 0) return buttons[0]!.focus();
      frame({
        t: 'csat',
        conversationId: item.conversationId,
        rating,
        ...(comment.value.trim() ? { comment: comment.value.trim() } : {}),
      });
    });
    box.dataset.conversation = item.conversationId ?? '';
    box.append(row, comment, submit);
    return box;
  };

  /**
   * The card form an agent or the bot asked for (ADR 0082). Its values never enter a frame: they
   * go to the workspace's tokenization endpoint, and only the token, last four and brand to us.
   */
  const cardBlock = (item: Item, url: string) => {
    const box = el('div', 'cs cf');
    box.append(el('p', '', s.cardTitle));
    const input = (label: string, autocomplete: AutoFill, maxLength: number) => {
      const wrap = el('label', '', label);
      const control = el('input');
      control.inputMode = 'numeric';
      control.autocomplete = autocomplete;
      control.maxLength = maxLength;
      wrap.append(control);
      box.append(wrap);
      return control;
    };
    const number = input(s.cardNumber, 'cc-number', 23);
    const expiry = input(s.cardExpiry, 'cc-exp', 7);
    expiry.placeholder = 'MM/YY';
    const cvc = input(s.cardCvc, 'cc-csc', 4);
    const problem = el('p', 'ce');
    problem.setAttribute('role', 'alert');
    const submit = el('button', 's', s.cardSubmit);
    submit.type = 'button';
    box.append(problem, submit);
    submit.addEventListener('click', () => {
      const digits = number.value.replace(/[\s-]/g, '');
      const exp = /^(\d{1,2})\s*\/\s*(\d{2}|\d{4})$/.exec(expiry.value.trim());
      const month = exp ? Number(exp[1]) : 0;
      const year = exp ? (exp[2]!.length === 2 ? 2000 + Number(exp[2]) : Number(exp[2])) : 0;
      const now = new Date();
      const expired = year < now.getFullYear() || (year === now.getFullYear() && month < now.getMonth() + 1);
      if (
        !/^\d{12,19}$/.test(digits) ||
        !luhnValid(digits) ||
        month < 1 ||
        month > 12 ||
        expired ||
        !/^\d{3,4}$/.test(cvc.value)
      ) {
        problem.textContent = s.cardInvalid;
        return;
      }
      problem.textContent = '';
      submit.disabled = true;
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ number: digits, expMonth: month, expYear: year, cvc: cvc.value }),
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
        cache: 'no-store',
      })
        .then(async (response) => {
          const body: unknown = response.ok ? await response.json() : null;
          const token = (body as { token?: unknown } | null)?.token;
          if (typeof token !== 'string' || token.length === 0) throw new Error(String(response.status));
          const last4 = digits.slice(-4);
          number.value = expiry.value = cvc.value = '';
          box.remove();
          const id = uuid();
          const text = `Card •••• ${last4} submitted`;
          queue(
            id,
            { t: 'card', id, formId: item.id, token, last4, brand: cardBrand(digits) },
            messageRow('in', text, null),
          );
        })
        .catch(() => {
          problem.textContent = s.cardFailed;
          submit.disabled = false;
        });
    });
    return box;
  };

  const addItem = (item: Item) => {
    if (item.seq <= lastSeq) return;
    if (item.seq > lastSeq + 1) {
      // A gap: ask again from what we have rather than show out of order.
      frame({ t: 'resume', since: lastSeq });
      return;
    }
    lastSeq = item.seq;
    showBotBar(item);
    if (item.kind === 'bot' || item.kind === 'bot_released') {
      // Only the bar: routing holds (or let go of) the conversation for a bot; nothing in the log.
    } else if (item.kind === 'csat') {
      // Already rated (in another tab, before a reload, on another device): thank, don't ask again.
      if (item.answered) {
        const box = el('div', 'cs');
        box.append(el('p', '', s.thanks));
        place(box);
      } else place(csatBlock(item));
    } else if (item.dir === 'in') {
      let row = ownRows.get(item.id);
      if (!row) {
        row = messageRow('in', item.text, null);
        renderAttachments(row.querySelector('.b')!, item.attachments);
        ownRows.set(item.id, row);
      }
      delete row.dataset.unconfirmed;
      place(row);
      pending.delete(item.id);
      row.dataset.seq = String(item.seq);
      meta(row, item.readAt ? s.seen : '');
    } else {
      const row = messageRow('out', item.text, item.author);
      renderAttachments(row.querySelector('.b')!, item.attachments);
      place(row);
      const url = config?.cardTokenizationUrl;
      if (item.form?.kind === 'card' && !item.form.submitted && url) place(cardBlock(item, url));
      lastOutSeq = item.seq;
      typing.textContent = '';
    }
    scroll();
    sendRead();
  };

  /** The bar follows the transcript, so a reload (which replays it) shows the same. */
  const showBotBar = (item: Item) => {
    if (item.kind === 'bot') {
      // Held for a bot (ADR 0083): a person is one click away before any answer, too.
      if (botBar.hidden) {
        botBar.hidden = false;
        feedback.hidden = true;
      }
    } else if (
      item.kind === 'csat' ||
      item.kind === 'bot_released' ||
      (item.dir === 'out' && item.author?.type !== 'bot')
    ) {
      // It left the bot, an agent wrote, or the conversation ended: the bot no longer holds it.
      botBar.hidden = true;
    } else if (item.dir === 'out' && item.author?.botAnswer) {
      botBar.hidden = false;
      feedback.hidden = false;
    } else {
      // The customer wrote (the question was about the answer before), or the bot wrote
      // something other than an answer (an external bot's reply, the hand-off notice): no
      // question about it; the way to a person stays until the bot lets go.
      feedback.hidden = true;
    }
  };

  const say = (text: string) => {
    const id = uuid();
    queue(id, { t: 'msg', id, text }, messageRow('in', text, null));
  };
  yesButton.addEventListener('click', () => say(s.yesText));
  noButton.addEventListener('click', () => say(s.noText));
  personButton.addEventListener('click', () => {
    botBar.hidden = true;
    say(s.personText);
  });

  const showForms = (
    online: boolean,
    fresh: boolean,
    contact: { name: string | null; email: string | null },
  ) => {
    const fields = config?.prechatFields ?? [];
    const needsPrechat =
      fresh &&
      online &&
      !ctx.user &&
      fields.length > 0 &&
      !contact.name &&
      !contact.email &&
      !sessionStorage.getItem(prechatKey);
    prechat.hidden = !needsPrechat;
    offline.hidden = online || !fresh;
    composer.hidden = needsPrechat || !offline.hidden;
    if (needsPrechat) buildPrechat(fields);
    if (!offline.hidden) buildOffline();
  };

  const field = (label: string, type: string, required: boolean, name: string) => {
    const wrap = el('label', '', label);
    const control = type === 'textarea' ? el('textarea') : el('input');
    if (control instanceof HTMLInputElement) control.type = type;
    control.name = name;
    control.required = required;
    wrap.append(control);
    return wrap;
  };

  const buildPrechat = (fields: WidgetConfig['prechatFields']) => {
    prechat.replaceChildren(
      ...fields.map((f) =>
        field(
          f.name === 'name' ? s.name : s.email,
          f.name === 'email' ? 'email' : 'text',
          f.required,
          f.name,
        ),
      ),
    );
    const start = el('button', 's', s.start);
    start.type = 'submit';
    prechat.append(start);
  };

  const buildOffline = () => {
    offline.replaceChildren(
      el('p', '', config?.offlineMessage ?? ''),
      field(s.name, 'text', false, 'name'),
      field(s.email, 'email', true, 'email'),
      field(s.message, 'textarea', true, 'text'),
    );
    const send = el('button', 's', s.offlineSend);
    send.type = 'submit';
    offline.append(send);
  };

  const value = (form: HTMLFormElement, name: string) =>
    ((form.elements.namedItem(name) as HTMLInputElement | null)?.value ?? '').trim();

  prechat.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = value(prechat, 'name');
    const email = value(prechat, 'email');
    if (name || email) frame({ t: 'prechat', ...(name ? { name } : {}), ...(email ? { email } : {}) });
    sessionStorage.setItem(prechatKey, '1');
    prechat.hidden = true;
    composer.hidden = false;
    input.focus();
  });

  offline.addEventListener('submit', (event) => {
    event.preventDefault();
    const id = uuid();
    const text = value(offline, 'text');
    const name = value(offline, 'name');
    const message = { t: 'offline', id, email: value(offline, 'email'), text, ...(name ? { name } : {}) };
    queue(id, message, messageRow('in', text, null));
    offline.hidden = true;
    composer.hidden = false;
    status.textContent = s.sent;
    setTimeout(() => (status.textContent = ''), 5000);
  });

  const queue = (id: string, message: object, row: HTMLElement) => {
    ownRows.set(id, row);
    row.dataset.unconfirmed = '';
    meta(row, s.sending);
    log.append(row);
    scroll();
    pending.set(id, { row, frame: message });
    frame(message);
  };

  composer.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    const id = uuid();
    queue(id, { t: 'msg', id, text }, messageRow('in', text, null));
    stopTyping();
  });

  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      composer.requestSubmit();
    }
  });

  const stopTyping = () => {
    if (typingTimer) clearTimeout(typingTimer);
    typingTimer = undefined;
    if (typingSentAt) frame({ t: 'typing', typing: false });
    typingSentAt = 0;
  };
  input.addEventListener('input', () => {
    if (Date.now() - typingSentAt > 2000) {
      typingSentAt = Date.now();
      frame({ t: 'typing', typing: true });
    }
    if (typingTimer) clearTimeout(typingTimer);
    typingTimer = setTimeout(stopTyping, 3000);
  });

  attach.addEventListener('click', () => file.click());
  file.addEventListener('change', () => {
    const chosen = file.files?.[0];
    file.value = '';
    if (!chosen) return;
    const id = uuid();
    const row = messageRow('in', null, null);
    row.querySelector('.b')!.textContent = `📄 ${chosen.name}`;
    ownRows.set(id, row);
    row.dataset.unconfirmed = '';
    log.append(row);
    if (!ALLOWED_TYPES.includes(chosen.type) || chosen.size > MAX_FILE) {
      delete row.dataset.unconfirmed;
      return meta(row, `${chosen.type || '?'}: ✗`, true);
    }
    meta(row, s.sending);
    fetch(`${ctx.base}/widget/attachments?key=${encodeURIComponent(ctx.key)}`, {
      method: 'POST',
      headers: {
        ...authHeaders(),
        'content-type': chosen.type,
        'x-file-name': encodeURIComponent(chosen.name),
      },
      body: chosen,
    })
      .then(async (response) => {
        const body = (await response.json()) as { id?: string; message?: string };
        if (!response.ok || !body.id) throw new Error(body.message ?? String(response.status));
        const message = { t: 'msg', id, attachments: [body.id] };
        pending.set(id, { row, frame: message });
        frame(message);
      })
      .catch((error: Error) => {
        delete row.dataset.unconfirmed;
        meta(row, error.message, true);
      });
  });

  closeButton.addEventListener('click', () => ctx.onClose());
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') ctx.onClose();
  });
  document.addEventListener('visibilitychange', sendRead);

  const handle = (m: ServerMessage) => {
    switch (m.t) {
      case 'welcome': {
        if (m.token) localStorage.setItem(tokenKey, m.token);
        // Merged into the user by this hello: signing out later starts a new visitor.
        else if (m.contact.verified) localStorage.removeItem(tokenKey);
        applyConfig(m.config);
        const fresh = !everWelcomed;
        if (fresh) {
          log.replaceChildren();
          lastSeq = m.after;
        }
        everWelcomed = welcomed = true;
        retry = 0;
        status.textContent = '';
        showForms(m.online, fresh && m.lastSeq === 0, m.contact);
        for (const { frame: pendingFrame } of pending.values()) frame(pendingFrame);
        return;
      }
      case 'item':
        return addItem(m.item);
      case 'ack': {
        const entry = pending.get(m.id);
        pending.delete(m.id);
        if (entry) meta(entry.row, '');
        return;
      }
      case 'error': {
        const entry = m.id ? pending.get(m.id) : undefined;
        if (!entry) {
          status.textContent = m.message;
          setTimeout(() => (status.textContent = ''), 4000);
          return;
        }
        if (m.code === 'rate_limited' || m.code === 'unavailable') {
          meta(entry.row, `${s.failed} ${m.code === 'rate_limited' ? m.message : ''}`, true);
          setTimeout(() => pending.has(m.id!) && frame(entry.frame), m.retryAfterMs ?? 2000);
        } else {
          pending.delete(m.id!);
          // Refused for good: it will never take a place in the server's order.
          delete entry.row.dataset.unconfirmed;
          meta(entry.row, m.message, true);
        }
        return;
      }
      case 'typing':
        typing.textContent = m.typing ? s.typing(m.name ?? s.someone) : '';
        if (typingClear) clearTimeout(typingClear);
        typingClear = setTimeout(() => (typing.textContent = ''), 8000);
        return;
      case 'seen':
        for (const row of ownRows.values()) if (Number(row.dataset.seq) <= m.upToSeq) meta(row, s.seen);
        return;
      case 'read':
        readSent = Math.max(readSent, m.upToSeq);
        return;
      case 'csat-ok':
        for (const box of log.querySelectorAll<HTMLElement>('.cs'))
          if (box.dataset.conversation === m.conversationId) box.replaceChildren(el('p', '', s.thanks));
        return;
      case 'profile':
      case 'pong':
        return;
    }
  };

  const connect = () => {
    if (refused) return;
    const socket = new WebSocket(
      `${ctx.base.replace(/^http/, 'ws')}/ws/widget?key=${encodeURIComponent(ctx.key)}`,
    );
    ws = socket;
    socket.onopen = () => {
      const token = localStorage.getItem(tokenKey);
      socket.send(
        JSON.stringify({
          t: 'hello',
          // A signed-in user's hello carries the browser's visitor token: its anonymous chat comes along.
          ...(ctx.user ? { user: ctx.user } : {}),
          ...(token ? { token } : {}),
          ...(everWelcomed ? { since: lastSeq } : {}),
        }),
      );
    };
    socket.onmessage = (event) => {
      try {
        handle(JSON.parse(String(event.data)) as ServerMessage);
      } catch {
        // A frame we can't read is skipped; the next resume fills any gap.
      }
    };
    socket.onclose = (event) => {
      welcomed = false;
      if (ws !== socket) return;
      if (CLOSE_REFUSED.includes(event.code)) {
        refused = true;
        status.textContent = s.refused;
        return;
      }
      status.textContent = s.reconnecting;
      retry += 1;
      const delay = Math.min(10_000, 400 * 2 ** Math.min(retry, 5)) * (0.5 + Math.random() / 2);
      setTimeout(connect, delay);
    };
  };

  return {
    open() {
      isOpen = true;
      panel.hidden = false;
      if (!ws) connect();
      (composer.hidden
        ? panel.querySelector<HTMLElement>('form:not([hidden]) input, form:not([hidden]) textarea')
        : input
      )?.focus();
      sendRead();
    },
    close() {
      isOpen = false;
      panel.hidden = true;
    },
  };
}

window.__switchboardPanel = createPanel;
