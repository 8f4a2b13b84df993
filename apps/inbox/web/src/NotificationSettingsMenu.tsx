import { useEffect, useState } from 'react';
import type { NotificationSettings } from './api.js';
import { notifier } from './notifier.js';

const EVENTS: [keyof NotificationSettings, string][] = [
  ['onAssigned', 'A conversation is assigned or offered to me'],
  ['onCustomerMessage', 'A customer writes in one of my conversations'],
  ['onMention', 'A colleague mentions me in a note'],
];

const permission = (): NotificationPermission | 'unsupported' =>
  typeof Notification === 'function' ? Notification.permission : 'unsupported';

/** The person's own notification settings, saved on the server (they follow them to every browser). */
export function NotificationSettingsMenu() {
  const [settings, setSettings] = useState(notifier.settings);
  const [allowed, setAllowed] = useState(permission);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => notifier.onSettings(setSettings), []);

  const change = async (key: keyof NotificationSettings, value: boolean) => {
    setError(null);
    const before = settings;
    // Shown at once; put back if the server refuses.
    setSettings({ ...settings, [key]: value });
    try {
      // Asked while the click is still a user gesture, as browsers require.
      if (key === 'desktop' && value && allowed === 'default')
        setAllowed(await Notification.requestPermission());
      await notifier.saveSettings({ ...before, [key]: value });
    } catch (e) {
      setSettings(before);
      setError((e as Error).message);
    }
  };

  const box = (key: keyof NotificationSettings, label: string) => (
    <label key={key}>
      <input type="checkbox" checked={settings[key]} onChange={(e) => void change(key, e.target.checked)} />{' '}
      {label}
    </label>
  );

  return (
    <details className="notification-settings">
      <summary>Notifications</summary>
      <div className="notification-panel">
        <fieldset>
          <legend>How</legend>
          {box('desktop', 'Desktop notifications')}
          {settings.desktop && allowed === 'denied' && (
            <p className="hint">
              Your browser blocks this site's notifications: allow them in its site settings.
            </p>
          )}
          {settings.desktop && allowed === 'unsupported' && (
            <p className="hint">This browser shows no desktop notifications here.</p>
          )}
          {box('sound', 'Sound')}
          <button type="button" onClick={() => notifier.chime()}>
            Play the sound
          </button>
        </fieldset>
        <fieldset>
          <legend>When</legend>
          {EVENTS.map(([key, label]) => box(key, label))}
        </fieldset>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </div>
    </details>
  );
}
