import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import type { EventDefinition } from '@switchboard/contracts';
import { EventBus, type SubscriptionHandle, type SubscriptionSpec, topicsOf } from './event-bus.js';

/**
 * One consumer group's subscription as a consumer declares it: what it accepts and how it handles
 * a batch. Its topics are those of the definitions it accepts, unless it names them.
 */
export type ConsumerSpec<D extends EventDefinition> = Omit<SubscriptionSpec<D>, 'topics'> & {
  readonly topics?: readonly string[];
};

/**
 * Checks one declaration's handler against the definitions it accepts, and completes it with their
 * topics.
 */
export function consume<D extends EventDefinition>(spec: ConsumerSpec<D>): SubscriptionSpec {
  return { ...spec, topics: spec.topics ?? topicsOf(spec.accepts) } as unknown as SubscriptionSpec;
}

/**
 * A Nest provider that consumes from the bus while the application runs. It declares its
 * subscriptions (`subscriptions()`, one per consumer group, each built with `consume()`); this
 * subscribes them once the application has started and, before it shuts down, stops them (each
 * lets its batch in flight finish). A subclass passes the bus to `super()` and keeps its own
 * dependencies.
 */
export abstract class EventConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private handles: readonly SubscriptionHandle[] = [];

  protected constructor(protected readonly bus: EventBus) {}

  protected abstract subscriptions(): readonly SubscriptionSpec[];

  async onApplicationBootstrap(): Promise<void> {
    this.handles = await Promise.all(this.subscriptions().map((spec) => this.bus.subscribe(spec)));
  }

  /** Settles once every subscription has joined its group and been given partitions (tests wait on it). */
  get assigned(): Promise<void> {
    return Promise.all(this.handles.map((handle) => handle.assigned)).then(() => undefined);
  }

  async beforeApplicationShutdown(): Promise<void> {
    const handles = this.handles;
    this.handles = [];
    await Promise.all(handles.map((handle) => handle.stop()));
  }
}
