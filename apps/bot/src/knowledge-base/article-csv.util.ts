import { InvalidArgumentError } from '@switchboard/contracts';

/**
 * Articles as CSV (RFC 4180: quoted fields, "" inside quotes, CRLF or LF), one article a row:
 * `id,title,answer,questions,tags,state` — questions one per line inside their cell, tags
 * separated by commas. A cell a spreadsheet would run as a formula (=, +, -, @ first) is exported
 * behind a "'" and read back without it.
 */
export const ARTICLE_CSV_COLUMNS = ['id', 'title', 'answer', 'questions', 'tags', 'state'] as const;

export interface ArticleCsvRow {
  id?: string;
  title: string;
  answer: string;
  questions: string[];
  tags: string[];
  state: string;
}

export function formatArticlesCsv(rows: readonly ArticleCsvRow[]): string {
  const lines = [ARTICLE_CSV_COLUMNS.join(',')];
  for (const row of rows) {
    lines.push(
      [row.id ?? '', row.title, row.answer, row.questions.join('\n'), row.tags.join(','), row.state]
        .map(cell)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Rows as plain objects for the import schema: InvalidArgumentError for a malformed file. */
export function parseArticlesCsv(content: string): Record<string, unknown>[] {
  const records = parseCsv(content.replace(/^\uFEFF/, ''));
  const header = records.shift();
  if (!header) return [];
  const columns = header.map((name) => name.trim().toLowerCase());
  const unknown = columns.filter((c) => !(ARTICLE_CSV_COLUMNS as readonly string[]).includes(c));
  if (unknown.length > 0 || !columns.includes('title'))
    throw new InvalidArgumentError('invalid CSV header', [
      { field: 'header', description: `expected the columns ${ARTICLE_CSV_COLUMNS.join(',')}` },
    ]);
  return records
    .filter((record) => record.some((value) => value.trim() !== ''))
    .map((record, n) => {
      if (record.length !== columns.length)
        throw new InvalidArgumentError('invalid CSV', [
          {
            field: `articles.${n}`,
            description: `${record.length} cells where the header has ${columns.length}`,
          },
        ]);
      const get = (column: string) => unformula(record[columns.indexOf(column)] ?? '');
      const article: Record<string, unknown> = {
        title: get('title'),
        answer: get('answer'),
        questions: get('questions')
          .split(/\r?\n/)
          .map((q) => q.trim())
          .filter((q) => q !== ''),
        tags: get('tags')
          .split(',')
          .map((t) => t.trim())
          .filter((t) => t !== ''),
      };
      if (columns.includes('id') && get('id').trim() !== '') article.id = get('id').trim();
      if (columns.includes('state') && get('state').trim() !== '') article.state = get('state').trim();
      return article;
    });
}

function cell(value: string): string {
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function unformula(value: string): string {
  return /^'[=+\-@]/.test(value) ? value.slice(1) : value;
}

function parseCsv(content: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < content.length) {
    const ch = content[i]!;
    if (quoted) {
      if (ch === '"' && content[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      if (ch === '\r' && content[i + 1] === '\n') i++;
    } else field += ch;
    i++;
  }
  if (quoted)
    throw new InvalidArgumentError('invalid CSV', [
      { field: 'content', description: 'a quote is not closed' },
    ]);
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}
