import { useEffect, useState } from 'react';
import { type InviteView, type QueueView, type UserView, api } from './api.js';
import type { SmsNumberView, WidgetSettingsView } from '@switchboard/contracts';

interface Progress {
  channel: boolean;
  agent: boolean;
  queue: boolean;
}

async function loadProgress(): Promise<Progress> {
  const [users, invites, queues, sms, web] = await Promise.all([
    api<{ users: UserView[] }>('GET', '/users'),
    api<{ invites: InviteView[] }>('GET', '/invites'),
    api<{ queues: QueueView[] }>('GET', '/queues'),
    api<{ numbers: SmsNumberView[] }>('GET', '/admin/channels/sms'),
    api<WidgetSettingsView>('GET', '/admin/channels/web'),
  ]);
  return {
    // A Twilio number, or the widget allowed on the business's own site (the demo page needs neither).
    channel: sms.numbers.length > 0 || web.allowedOrigins.length > 0,
    agent: users.users.length > 1 || invites.invites.length > 0,
    queue: queues.queues.length > 0,
  };
}

/** An admin's first steps, shown above the conversation list until every one is done. */
export function SetupChecklist() {
  const [progress, setProgress] = useState<Progress | null>(null);
  useEffect(() => {
    loadProgress()
      .then(setProgress)
      .catch(() => setProgress(null));
  }, []);
  if (!progress || (progress.channel && progress.agent && progress.queue)) return null;
  const steps: { done: boolean; text: string }[] = [
    { done: progress.channel, text: 'Connect a channel: an SMS number, or the widget on your site' },
    { done: progress.agent, text: 'Invite an agent' },
    { done: progress.queue, text: 'Set up a queue' },
  ];
  return (
    <aside className="checklist" aria-label="Getting started">
      <strong>Getting started</strong>
      <ol>
        {steps.map((step) => (
          <li key={step.text} className={step.done ? 'done' : ''}>
            <span aria-hidden="true">{step.done ? '✓' : '○'}</span>{' '}
            {step.done ? <s>{step.text}</s> : <a href="#/admin">{step.text}</a>}
            <span className="sr-only">{step.done ? ' (done)' : ' (to do)'}</span>
          </li>
        ))}
      </ol>
    </aside>
  );
}
