import type { Weekday } from './channels-api.js';
import { methodsOf, type ServicePort } from './service-ports.js';

/**
 * The reporting store (apps/reporting, ADR 0101): figures built from the event log, by metric,
 * dimension and range, in calendar time or in the workspace's business hours. The gRPC
 * `ReportService` and the inbox's `/api/inbox/reports` both answer from it.
 */
export interface ReportingApi {
  getReport(workspaceId: string, query: ReportQuery): Promise<ReportView>;
  /** The clock reports are read on: the workspace's time zone and weekly hours (the inbox sets it). */
  setWorkspaceClock(workspaceId: string, clock: WorkspaceClock): Promise<void>;
  getWorkspaceClock(workspaceId: string): Promise<WorkspaceClock>;
}

/** Per conversation, grouped by the local hour it was created in. */
export const CONVERSATION_METRICS = [
  'conversations',
  'time_to_first_assignment',
  'first_response_time',
  'resolution_time',
  'resolved',
  'replies',
  'replies_per_conversation',
  'reopens',
  'bot_held',
  'bot_resolved',
  'bot_handed_off',
  'csat_responses',
  'csat_average',
  'csat_satisfied_percent',
] as const;
/** Per queue (the conversation's queue), grouped the same way. */
export const QUEUE_METRICS = [
  'offered',
  'answered',
  'answered_within_target',
  'abandoned',
  'abandonment_percent',
  'service_level_percent',
  'average_speed_of_answer',
] as const;
/** Per agent, from their presence and the conversations assigned to them. */
export const AGENT_METRICS = [
  'handled',
  'concurrency_mean',
  'concurrency_max',
  'occupancy_percent',
  'time_online',
] as const;
export const REPORT_METRICS = [...CONVERSATION_METRICS, ...QUEUE_METRICS, ...AGENT_METRICS] as const;
export type ReportMetric = (typeof REPORT_METRICS)[number];

/** Rows by period (local to the workspace), by queue, channel or agent, or one total row. */
export const REPORT_DIMENSIONS = [
  'total',
  'hour',
  'day',
  'week',
  'month',
  'queue',
  'channel',
  'agent',
] as const;
export type ReportDimension = (typeof REPORT_DIMENSIONS)[number];

/** The service-level targets the store keeps counts for (seconds to the first agent reply). */
export const SERVICE_LEVEL_TARGETS = [15, 30, 60, 120, 300] as const;
export type ServiceLevelTarget = (typeof SERVICE_LEVEL_TARGETS)[number];

export interface ReportQuery {
  metrics: ReportMetric[];
  dimension: ReportDimension;
  /** Local date-times in the workspace's time zone, `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`; `to` excluded. */
  from: string;
  to: string;
  /** `business`: durations count business hours only, counts only conversations created in them. */
  time?: 'calendar' | 'business';
  /** Seconds; 60 when absent. */
  serviceLevelTarget?: ServiceLevelTarget;
  queueId?: string;
  channel?: string;
  /**
   * Conversation and queue figures: only conversations that carry this label now (ADR 0123).
   * Agent figures take no label.
   */
  labelId?: string;
  /**
   * By agent: that agent's row only. Conversation and queue figures: only conversations assigned
   * to this agent at some time (ADR 0123).
   */
  agentId?: string;
}

export interface ReportRow {
  /** The period's local start (`YYYY-MM-DD`, `YYYY-MM-DDTHH:00`), a queue or agent id, a channel, or `total`. */
  key: string;
  /** Every metric asked for; null when undefined (an average of nothing). Durations in seconds. */
  values: Partial<Record<ReportMetric, number | null>>;
}

export interface ReportView {
  timeZone: string;
  time: 'calendar' | 'business';
  rows: ReportRow[];
}

export interface WorkspaceClock {
  /** IANA, e.g. `Europe/Paris`. */
  timeZone: string;
  /** Local `HH:MM` intervals per weekday; null: always open. */
  businessHours: Partial<Record<Weekday, { from: string; to: string }[]>> | null;
}

/** DI token under which the reporting module (in process) or the RPC client (remote) provides it. */
export const REPORTING_API = Symbol.for('switchboard.ReportingApi');

export const reportingApiPort: ServicePort<ReportingApi> = {
  name: 'reporting',
  token: REPORTING_API,
  methods: methodsOf<ReportingApi>({ getReport: true, setWorkspaceClock: true, getWorkspaceClock: true }),
};
