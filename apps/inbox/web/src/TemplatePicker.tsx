import { useEffect, useState } from 'react';
import { type MessageTemplate, type MessageTemplateView, api } from './api.js';
import { fillTemplate } from './template-text.js';

/**
 * WhatsApp's closed window: the composer offers the number's approved templates instead of free
 * text. The agent picks one, fills its parameters and sees the text the customer will get.
 */
export function TemplatePicker({
  conversationId,
  sending,
  onSend,
}: {
  conversationId: string;
  sending: boolean;
  onSend: (template: MessageTemplate, text: string) => Promise<void>;
}) {
  const [templates, setTemplates] = useState<MessageTemplateView[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [chosen, setChosen] = useState('');
  const [values, setValues] = useState<string[]>([]);

  useEffect(() => {
    api<{ templates: MessageTemplateView[] }>('GET', `/conversations/${conversationId}/templates`)
      .then((r) => setTemplates(r.templates))
      .catch((e: Error) => setProblem(e.message));
  }, [conversationId]);

  const template = templates?.find((t) => `${t.name}|${t.language}` === chosen);
  const complete =
    template !== undefined && values.filter((v) => v.trim() !== '').length === template.parameterCount;

  if (problem)
    return (
      <p className="error" role="status">
        Templates could not be listed: {problem}
      </p>
    );
  if (templates === null) return <p className="muted">Loading templates…</p>;
  if (templates.length === 0) return <p className="muted">This WhatsApp number has no approved templates.</p>;
  return (
    <div className="template-picker">
      <select
        aria-label="Template"
        value={chosen}
        onChange={(e) => {
          setChosen(e.target.value);
          const next = templates.find((t) => `${t.name}|${t.language}` === e.target.value);
          setValues(Array.from({ length: next?.parameterCount ?? 0 }, () => ''));
        }}
      >
        <option value="">Choose an approved template…</option>
        {templates.map((t) => (
          <option key={`${t.name}|${t.language}`} value={`${t.name}|${t.language}`}>
            {t.name} ({t.language})
          </option>
        ))}
      </select>
      {template &&
        values.map((value, i) => (
          <input
            key={i}
            aria-label={`Template parameter ${i + 1}`}
            placeholder={`{{${i + 1}}}`}
            maxLength={1024}
            value={value}
            onChange={(e) => setValues(values.map((v, j) => (j === i ? e.target.value : v)))}
          />
        ))}
      {template && (
        <p className="template-preview" aria-label="Template preview">
          {fillTemplate(template.body, values)}
        </p>
      )}
      <button
        type="button"
        className="send"
        disabled={!complete || sending}
        onClick={() =>
          template &&
          void onSend(
            { name: template.name, language: template.language, parameters: values.map((v) => v.trim()) },
            fillTemplate(template.body, values),
          )
        }
      >
        Send template
      </button>
    </div>
  );
}
