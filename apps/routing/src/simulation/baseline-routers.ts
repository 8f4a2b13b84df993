import type { SimulatedAgent, SimulatedArrival, SimulatedRouter } from './simulation-types.js';

/** What the open-source peers do: one first-in-first-out line, skills ignored. */
abstract class SkillBlindRouter implements SimulatedRouter {
  abstract readonly name: string;
  protected agents: { agent: SimulatedAgent; load: number }[] = [];
  private readonly waiting: string[] = [];
  private readonly holder = new Map<string, number>();
  private assignments: { conversationId: string; agentId: string }[] = [];

  start(agents: readonly SimulatedAgent[]): void {
    this.agents = agents.map((agent) => ({ agent, load: 0 }));
  }

  open(arrival: SimulatedArrival): void {
    this.waiting.push(arrival.conversationId);
    this.drain();
  }

  finish(conversationId: string): void {
    const index = this.holder.get(conversationId);
    if (index === undefined) {
      const at = this.waiting.indexOf(conversationId);
      if (at >= 0) this.waiting.splice(at, 1);
      return;
    }
    this.holder.delete(conversationId);
    this.agents[index]!.load--;
    this.drain();
  }

  advance(): void {}

  nextDeadline(): undefined {
    return undefined;
  }

  takeAssignments() {
    const taken = this.assignments;
    this.assignments = [];
    return taken;
  }

  /** Index of the agent to take the next conversation, among those with room; -1 when none. */
  protected abstract choose(): number;

  private drain(): void {
    while (this.waiting.length > 0) {
      const index = this.choose();
      if (index < 0) return;
      const conversationId = this.waiting.shift()!;
      this.agents[index]!.load++;
      this.holder.set(conversationId, index);
      this.assignments.push({ conversationId, agentId: this.agents[index]!.agent.agentId });
    }
  }
}

/** Chatwoot's and Rocket.Chat's default: the next agent in turn who has room. */
export class RoundRobinRouter extends SkillBlindRouter {
  readonly name = 'round-robin';
  private next = 0;

  protected choose(): number {
    for (let i = 0; i < this.agents.length; i++) {
      const index = (this.next + i) % this.agents.length;
      const a = this.agents[index]!;
      if (a.load < a.agent.capacity) {
        this.next = index + 1;
        return index;
      }
    }
    return -1;
  }
}

/** Least-loaded with a cap (Rocket.Chat's load balancing, Tiledesk): the agent with the fewest chats. */
export class LeastLoadedRouter extends SkillBlindRouter {
  readonly name = 'least-loaded';

  protected choose(): number {
    let best = -1;
    for (let i = 0; i < this.agents.length; i++) {
      const a = this.agents[i]!;
      if (a.load >= a.agent.capacity) continue;
      if (best < 0 || a.load < this.agents[best]!.load) best = i;
    }
    return best;
  }
}
