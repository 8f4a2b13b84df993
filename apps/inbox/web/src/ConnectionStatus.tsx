import { useEffect, useState } from 'react';
import { type ConnectionState, live } from './live.js';
import { outbox } from './outbox.js';

const LABEL: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Connection lost — reconnecting; updates paused',
  offline: 'Offline — updates paused until the network is back',
};

/**
 * Whether the inbox is receiving updates, beside the presence picker: the presence routing holds
 * is not proof that this tab still hears anything. Also counts the agent's sends that wait.
 */
export function ConnectionStatus() {
  const [state, setState] = useState<ConnectionState>(live.state);
  const [waiting, setWaiting] = useState(outbox.waiting().length);
  useEffect(() => {
    setState(live.state);
    const offState = live.onState(setState);
    const offOutbox = outbox.onChange(() => setWaiting(outbox.waiting().filter((i) => !i.error).length));
    return () => {
      offState();
      offOutbox();
    };
  }, []);
  return (
    <span className={`connection ${state}`} role="status" aria-live="polite" data-state={state}>
      <span className="connection-dot" aria-hidden="true" />
      {LABEL[state]}
      {waiting > 0 && ` · ${waiting} ${waiting === 1 ? 'send' : 'sends'} waiting`}
    </span>
  );
}
