import { type FormEvent, useState } from 'react';
import { Field, type Guard, RemoveButton, TextInput, useFieldErrors, useLoaded } from './AdminForm.js';
import { type SmsNumberView, type WidgetAppearanceView, type WidgetSettingsView, api } from './api.js';
import { embedSnippet, formatIntervals, parseIntervals, signedUserSnippet } from './channel-settings.js';
import { SocialChannelsAdmin } from './SocialChannelsAdmin.js';

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
type Weekday = (typeof WEEKDAYS)[number];

/** Admins' channels: the web widget (settings and the tag to paste), the Twilio numbers, the social channels. */
export function ChannelsAdmin({ guard }: { guard: Guard }) {
  return (
    <>
      <WidgetSettings guard={guard} />
      <SmsNumbers guard={guard} />
      <SocialChannelsAdmin guard={guard} />
    </>
  );
}

const loadWidget = () => api<WidgetSettingsView>('GET', '/admin/channels/web');

function WidgetSettings({ guard }: { guard: Guard }) {
  const [settings, reload] = useLoaded<WidgetSettingsView | null>(loadWidget, null);
  return (
    <section aria-label="Web chat widget">
      <h2>Web chat widget</h2>
      {settings ? (
        // Keyed by the save time: a saved form starts again from what the server kept.
        <WidgetForm key={settings.updatedAt} settings={settings} guard={guard} onSaved={reload} />
      ) : (
        <p>Loading…</p>
      )}
    </section>
  );
}

