import type { ConversationStatus } from '@switchboard/contracts';

// The server's own definitions of what the inbox API answers (type-only: nothing is bundled).
export type {
  CannedResponse,
  ContactProfile,
  ConversationDetail,
  ConversationListItem,
  InviteView,
  Me,
  NotificationSettings,
  OperatorWorkspaceView,
  Role,
  SavedView,
  SavedViewFilters,
  SnoozeView,
  UserView,
} from '@switchboard/inbox-http-api';

export type {
  AgentSkill,
  AgentView,
  Channel,
  ConversationStatus,
  ConversationView,
  CustomerHitView,
  CustomerView,
  LabelView,
  MessageHitView,
  MessageTemplate,
  MessageTemplateView,
  MessageView,
  Page,
  QueueStatsView,
  QueueView,
  RoutingDecisionView,
  RoutingStep,
  SearchResultsView,
  SmsNumberView,
  TextRange,
  WidgetAppearanceView,
  WidgetSettingsView,
} from '@switchboard/contracts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fieldViolations: { field: string; description: string }[] = [],
    /** The answer's `error` object: its `code` and whatever else that error carries. */
    readonly body: { code?: string; [key: string]: unknown } = {},
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
let onUnauthenticated: () => void = () => undefined;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** The CSRF header for a state-changing request made outside `api()` (a file upload). */
export function csrfHeader(): Record<string, string> {
  return csrfToken ? { 'x-csrf-token': csrfToken } : {};
}

export function whenSignedOut(handler: () => void): void {
  onUnauthenticated = handler;
}

/** The inbox API: JSON both ways, the session cookie sent by the browser, the CSRF token by us. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(`/api/inbox${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  if (response.status === 204) return undefined as T;
  const json = (await response.json().catch(() => ({}))) as {
    error?: {
      code?: string;
      message: string;
      fieldViolations?: { field: string; description: string }[];
    };
  };
  if (!response.ok) {
    if (response.status === 401 && path !== '/session') onUnauthenticated();
    const violations = json.error?.fieldViolations ?? [];
    const detail = violations.map((v) => `${v.field}: ${v.description}`).join('; ');
    throw new ApiError(
      response.status,
      (json.error?.message ?? `request failed (${response.status})`) + (detail ? ` — ${detail}` : ''),
      violations,
      json.error ?? {},
    );
  }
  return json as T;
}

export function query(params: Record<string, string | undefined>): string {
  const entries = Object.entries(params).filter(
    (e): e is [string, string] => e[1] !== undefined && e[1] !== '',
  );
  return entries.length ? `?${new URLSearchParams(entries).toString()}` : '';
}

export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

export type { ConversationStatus as Status };
