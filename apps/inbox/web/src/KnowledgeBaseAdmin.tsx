import { type ChangeEvent, type FormEvent, useCallback, useState } from 'react';
import type {
  ArticleState,
  ArticleView,
  BotAnswerView,
  ImportResult,
  KnowledgeBaseFormat,
} from '@switchboard/contracts';
import type {
  ArticleListView as ArticleList,
  BotChannelsView as BotChannels,
} from '@switchboard/inbox-http-api';
import { type FieldViolation, type Guard, Field, useFieldErrors, useLoaded } from './AdminForm.js';
import { answerParts } from './answer-links.js';
import { ApiError, api, csrfHeader } from './api.js';

const BASE = '/admin/knowledge-base';

interface Draft {
  title: string;
  answer: string;
  questions: string;
  tags: string;
  state: ArticleState;
}
const EMPTY: Draft = { title: '', answer: '', questions: '', tags: '', state: 'draft' };

const toDraft = (a: ArticleView): Draft => ({
  title: a.title,
  answer: a.answer,
  questions: a.questions.join('\n'),
  tags: a.tags.join(', '),
  state: a.state,
});
const fromDraft = (d: Draft) => ({
  title: d.title,
  answer: d.answer,
  questions: d.questions
    .split('\n')
    .map((q) => q.trim())
    .filter((q) => q !== ''),
  tags: d.tags
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== ''),
  state: d.state,
});

/** An answer as customers read it: text as text, http(s) URLs as links, nothing else. */
export function AnswerText({ answer }: { answer: string }) {
  return (
    <span className="answer-text">
      {answerParts(answer).map((part, i) =>
        part.kind === 'link' ? (
          <a key={i} href={part.href} target="_blank" rel="noopener noreferrer nofollow">
            {part.text}
          </a>
        ) : (
          <span key={i}>{part.text}</span>
        ),
      )}
    </span>
  );
}

/**
 * Admin → Knowledge base: the articles the answer bot answers with (search, create, edit,
 * publish, delete), import and export as CSV or JSON, per-article counts from conversations, a
 * question to try, and the bot's switch per channel.
 */
