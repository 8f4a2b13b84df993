import { RoutingEngine } from '../core/routing-engine.js';
import type { RoutingStep } from '@switchboard/contracts';
import type { SimulatedAgent, SimulatedArrival, SimulatedRouter } from './simulation-types.js';

/** The routing steps the simulator gives each skill's queue unless told otherwise. */
export function defaultSteps(skill: string): RoutingStep[] {
  return [
    { expression: `${skill} >= 4`, expiresAfterSeconds: 60 },
    { expression: `${skill} >= 2`, expiresAfterSeconds: 40 },
  ];
}

/** Switchboard's router: the real routing core, one queue per skill with widening steps. */
export class SwitchboardRouter implements SimulatedRouter {
  readonly name = 'switchboard';
  /** Decisions whose explanation does not name a reason and the chosen agent first. */
  readonly unexplained: string[] = [];
  private readonly engine: RoutingEngine;

  constructor(
    private readonly clock: () => number,
    private readonly steps: (skill: string) => RoutingStep[] = defaultSteps,
  ) {
    this.engine = new RoutingEngine({ clock, resolvedKeptMs: 0, explainRunnersUp: 0 });
  }

  start(agents: readonly SimulatedAgent[], skills: readonly string[]): void {
    skills.forEach((skill, i) =>
      this.engine.upsertQueue({
        id: skill,
        name: skill,
        priority: 0,
        entry: { namedOnly: true },
        steps: this.steps(skill),
        mode: 'auto',
        offerTimeoutSeconds: 30,
        maxMissedOffers: 3,
        preferredAgent: null,
        createdAt: i,
      }),
    );
    for (const agent of agents) {
      this.engine.upsertAgent({
        agentId: agent.agentId,
        displayName: agent.agentId,
        skills: agent.skills,
        channelCapacity: { web: agent.capacity },
        defaultChannelCapacity: 0,
        maxConcurrent: agent.capacity,
        queueIds: [],
      });
      this.engine.setPresence(agent.agentId, 'online', 'agent', this.clock());
    }
    this.engine.takeChanges();
  }

  open(arrival: SimulatedArrival): void {
    this.engine.open({
      conversationId: arrival.conversationId,
      customerId: arrival.customerId,
      channel: 'web',
      channelAccountId: null,
      customerAttributes: {},
      hints: { queue: arrival.skill },
    });
  }

  finish(conversationId: string): void {
    this.engine.resolve(conversationId);
  }

  advance(): void {
    this.engine.advance();
  }

  nextDeadline(): number | undefined {
    return this.engine.nextDeadline();
  }

  takeAssignments() {
    this.engine.takeChanges();
    return this.engine.takeEffects().flatMap((e) => {
      if (e.kind !== 'assigned') return [];
      if (!e.explanation.reason || e.explanation.candidates[0]?.agentId !== e.agentId)
        this.unexplained.push(e.conversationId);
      return [{ conversationId: e.conversationId, agentId: e.agentId }];
    });
  }
}
