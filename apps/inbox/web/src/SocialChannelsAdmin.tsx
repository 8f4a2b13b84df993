import type { SocialChannelKind, SocialChannelView } from '@switchboard/contracts';
import { type FormEvent, useState } from 'react';
import { Field, type Guard, RemoveButton, TextInput, useFieldErrors, useLoaded } from './AdminForm.js';
import { api } from './api.js';

const LABELS: Record<SocialChannelKind, string> = {
  whatsapp: 'WhatsApp',
  messenger: 'Messenger',
  instagram: 'Instagram',
  telegram: 'Telegram',
};
const ID_LABELS: Record<Exclude<SocialChannelKind, 'telegram'>, string> = {
  whatsapp: 'WhatsApp number ID',
  messenger: 'Page ID',
  instagram: 'Instagram account ID',
};

const loadSocial = () =>
  api<{ available: boolean; channels: SocialChannelView[] }>('GET', '/admin/channels/social');

/**
 * WhatsApp numbers, Facebook pages, Instagram accounts and Telegram bots: secrets go in and are
 * never shown again; each channel shows its webhook URL and health (last webhook, last error).
 */
export function SocialChannelsAdmin({ guard }: { guard: Guard }) {
  const [state, reload] = useLoaded(loadSocial, { available: true, channels: [] });
  const [channel, setChannel] = useState<SocialChannelKind>('whatsapp');
  const [externalId, setExternalId] = useState('');
  const [accessToken, setAccessToken] = useState('');
  const [appSecret, setAppSecret] = useState('');
  const [botToken, setBotToken] = useState('');
  const [pageId, setPageId] = useState('');
  const [humanAgentTag, setHumanAgentTag] = useState(false);
  const { violations, submit } = useFieldErrors(guard);

  const save = (event: FormEvent) => {
    event.preventDefault();
    void submit(async () => {
      await api(
        'PUT',
        '/admin/channels/social',
        channel === 'telegram'
          ? { channel, botToken: botToken.trim() }
          : {
              channel,
              externalId: externalId.trim(),
              ...(accessToken ? { accessToken } : {}),
              ...(appSecret ? { appSecret } : {}),
              ...(channel === 'instagram' ? { pageId: pageId.trim() } : {}),
              ...(channel === 'whatsapp' ? {} : { humanAgentTag }),
            },
      );
      for (const clear of [setExternalId, setAccessToken, setAppSecret, setBotToken, setPageId]) clear('');
      await reload();
    });
  };

  return (
    <section aria-label="Social channels">
      <h2>WhatsApp, Messenger, Instagram and Telegram</h2>
      {!state.available && <p role="status">The social channels are not deployed with this inbox.</p>}
      <table aria-label="Social channels">
        <thead>
          <tr>
            <th>Channel</th>
            <th>Account</th>
            <th>Webhook URL</th>
            <th>Last webhook</th>
            <th>Last error</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {state.channels.map((c) => (
            <tr key={c.id}>
              <td>
                <span className={`badge ${c.channel}`}>{LABELS[c.channel]}</span>
              </td>
              <td>
                {c.displayName ?? c.externalId}
                {c.humanAgentTag ? ' (human agent tag)' : ''}
                <br />
                <small>secrets stored, sealed</small>
              </td>
              <td>
                <code>
                  {c.webhookUrl.startsWith('/') ? `${window.location.origin}${c.webhookUrl}` : c.webhookUrl}
                </code>
              </td>
              <td>{c.lastWebhookAt ? new Date(c.lastWebhookAt).toLocaleString() : 'none yet'}</td>
              <td>
                {c.lastError
                  ? `${c.lastError} (${new Date(c.lastErrorAt ?? c.updatedAt).toLocaleString()})`
                  : '—'}
              </td>
              <td>
                <RemoveButton
                  label="Remove"
                  name={`${LABELS[c.channel]} ${c.displayName ?? c.externalId}`}
                  guard={guard}
                  remove={() => api('DELETE', `/admin/channels/social/${c.id}`)}
                  then={reload}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="stacked" onSubmit={save} noValidate>
        <h3>Connect a channel</h3>
        <Field label="Channel" name="channel" violations={violations}>
          <select
            aria-label="Channel"
            value={channel}
            onChange={(e) => setChannel(e.target.value as SocialChannelKind)}
          >
            {(Object.keys(LABELS) as SocialChannelKind[]).map((kind) => (
              <option key={kind} value={kind}>
                {LABELS[kind]}
              </option>
            ))}
          </select>
        </Field>
        {channel === 'telegram' ? (
          <Field label="Bot token (from @BotFather)" name="botToken" violations={violations}>
            <TextInput
              label="Bot token"
              type="password"
              autoComplete="off"
              value={botToken}
              onChange={setBotToken}
            />
          </Field>
        ) : (
          <>
            <Field label={ID_LABELS[channel]} name="externalId" violations={violations}>
              <TextInput label={ID_LABELS[channel]} value={externalId} onChange={setExternalId} />
            </Field>
            <Field
              label="Access token (empty: keep the stored one)"
              name="accessToken"
              violations={violations}
            >
              <TextInput
                label="Access token"
                type="password"
                autoComplete="off"
                value={accessToken}
                onChange={setAccessToken}
              />
            </Field>
            <Field label="App secret (empty: keep the stored one)" name="appSecret" violations={violations}>
              <TextInput
                label="App secret"
                type="password"
                autoComplete="off"
                value={appSecret}
                onChange={setAppSecret}
              />
            </Field>
            {channel === 'instagram' && (
              <Field label="Linked page ID" name="pageId" violations={violations}>
                <TextInput label="Linked page ID" value={pageId} onChange={setPageId} />
              </Field>
            )}
            {channel !== 'whatsapp' && (
              <label>
                <input
                  type="checkbox"
                  checked={humanAgentTag}
                  onChange={(e) => setHumanAgentTag(e.target.checked)}
                />{' '}
                The app is approved for the human agent tag (replies up to 7 days)
              </label>
            )}
          </>
        )}
        <button type="submit">Connect</button>
      </form>
      <p>
        Meta: subscribe <code>{`${window.location.origin}/webhooks/meta`}</code> with your verify token in the
        app&apos;s dashboard. Telegram: the bot&apos;s webhook is registered when you connect it.
      </p>
    </section>
  );
}