export function KnowledgeBaseAdmin({ guard }: { guard: Guard }) {
  const [text, setText] = useState('');
  const [state, setState] = useState<'' | ArticleState>('');
  const loadArticles = useCallback(async () => {
    const query = new URLSearchParams();
    if (text.trim() !== '') query.set('text', text.trim());
    if (state !== '') query.set('state', state);
    return api<ArticleList>('GET', `${BASE}/articles?${query.toString()}`);
  }, [text, state]);
  const [list, load] = useLoaded(loadArticles, { available: true, articles: [], counts: [] });
  const [editing, setEditing] = useState<{ id: string | null; draft: Draft } | null>(null);
  const counts = new Map(list.counts.map((c) => [c.articleId, c]));

  return (
    <section aria-label="Knowledge base">
      <h2>Knowledge base</h2>
      <p className="hint">
        The answer bot replies with the best-matching <strong>published</strong> article when it is confident,
        and hands the conversation to people otherwise. Write answers as plain text; web addresses become
        links.
      </p>
      {!list.available && (
        <p className="hint" role="status">
          The answer bot is not deployed with this inbox (BOT_API_URL).
        </p>
      )}
      <BotChannelsAdmin guard={guard} />
      <div className="inline">
        <input
          aria-label="Search articles"
          placeholder="Search title, answer, questions, tags"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <select
          aria-label="Article state filter"
          value={state}
          onChange={(e) => setState(e.target.value as '' | ArticleState)}
        >
          <option value="">all</option>
          <option value="published">published</option>
          <option value="draft">draft</option>
        </select>
        <button type="button" onClick={() => setEditing({ id: null, draft: EMPTY })}>
          New article
        </button>
      </div>
      <table aria-label="Articles">
        <thead>
          <tr>
            <th>Title</th>
            <th>State</th>
            <th>Tags</th>
            <th>Questions</th>
            <th title="Times the bot answered with it / conversations handed to people after it">
              Answered / helpful / not helpful / handed off
            </th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.articles.map((a) => {
            const c = counts.get(a.id);
            return (
              <tr key={a.id} data-article-id={a.id}>
                <td>{a.title}</td>
                <td>{a.state}</td>
                <td>{a.tags.join(', ')}</td>
                <td>{a.questions.length}</td>
                <td className="article-counts">
                  {c?.answered ?? 0} / {c?.helpful ?? 0} / {c?.notHelpful ?? 0} / {c?.handedOffAfter ?? 0}
                </td>
                <td>
                  <button
                    type="button"
                    aria-label={`Edit ${a.title}`}
                    onClick={() => setEditing({ id: a.id, draft: toDraft(a) })}
                  >
                    Edit
                  </button>
                </td>
              </tr>
            );
          })}
          {list.articles.length === 0 && (
            <tr>
              <td colSpan={6} className="empty">
                {text || state ? 'No article matches.' : 'No articles yet: write one or import a file.'}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {editing && (
        <ArticleEditor
          key={editing.id ?? 'new'}
          id={editing.id}
          initial={editing.draft}
          guard={guard}
          done={async () => {
            setEditing(null);
            await load();
          }}
        />
      )}
      <ImportExport guard={guard} then={load} />
      <TryQuestion guard={guard} />
    </section>
  );
}

function ArticleEditor({
  id,
  initial,
  guard,
  done,
}: {
  id: string | null;
  initial: Draft;
  guard: Guard;
  done: () => Promise<void>;
}) {
  const [draft, setDraft] = useState(initial);
  const { violations, submit } = useFieldErrors(guard);
  const set =
    (field: keyof Draft) => (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) =>
      setDraft({ ...draft, [field]: e.target.value });

  const save = (event: FormEvent) => {
    event.preventDefault();
    void submit(async () => {
      await (id === null
        ? api('POST', `${BASE}/articles`, fromDraft(draft))
        : api('PATCH', `${BASE}/articles/${id}`, fromDraft(draft)));
      await done();
    });
  };
  const remove = () =>
    void guard(async () => {
      if (id === null || !window.confirm(`Delete "${initial.title}"?`)) return;
      await api('DELETE', `${BASE}/articles/${id}`);
      await done();
    })();

  return (
    <form className="stacked article-editor" aria-label="Article" onSubmit={save}>
      <h3>{id === null ? 'New article' : `Edit: ${initial.title}`}</h3>
      <Field label="Title" name="title" violations={violations}>
        <input value={draft.title} onChange={set('title')} required />
      </Field>
      <Field label="Answer" name="answer" violations={violations}>
        <textarea rows={5} value={draft.answer} onChange={set('answer')} required />
      </Field>
      <div className="answer-preview" aria-label="Answer preview">
        <AnswerText answer={draft.answer} />
      </div>
      <Field label="Questions it answers (one per line)" name="questions" violations={violations}>
        <textarea rows={4} value={draft.questions} onChange={set('questions')} />
      </Field>
      <Field label="Tags (comma-separated)" name="tags" violations={violations}>
        <input value={draft.tags} onChange={set('tags')} />
      </Field>
      <Field label="State" name="state" violations={violations}>
        <select value={draft.state} onChange={set('state')}>
          <option value="draft">draft</option>
          <option value="published">published</option>
        </select>
      </Field>
      <div className="inline">
        <button type="submit">Save article</button>
        <button type="button" onClick={() => void done()}>
          Cancel
        </button>
        {id !== null && (
          <button type="button" onClick={remove}>
            Delete article
          </button>
        )}
      </div>
    </form>
  );
}

/** `articles.3.questions` → "Article 4 — questions" (the 4th article, or the 4th row after the CSV header). */
export function describeImportViolation(v: FieldViolation): string {
  const match = /^articles\.(\d+)(?:\.(.+))?$/.exec(v.field);
  if (!match) return `${v.field}: ${v.description}`;
  const field = match[2] ? ` — ${match[2]}` : '';
  return `Article ${Number(match[1]) + 1}${field}: ${v.description}`;
}

function ImportExport({ guard, then }: { guard: Guard; then: () => Promise<void> }) {
  const [result, setResult] = useState<ImportResult | null>(null);
  const [problems, setProblems] = useState<FieldViolation[]>([]);
  const [file, setFile] = useState<File | null>(null);

  const importFile = (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    void guard(async () => {
      setResult(null);
      setProblems([]);
      const format: KnowledgeBaseFormat = file.name.toLowerCase().endsWith('.csv') ? 'csv' : 'json';
      const response = await fetch(`/api/inbox${BASE}/import?format=${format}`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8', ...csrfHeader() },
        body: file,
        credentials: 'same-origin',
      });
      const json = (await response.json().catch(() => ({}))) as ImportResult & {
        error?: { message: string; fieldViolations?: FieldViolation[] };
      };
      if (!response.ok) {
        if (json.error?.fieldViolations?.length) {
          setProblems(json.error.fieldViolations);
          return;
        }
        throw new ApiError(response.status, json.error?.message ?? `import failed (${response.status})`);
      }
      setResult({ created: json.created, updated: json.updated });
      await then();
    })();
  };

  return (
    <div className="kb-import">
      <h3>Import and export</h3>
      <p className="hint">
        CSV columns <code>id,title,answer,questions,tags,state</code> (questions one per line in the cell), or
        JSON as exported. An import is all or nothing; a row with an existing article's id replaces it.
      </p>
      <form className="inline" onSubmit={importFile}>
        <input
          type="file"
          aria-label="Knowledge base file"
          accept=".csv,.json,text/csv,application/json"
          onChange={(e) => setFile(e.target.files?.[0] ?? null)}
        />
        <button type="submit" disabled={!file}>
          Import
        </button>
        <a href={`/api/inbox${BASE}/export?format=csv`} download="knowledge-base.csv">
          Export CSV
        </a>
        <a href={`/api/inbox${BASE}/export?format=json`} download="knowledge-base.json">
          Export JSON
        </a>
      </form>
      {result && (
        <p role="status" className="import-result">
          Imported: {result.created} created, {result.updated} updated.
        </p>
      )}
      {problems.length > 0 && (
        <div role="alert" className="import-problems">
          <p>Nothing was imported. Fix these and import the file again:</p>
          <ul>
            {problems.map((v, i) => (
              <li key={i}>{describeImportViolation(v)}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

function TryQuestion({ guard }: { guard: Guard }) {
  const [question, setQuestion] = useState('');
  const [answer, setAnswer] = useState<BotAnswerView | null>(null);
  const ask = (event: FormEvent) => {
    event.preventDefault();
    void guard(async () => setAnswer(await api<BotAnswerView>('POST', `${BASE}/try`, { text: question })))();
  };
  return (
    <div className="kb-try">
      <h3>Try a question</h3>
      <form className="inline" onSubmit={ask}>
        <input
          aria-label="Question to try"
          placeholder="What a customer might ask"
          value={question}
          onChange={(e) => setQuestion(e.target.value)}
          required
        />
        <button type="submit">Ask the bot</button>
      </form>
      {answer && (
        <div role="status" className="try-result">
          {answer.kind === 'answer' ? (
            <>
              <p>
                Answers with <strong>{answer.article.title}</strong> (confidence{' '}
                {answer.confidence.toFixed(2)}, threshold {answer.threshold.toFixed(2)}):
              </p>
              <p>
                <AnswerText answer={answer.article.answer} />
              </p>
            </>
          ) : (
            <p>
              Declines and hands off to people (confidence {answer.confidence.toFixed(2)}, threshold{' '}
              {answer.threshold.toFixed(2)}).
            </p>
          )}
        </div>
      )}
    </div>
  );
}

const loadChannels = () => api<BotChannels>('GET', `${BASE}/channels`);

/**
 * The bot per channel, set at once for new conversations (routing learns it in order): off, the
 * built-in answer bot, or an integrator's bot over gRPC (ADR 0083).
 */
function BotChannelsAdmin({ guard }: { guard: Guard }) {
  const [{ channels }, load] = useLoaded<BotChannels>(loadChannels, { available: true, channels: [] });
  return (
    <fieldset className="bot-channels inline">
      <legend>Bot on each channel</legend>
      {channels.map(({ channel, mode }) => (
        <label key={channel}>
          {channel}{' '}
          <select
            aria-label={`Bot on ${channel}`}
            value={mode}
            onChange={(e) =>
              void guard(async () => {
                await api('PUT', `${BASE}/channels/${channel}`, { mode: e.target.value });
                await load();
              })()
            }
          >
            <option value="off">Off</option>
            <option value="built-in">Built-in answer bot</option>
            <option value="external">External bot (gRPC)</option>
          </select>
        </label>
      ))}
    </fieldset>
  );
}
