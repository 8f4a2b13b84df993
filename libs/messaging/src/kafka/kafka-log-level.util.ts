import type { LogEntry } from 'kafkajs';
import { logLevel } from './kafkajs.js';

export type BusLogLevel = 'debug' | 'warn' | 'error';

/**
 * States a healthy cluster passes through (a broker starting, a leader election, a topic just
 * created, a group's coordinator loading or moving): Kafka answers with a retriable error and
 * kafkajs asks again by itself. kafkajs logs each answer at error level; they are debug here.
 */
const TRANSIENT_BROKER_STATES: readonly string[] = [
  'This server does not host this topic-partition', // UNKNOWN_TOPIC_OR_PARTITION
  'There is no leader for this topic-partition', // LEADER_NOT_AVAILABLE
  'This server is not the leader for that topic-partition', // NOT_LEADER_OR_FOLLOWER
  'The replica is not available', // REPLICA_NOT_AVAILABLE
  'The coordinator is loading', // COORDINATOR_LOAD_IN_PROGRESS
  'The group coordinator is not available', // COORDINATOR_NOT_AVAILABLE
  'This is not the correct coordinator for this group', // NOT_COORDINATOR
  'This is not the correct controller for this cluster', // NOT_CONTROLLER
  'The group is rebalancing', // REBALANCE_IN_PROGRESS
  'The leader high watermark has not caught up', // OFFSET_NOT_AVAILABLE
  'The leader epoch in the request is', // FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH
  'The fetch session ID was not found', // FETCH_SESSION_ID_NOT_FOUND
  'The fetch session epoch is invalid', // INVALID_FETCH_SESSION_EPOCH
  'The preferred leader was not available',
  'Eligible topic partition leaders are not available',
  'There are unstable offsets that need to be cleared',
  'The group member needs to have a valid member id', // MEMBER_ID_REQUIRED: the join's first step
  // Apps starting together create the same topics: TOPIC_ALREADY_EXISTS, which createTopics()
  // resolves; any other creation error it throws, and the bus reports that.
  'Topic creation errors',
];

/**
 * The broker unreachable or answering late: an outage, which the bus reports on its own terms (a
 * publish fails with EventBusUnavailableError, readiness fails, consumers wait for the broker).
 * kafkajs logs every attempt at error level; one warning line each is enough.
 */
const BROKER_UNREACHABLE: readonly string[] = [
  'Connection error',
  'Connection timeout',
  'Closed connection',
  'Failed to connect to seed broker',
  'Failed to connect to broker',
  'The request timed out', // REQUEST_TIMED_OUT
  'Request timed out',
  'The server disconnected before a response was received', // NETWORK_EXCEPTION
  'fewer in-sync replicas than required', // NOT_ENOUGH_REPLICAS(_AFTER_APPEND): a replica is away
  'The coordinator is not aware of this member', // after an outage: kafkajs rejoins the group
  'Restarting the consumer',
  'ECONNREFUSED',
  'ECONNRESET',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSRequestTimeoutError',
];

/**
 * The level a kafkajs log entry deserves here: kafkajs reports what it retries by itself at error
 * level, which would make every clean start and every broker restart look like a failure. Only
 * what is left (a bad configuration, a protocol error that won't go away) stays an error.
 */
export function kafkaLogLevel(entry: Pick<LogEntry, 'level' | 'log'>): BusLogLevel {
  switch (entry.level) {
    case logLevel.INFO:
    case logLevel.DEBUG:
    case logLevel.NOTHING:
      return 'debug';
    case logLevel.WARN:
      return matches(entry, TRANSIENT_BROKER_STATES) ? 'debug' : 'warn';
    case logLevel.ERROR:
      if (matches(entry, TRANSIENT_BROKER_STATES)) return 'debug';
      return matches(entry, BROKER_UNREACHABLE) ? 'warn' : 'error';
  }
}

/**
 * The level for the bus's own line about a kafkajs error (a consumer that could not start or
 * crashed): debug for a transient broker state, warn for anything else it retries.
 */
export function kafkaErrorLevel(description: string): 'debug' | 'warn' {
  return TRANSIENT_BROKER_STATES.some((pattern) => description.includes(pattern)) ? 'debug' : 'warn';
}

function matches(entry: Pick<LogEntry, 'log'>, patterns: readonly string[]): boolean {
  const { message, error } = entry.log as { message: string; error?: unknown };
  const text = typeof error === 'string' ? `${message} ${error}` : message;
  return patterns.some((pattern) => text.includes(pattern));
}
