// History's replay alone, for a command that must not load the rest of history (ADR 0118): the
// app's index composes HistoryModule, whose database registration a command would repeat.
export { HistoryReplayModule } from './history-replay.module.js';
