import type { BotHandoffReason, BotMode, BotReleaseReason, grpcV1 } from '@switchboard/contracts';

const MODES: Record<BotMode, grpcV1.BotMode__Output> = {
  off: 'BOT_MODE_OFF',
  'built-in': 'BOT_MODE_BUILT_IN',
  external: 'BOT_MODE_EXTERNAL',
};

/** BotMode both ways (ADR 0083). */
export const botModes = {
  toProto: (mode: BotMode): grpcV1.BotMode__Output => MODES[mode],
  /** Undefined for the UNSPECIFIED value (or anything unknown). */
  fromProto: (value: string | number | undefined): BotMode | undefined =>
    (Object.keys(MODES) as BotMode[]).find((mode) => MODES[mode] === String(value)),
};

const RELEASE_REASONS: Record<BotReleaseReason, grpcV1.BotHandOffReason__Output> = {
  low_confidence: 'BOT_HAND_OFF_REASON_LOW_CONFIDENCE',
  asked_for_person: 'BOT_HAND_OFF_REASON_ASKED_FOR_PERSON',
  not_helpful: 'BOT_HAND_OFF_REASON_NOT_HELPFUL',
  bot_switched_off: 'BOT_HAND_OFF_REASON_BOT_SWITCHED_OFF',
  bot_timeout: 'BOT_HAND_OFF_REASON_BOT_TIMEOUT',
  taken_over: 'BOT_HAND_OFF_REASON_TAKEN_OVER',
};

export function releaseReasonToProto(reason: BotReleaseReason | null): grpcV1.BotHandOffReason__Output {
  return reason === null ? 'BOT_HAND_OFF_REASON_UNSPECIFIED' : RELEASE_REASONS[reason];
}

/** The reasons a bot may give in HandOff; routing's own (timeout, switch-off, takeover) are not among them. */
export function handOffReasonFromProto(value: string | number | undefined): BotHandoffReason | undefined {
  switch (String(value)) {
    case 'BOT_HAND_OFF_REASON_LOW_CONFIDENCE':
      return 'low_confidence';
    case 'BOT_HAND_OFF_REASON_ASKED_FOR_PERSON':
      return 'asked_for_person';
    case 'BOT_HAND_OFF_REASON_NOT_HELPFUL':
      return 'not_helpful';
    default:
      return undefined;
  }
}
