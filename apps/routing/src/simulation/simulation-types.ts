import type { AgentSkill } from '@switchboard/contracts';

export interface SimulatedArrival {
  readonly conversationId: string;
  readonly customerId: string;
  /** Seconds from the start of the run. */
  readonly at: number;
  /** The skill the conversation needs (its queue). */
  readonly skill: string;
  /** Seconds an expert (proficiency 4) takes; others take longer (see `handleFactor`). */
  readonly baseHandleSeconds: number;
  /** Seconds the customer waits before leaving unanswered. */
  readonly patienceSeconds: number;
}

export interface SimulatedAgent {
  readonly agentId: string;
  readonly skills: readonly AgentSkill[];
  readonly capacity: number;
}

/** What a router under test is asked to do; the simulator owns time. */
export interface SimulatedRouter {
  readonly name: string;
  start(agents: readonly SimulatedAgent[], skills: readonly string[]): void;
  open(arrival: SimulatedArrival): void;
  /** The conversation ended: handled to the end, or abandoned while waiting. */
  finish(conversationId: string): void;
  /** Fires whatever is due by now (routing steps widening). */
  advance(): void;
  nextDeadline(): number | undefined;
  takeAssignments(): { conversationId: string; agentId: string }[];
}

/**
 * How much longer a less skilled agent takes than an expert: the simulator's model of why skills
 * matter. Proficiency 0 (lacks the skill) takes 1.8×, 4 takes 1×, 5 takes 0.9×.
 */
export function handleFactor(proficiency: number): number {
  return [1.8, 1.6, 1.4, 1.2, 1.0, 0.9][Math.max(0, Math.min(5, proficiency))]!;
}