function WidgetForm({
  settings,
  guard,
  onSaved,
}: {
  settings: WidgetSettingsView;
  guard: Guard;
  onSaved: () => Promise<void>;
}) {
  const { appearance } = settings;
  const [origins, setOrigins] = useState(settings.allowedOrigins.join('\n'));
  const [theme, setTheme] = useState(appearance.theme);
  const [prechat, setPrechat] = useState(appearance.prechatFields);
  const [alwaysOpen, setAlwaysOpen] = useState(appearance.businessHours === null);
  const [timeZone, setTimeZone] = useState(
    appearance.businessHours?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
  );
  const [weekly, setWeekly] = useState<Record<Weekday, string>>(
    () =>
      Object.fromEntries(
        WEEKDAYS.map((day) => [day, formatIntervals(appearance.businessHours?.weekly[day] ?? [])]),
      ) as Record<Weekday, string>,
  );
  const [offlineMessage, setOfflineMessage] = useState(appearance.offlineMessage);
  const [offlineWhenNoAgent, setOfflineWhenNoAgent] = useState(appearance.offlineWhenNoAgentOnline);
  const [tokenizationUrl, setTokenizationUrl] = useState(appearance.cardTokenizationUrl ?? '');
  const [showSecret, setShowSecret] = useState(false);
  const { violations, submit } = useFieldErrors(guard);

  const save = (event: FormEvent) => {
    event.preventDefault();
    const businessHours: WidgetAppearanceView['businessHours'] = alwaysOpen
      ? null
      : {
          timeZone,
          weekly: Object.fromEntries(WEEKDAYS.map((day) => [day, parseIntervals(weekly[day])])),
        };
    void submit(async () => {
      await api('PATCH', '/admin/channels/web', {
        allowedOrigins: origins
          .split('\n')
          .map((line) => line.trim())
          .filter(Boolean),
        appearance: {
          theme,
          prechatFields: prechat,
          businessHours,
          offlineMessage,
          offlineWhenNoAgentOnline: offlineWhenNoAgent,
          cardTokenizationUrl: tokenizationUrl.trim() || null,
        },
      });
      await onSaved();
    });
  };
  const rotate = () => {
    if (
      !window.confirm('Signed-in visitors stop being recognised until your site uses the new secret. Rotate?')
    )
      return;
    void guard(async () => {
      await api('POST', '/admin/channels/web/rotate-identity-secret');
      setShowSecret(true);
      await onSaved();
    })();
  };
  const askFor = (name: 'name' | 'email') => prechat.find((f) => f.name === name);
  const setAsk = (name: 'name' | 'email', ask: 'no' | 'optional' | 'required') =>
    setPrechat([
      ...prechat.filter((f) => f.name !== name),
      ...(ask === 'no' ? [] : [{ name, required: ask === 'required' }]),
    ]);

  return (
    <>
      <h3>Add it to your site</h3>
      <p>Paste this tag on every page, before &lt;/body&gt;:</p>
      <pre className="snippet" aria-label="Embed snippet">
        {embedSnippet(window.location.origin, settings.widgetKey)}
      </pre>
      <p>
        To recognise signed-in users on any device, your server signs their id with the identity secret
        (HMAC-SHA256, hex) and renders it on the tag. Never put the secret in the page.
      </p>
      <pre className="snippet" aria-label="Signed-in user snippet">
        {signedUserSnippet(window.location.origin, settings.widgetKey)}
      </pre>
      <p className="secret">
        Identity secret:{' '}
        {showSecret ? (
          <code aria-label="Identity secret">{settings.identitySecret}</code>
        ) : (
          <span>hidden</span>
        )}{' '}
        <button type="button" onClick={() => setShowSecret(!showSecret)}>
          {showSecret ? 'Hide' : 'Show'}
        </button>{' '}
        <button type="button" onClick={rotate}>
          Rotate secret
        </button>
      </p>

      <form className="stacked widget-settings" onSubmit={save} noValidate>
        <h3>Settings</h3>
        <Field label="Allowed origins (one per line)" name="allowedOrigins" violations={violations}>
          <textarea
            aria-label="Allowed origins"
            placeholder="https://www.example.com"
            value={origins}
            onChange={(e) => setOrigins(e.target.value)}
            rows={3}
          />
        </Field>
        <Field label="Colour" name="appearance.theme.color" violations={violations}>
          <TextInput label="Colour" value={theme.color} onChange={(color) => setTheme({ ...theme, color })} />
        </Field>
        <Field label="Position" name="appearance.theme.position" violations={violations}>
          <select
            aria-label="Position"
            value={theme.position}
            onChange={(e) => setTheme({ ...theme, position: e.target.value as 'left' | 'right' })}
          >
            <option value="right">bottom right</option>
            <option value="left">bottom left</option>
          </select>
        </Field>
        <Field label="Language" name="appearance.theme.language" violations={violations}>
          <select
            aria-label="Language"
            value={theme.language}
            onChange={(e) =>
              setTheme({ ...theme, language: e.target.value as WidgetAppearanceView['theme']['language'] })
            }
          >
            <option value="en">English</option>
            <option value="fr">Français</option>
            <option value="de">Deutsch</option>
            <option value="es">Español</option>
          </select>
        </Field>
        <Field label="Title" name="appearance.theme.title" violations={violations}>
          <TextInput
            label="Widget title"
            value={theme.title}
            onChange={(title) => setTheme({ ...theme, title })}
          />
        </Field>
        <Field label="Greeting" name="appearance.theme.greeting" violations={violations}>
          <TextInput
            label="Greeting"
            value={theme.greeting}
            onChange={(greeting) => setTheme({ ...theme, greeting })}
          />
        </Field>
        {(['name', 'email'] as const).map((name) => (
          <Field
            key={name}
            label={`Pre-chat: ask for ${name}`}
            name="appearance.prechatFields"
            violations={violations}
          >
            <select
              aria-label={`Ask for ${name}`}
              value={askFor(name) ? (askFor(name)!.required ? 'required' : 'optional') : 'no'}
              onChange={(e) => setAsk(name, e.target.value as 'no' | 'optional' | 'required')}
            >
              <option value="no">no</option>
              <option value="optional">optional</option>
              <option value="required">required</option>
            </select>
          </Field>
        ))}
        <label className="check">
          <input type="checkbox" checked={alwaysOpen} onChange={(e) => setAlwaysOpen(e.target.checked)} />{' '}
          Always open (no business hours)
        </label>
        {!alwaysOpen && (
          <fieldset className="business-hours">
            <legend>Business hours</legend>
            <Field label="Time zone" name="appearance.businessHours.timeZone" violations={violations}>
              <TextInput
                label="Time zone"
                placeholder="Europe/Paris"
                value={timeZone}
                onChange={setTimeZone}
              />
            </Field>
            {WEEKDAYS.map((day) => (
              <Field
                key={day}
                label={day}
                name={`appearance.businessHours.weekly.${day}`}
                violations={violations}
              >
                <TextInput
                  label={`Hours on ${day}`}
                  placeholder="09:00-12:00, 13:00-18:00 (empty: closed)"
                  value={weekly[day]}
                  onChange={(value) => setWeekly({ ...weekly, [day]: value })}
                />
              </Field>
            ))}
          </fieldset>
        )}
        <Field label="Offline message" name="appearance.offlineMessage" violations={violations}>
          <textarea
            aria-label="Offline message"
            value={offlineMessage}
            onChange={(e) => setOfflineMessage(e.target.value)}
            rows={2}
          />
        </Field>
        <label className="check">
          <input
            type="checkbox"
            checked={offlineWhenNoAgent}
            onChange={(e) => setOfflineWhenNoAgent(e.target.checked)}
          />{' '}
          Show the offline form when no agent is online
        </label>
        <Field
          label="Card tokenization endpoint (secure card form; https)"
          name="appearance.cardTokenizationUrl"
          violations={violations}
        >
          <input
            aria-label="Card tokenization endpoint"
            type="url"
            value={tokenizationUrl}
            placeholder="https://payments.example.com/v1/tokens"
            onChange={(e) => setTokenizationUrl(e.target.value)}
          />
        </Field>
        <button type="submit">Save widget settings</button>
      </form>
    </>
  );
}

