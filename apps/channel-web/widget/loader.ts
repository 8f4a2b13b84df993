/**
 * widget.js: the one tag a site embeds. Draws the launcher only (fixed, so nothing on the page
 * moves), and loads the panel the first time it is opened. Kept tiny: it is on every page view.
 */
import { textOnBrand } from './brand-colour.js';
import type { WidgetConfig, WidgetContext, WidgetPanel, WidgetUser } from './widget-context.js';

declare const PANEL_VERSION: string;

(() => {
  const script = document.currentScript as HTMLScriptElement | null;
  if (!script || window.__switchboardLoaded) return;
  window.__switchboardLoaded = true;
  const key = script.dataset.workspace ?? '';
  const base = new URL(script.src).origin;
  const data = script.dataset;
  const user: WidgetUser | undefined =
    window.SwitchboardSettings?.user ??
    (data.userId && data.userHash
      ? {
          id: data.userId,
          hash: data.userHash,
          name: data.userName,
          email: data.userEmail,
          phone: data.userPhone,
        }
      : undefined);
  const openKey = `sb:${key}:open`;

  const host = document.createElement('div');
  host.setAttribute('data-switchboard', '');
  const root = host.attachShadow({ mode: 'open' });
  const style = document.createElement('style');
  style.textContent =
    '.l{position:fixed;bottom:20px;right:20px;z-index:2147483000;width:56px;height:56px;border:0;border-radius:50%;' +
    'background:var(--sb,#2563eb);color:var(--sbf,#fff);cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);display:grid;place-items:center}' +
    '.l.left{right:auto;left:20px}.l:focus-visible{outline:3px solid #111;outline-offset:3px}.l svg{width:28px;height:28px;fill:currentColor}';
  const launcher = document.createElement('button');
  launcher.className = 'l';
  launcher.type = 'button';
  launcher.setAttribute('aria-label', 'Open chat');
  launcher.setAttribute('aria-expanded', 'false');
  launcher.innerHTML =
    '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>';
  root.append(style, launcher);

  let config: WidgetConfig | undefined;
  let panel: WidgetPanel | undefined;
  let loading: Promise<void> | undefined;
  let isOpen = false;

  const loadPanel = () =>
    (loading ??= new Promise<void>((resolve, reject) => {
      const tag = document.createElement('script');
      tag.src = `${base}/widget/panel.js?v=${PANEL_VERSION}`;
      tag.async = true;
      tag.onload = () => resolve();
      tag.onerror = () => {
        loading = undefined;
        reject(new Error('panel'));
      };
      document.head.append(tag);
    }));

  const open = async () => {
    isOpen = true;
    sessionStorage.setItem(openKey, '1');
    launcher.setAttribute('aria-expanded', 'true');
    try {
      await loadPanel();
    } catch {
      return;
    }
    const context: WidgetContext = { root, base, key, user, config, launcher, onClose: close };
    panel ??= window.__switchboardPanel?.(context);
    if (isOpen) panel?.open();
  };
  const close = () => {
    isOpen = false;
    sessionStorage.removeItem(openKey);
    launcher.setAttribute('aria-expanded', 'false');
    panel?.close();
    launcher.focus();
  };
  launcher.addEventListener('click', () => (isOpen ? close() : void open()));

  fetch(`${base}/widget/config?key=${encodeURIComponent(key)}`)
    .then((r) => {
      // A key this page may not use (unknown, or an origin the workspace did not allow): no bubble at all.
      if (r.status === 403 || r.status === 404) host.remove();
      return r.ok ? (r.json() as Promise<WidgetConfig>) : undefined;
    })
    .then((c) => {
      if (!c) return;
      config = c;
      launcher.style.setProperty('--sb', c.theme.color);
      launcher.style.setProperty('--sbf', textOnBrand(c.theme.color));
      if (c.theme.position === 'left') launcher.classList.add('left');
      launcher.setAttribute('aria-label', c.theme.title);
    })
    .catch(() => undefined);

  const attach = () => {
    document.body.append(host);
    // A tab reloaded with the chat open reopens it (and shows the conversation so far).
    if (sessionStorage.getItem(openKey)) void open();
  };
  if (document.body) attach();
  else document.addEventListener('DOMContentLoaded', attach);
})();
