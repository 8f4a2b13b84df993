import { type FormEvent, useEffect, useState } from 'react';
import { type Guard, useFieldErrors, Field } from './AdminForm.js';
import { api } from './api.js';

type Day = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
const DAYS: [Day, string][] = [
  ['mon', 'Monday'],
  ['tue', 'Tuesday'],
  ['wed', 'Wednesday'],
  ['thu', 'Thursday'],
  ['fri', 'Friday'],
  ['sat', 'Saturday'],
  ['sun', 'Sunday'],
];

interface Workspace {
  id: string;
  name: string;
  timeZone: string;
  businessHours: Partial<Record<Day, { from: string; to: string }[]>> | null;
}

type Hours = Record<Day, { open: boolean; from: string; to: string }>;

function toHours(workspace: Workspace): Hours {
  const hours = {} as Hours;
  for (const [day] of DAYS) {
    const first = workspace.businessHours?.[day]?.[0];
    hours[day] = { open: first !== undefined, from: first?.from ?? '09:00', to: first?.to ?? '17:00' };
  }
  return hours;
}

/**
 * The workspace itself: its name, time zone and business hours (one interval a day here; the
 * widget offers its offline form outside them). Off: always open.
 */
export function WorkspaceSettingsAdmin({ guard }: { guard: Guard }) {
  const [workspace, setWorkspace] = useState<Workspace | null>(null);
  const [name, setName] = useState('');
  const [timeZone, setTimeZone] = useState('');
  const [limited, setLimited] = useState(false);
  const [hours, setHours] = useState<Hours | null>(null);
  const [saved, setSaved] = useState(false);
  const { violations, submit } = useFieldErrors(guard);

  const show = (w: Workspace) => {
    setWorkspace(w);
    setName(w.name);
    setTimeZone(w.timeZone);
    setLimited(w.businessHours !== null);
    setHours(toHours(w));
  };
  useEffect(() => {
    api<Workspace>('GET', '/admin/workspace')
      .then(show)
      .catch(() => setWorkspace(null));
  }, []);

  const save = (event: FormEvent) => {
    event.preventDefault();
    if (!hours) return;
    setSaved(false);
    const businessHours = limited
      ? Object.fromEntries(
          DAYS.filter(([day]) => hours[day].open).map(([day]) => [
            day,
            [{ from: hours[day].from, to: hours[day].to }],
          ]),
        )
      : null;
    void submit(async () => {
      show(await api<Workspace>('PATCH', '/admin/workspace', { name, timeZone, businessHours }));
      setSaved(true);
    });
  };

  if (!workspace || !hours) return null;
  return (
    <section aria-label="Workspace">
      <h2>Workspace</h2>
      <form className="stacked" onSubmit={save}>
        <Field label="Workspace name" name="name" violations={violations}>
          <input value={name} onChange={(e) => setName(e.target.value)} required />
        </Field>
        <Field label="Workspace timezone (IANA, e.g. Europe/Paris)" name="timeZone" violations={violations}>
          <input value={timeZone} onChange={(e) => setTimeZone(e.target.value)} required />
        </Field>
        <label>
          <input type="checkbox" checked={limited} onChange={(e) => setLimited(e.target.checked)} /> Limit to
          business hours (off: the workspace never closes)
        </label>
        {limited && (
          <fieldset>
            <legend>Open on</legend>
            <table className="business-hours">
              <tbody>
                {DAYS.map(([day, label]) => (
                  <tr key={day}>
                    <td>
                      <label>
                        <input
                          type="checkbox"
                          checked={hours[day].open}
                          onChange={(e) =>
                            setHours({ ...hours, [day]: { ...hours[day], open: e.target.checked } })
                          }
                        />{' '}
                        {label}
                      </label>
                    </td>
                    <td>
                      <input
                        type="time"
                        aria-label={`${label} from`}
                        value={hours[day].from}
                        disabled={!hours[day].open}
                        onChange={(e) =>
                          setHours({ ...hours, [day]: { ...hours[day], from: e.target.value } })
                        }
                      />
                      –
                      <input
                        type="time"
                        aria-label={`${label} to`}
                        value={hours[day].to}
                        disabled={!hours[day].open}
                        onChange={(e) => setHours({ ...hours, [day]: { ...hours[day], to: e.target.value } })}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {violations
              .filter((v) => v.field.startsWith('businessHours'))
              .map((v, i) => (
                <span key={i} className="field-error" role="alert">
                  {v.field}: {v.description}
                </span>
              ))}
          </fieldset>
        )}
        <button type="submit">Save workspace</button>
        {saved && <span role="status">Saved.</span>}
      </form>
    </section>
  );
}