const loadNumbers = async () =>
  (await api<{ numbers: SmsNumberView[] }>('GET', '/admin/channels/sms')).numbers;

function SmsNumbers({ guard }: { guard: Guard }) {
  const [numbers, reload] = useLoaded(loadNumbers, []);
  const [phoneNumber, setPhoneNumber] = useState('');
  const [accountSid, setAccountSid] = useState('');
  const [authToken, setAuthToken] = useState('');
  const [helpText, setHelpText] = useState('');
  const { violations, submit } = useFieldErrors(guard);
  const existing = numbers.find((n) => n.phoneNumber === phoneNumber.trim());

  const save = (event: FormEvent) => {
    event.preventDefault();
    void submit(async () => {
      await api('PUT', '/admin/channels/sms', {
        phoneNumber: phoneNumber.trim(),
        accountSid: accountSid.trim(),
        ...(authToken ? { authToken } : {}),
        helpText: helpText.trim() || null,
      });
      setPhoneNumber('');
      setAccountSid('');
      setAuthToken('');
      setHelpText('');
      await reload();
    });
  };
  const edit = (number: SmsNumberView) => {
    setPhoneNumber(number.phoneNumber);
    setAccountSid(number.accountSid);
    setAuthToken('');
    setHelpText(number.helpText ?? '');
  };

  return (
    <section aria-label="SMS numbers">
      <h2>SMS numbers (Twilio)</h2>
      <table aria-label="Twilio numbers">
        <thead>
          <tr>
            <th>Number</th>
            <th>Account SID</th>
            <th>Auth token</th>
            <th>HELP answer</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {numbers.map((n) => (
            <tr key={n.id}>
              <td>{n.phoneNumber}</td>
              <td>
                <code>{n.accountSid}</code>
              </td>
              <td>stored, sealed</td>
              <td>{n.helpText ?? 'default'}</td>
              <td>
                <button type="button" aria-label={`Edit ${n.phoneNumber}`} onClick={() => edit(n)}>
                  Edit
                </button>{' '}
                <RemoveButton
                  label="Remove"
                  name={n.phoneNumber}
                  guard={guard}
                  remove={() => api('DELETE', `/admin/channels/sms/${n.id}`)}
                  then={reload}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="stacked" onSubmit={save} noValidate>
        <h3>{existing ? `Update ${existing.phoneNumber}` : 'Add a number'}</h3>
        <Field label="Phone number" name="phoneNumber" violations={violations}>
          <TextInput
            label="Phone number"
            placeholder="+14155550100"
            value={phoneNumber}
            onChange={setPhoneNumber}
          />
        </Field>
        <Field label="Account SID" name="accountSid" violations={violations}>
          <TextInput label="Account SID" placeholder="AC…" value={accountSid} onChange={setAccountSid} />
        </Field>
        <Field
          label={existing ? 'Auth token (empty: keep the stored one)' : 'Auth token'}
          name="authToken"
          violations={violations}
        >
          <TextInput
            label="Auth token"
            type="password"
            autoComplete="off"
            value={authToken}
            onChange={setAuthToken}
          />
        </Field>
        <Field label="HELP answer (optional)" name="helpText" violations={violations}>
          <TextInput label="HELP answer" value={helpText} onChange={setHelpText} />
        </Field>
        <button type="submit">{existing ? 'Update number' : 'Add number'}</button>
      </form>
      <p>
        In Twilio, point the number&apos;s “A message comes in” webhook at{' '}
        <code>{`${window.location.origin}/webhooks/twilio/sms`}</code>.
      </p>
    </section>
  );
}
