import { Suspense, lazy, useCallback, useEffect, useState } from 'react';
import { type Me, api, setCsrfToken, whenSignedOut } from './api.js';
import { AdminPage } from './AdminPage.js';
import { ContactsPage } from './ContactsPage.js';
import { InboxPage } from './InboxPage.js';
import { OperatorPage } from './OperatorPage.js';
import { ConnectionStatus } from './ConnectionStatus.js';
import { live } from './live.js';
import { ShortcutsHelp } from './ShortcutsHelp.js';
import { NotificationSettingsMenu } from './NotificationSettingsMenu.js';
import { notifier } from './notifier.js';
import { outbox } from './outbox.js';
import { navigate } from './routes.js';
import { InvitePage, SignInPage } from './SignInPage.js';
import { SignUpPage } from './SignUpPage.js';
import { SupervisorPage } from './SupervisorPage.js';
import { PlanningPage } from './PlanningPage.js';
import { SearchBox } from './SearchBox.js';
import { ThemeToggle } from './ThemeToggle.js';
import { WorkspaceSwitcher } from './WorkspaceSwitcher.js';

// Loaded when first opened, with its chart library: not part of the first load (ADR 0102).
const ReportsPage = lazy(() => import('./reports/ReportsPage.js').then((m) => ({ default: m.ReportsPage })));

type Route =
  | { page: 'inbox'; conversationId?: string; messageId?: string }
  | { page: 'contacts'; customerId?: string }
  | { page: 'supervisor' }
  | { page: 'planning' }
  | { page: 'reports' }
  | { page: 'admin' }
  | { page: 'operator' }
  | { page: 'invite'; token: string }
  | { page: 'signup' };

function parseRoute(hash: string): Route {
  const [, page, arg, sub, subArg] = hash.replace(/^#/, '').split('/');
  if (page === 'invite' && arg) return { page: 'invite', token: arg };
  if (page === 'supervisor' && arg === 'reports') return { page: 'reports' };
  if (page === 'supervisor') return arg === 'planning' ? { page: 'planning' } : { page: 'supervisor' };
  if (page === 'contacts') return { page: 'contacts', ...(arg ? { customerId: arg } : {}) };
  if (page === 'admin') return { page: 'admin' };
  if (page === 'operator') return { page: 'operator' };
  if (page === 'signup') return { page: 'signup' };
  return {
    page: 'inbox',
    ...(page === 'c' && arg ? { conversationId: arg } : {}),
    // `#/c/<conversation>/m/<message>`: a search result, opened at that message.
    ...(page === 'c' && arg && sub === 'm' && subArg ? { messageId: subArg } : {}),
  };
}

export function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [route, setRoute] = useState<Route>(() => parseRoute(location.hash));

  useEffect(() => {
    const onHash = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const signedIn = useCallback((user: Me, csrfToken: string) => {
    setCsrfToken(csrfToken);
    setMe(user);
  }, []);

  useEffect(() => {
    whenSignedOut(() => setMe(null));
    api<{ user: Me; csrfToken: string }>('GET', '/session')
      .then((session) => signedIn(session.user, session.csrfToken))
      .catch(() => setMe(null));
  }, [signedIn]);

  useEffect(() => {
    if (!me) return;
    live.start();
    notifier.start(me);
    return () => {
      live.stop();
      notifier.stop();
      outbox.clear();
    };
  }, [me]);

  if (me === undefined) return <div className="loading">Loading…</div>;
  if (route.page === 'invite')
    return (
      <InvitePage
        token={route.token}
        me={me}
        onSignedIn={(user, csrf) => {
          if (me === null) return (signedIn(user, csrf), navigate('/'));
          // Joined as themself: now in the inviting workspace; reload so nothing of the other stays.
          setCsrfToken(csrf);
          location.hash = '#/';
          location.reload();
        }}
      />
    );
  if (me === null && route.page === 'signup')
    return <SignUpPage onSignedIn={(user, csrf) => (signedIn(user, csrf), navigate('/'))} />;
  if (me === null) return <SignInPage onSignedIn={signedIn} />;

  const signOut = async () => {
    await api('DELETE', '/session').catch(() => undefined);
    setCsrfToken(null);
    setMe(null);
  };

  const canSupervise = me.role !== 'agent';
  return (
    <div className="app">
      <header className="topbar">
        <strong className="brand">Switchboard</strong>
        <nav>
          <a href="#/" className={route.page === 'inbox' ? 'active' : ''}>
            Inbox
          </a>
          <a href="#/contacts" className={route.page === 'contacts' ? 'active' : ''}>
            Contacts
          </a>
          {canSupervise && (
            <a href="#/supervisor" className={route.page === 'supervisor' ? 'active' : ''}>
              Supervisor
            </a>
          )}
          {me.role === 'admin' && (
            <a href="#/admin" className={route.page === 'admin' ? 'active' : ''}>
              Admin
            </a>
          )}
          {me.operator && (
            <a href="#/operator" className={route.page === 'operator' ? 'active' : ''}>
              Operator
            </a>
          )}
        </nav>
        <SearchBox />
        <WorkspaceSwitcher me={me} />
        <ConnectionStatus />
        <PresencePicker me={me} />
        <NotificationSettingsMenu />
        <ThemeToggle />
        <span className="who" title={me.email}>
          {me.displayName} · {me.role}
        </span>
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <ShortcutsHelp />
      {route.page === 'contacts' ? (
        <ContactsPage customerId={route.customerId} />
      ) : route.page === 'planning' && canSupervise ? (
        <PlanningPage />
      ) : route.page === 'reports' && canSupervise ? (
        <Suspense fallback={<div className="loading">Loading reports…</div>}>
          <ReportsPage />
        </Suspense>
      ) : route.page === 'supervisor' && canSupervise ? (
        <SupervisorPage />
      ) : route.page === 'operator' && me.operator ? (
        <OperatorPage />
      ) : route.page === 'admin' && me.role === 'admin' ? (
        <AdminPage me={me} />
      ) : (
        <InboxPage
          me={me}
          conversationId={route.page === 'inbox' ? route.conversationId : undefined}
          messageId={route.page === 'inbox' ? route.messageId : undefined}
        />
      )}
    </div>
  );
}

function PresencePicker({ me }: { me: Me }) {
  const [presence, setPresence] = useState<string>('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    // Connecting sets an offline agent online (after a moment); show what routing has.
    const read = () =>
      api<{ agents: { agentId: string; presence: string }[] }>('GET', '/agents')
        .then((r) => setPresence(r.agents.find((a) => a.agentId === me.id)?.presence ?? ''))
        .catch(() => undefined);
    const timer = window.setTimeout(() => void read(), 1_000);
    const off = live.on((e) => {
      if (e.event.type === 'agent.presence.changed' && e.event.payload.agentId === me.id)
        setPresence(String(e.event.payload.presence));
    });
    return () => {
      window.clearTimeout(timer);
      off();
    };
  }, [me.id]);
  const change = async (value: string) => {
    setError(null);
    try {
      const agent = await api<{ presence: string }>('PUT', '/presence', { presence: value });
      setPresence(agent.presence);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <label className="presence" title={error ?? 'Your availability for new conversations'}>
      <select aria-label="Presence" value={presence} onChange={(e) => void change(e.target.value)}>
        <option value="" disabled>
          Presence…
        </option>
        <option value="online">Online</option>
        <option value="away">Away</option>
        <option value="offline">Offline</option>
      </select>
      {error && <span className="error-dot">!</span>}
    </label>
  );
}
