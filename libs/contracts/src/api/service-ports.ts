import { HISTORY_API, type HistoryApi } from './history-api.js';
import { ROUTING_API, type RoutingApi } from './routing-api.js';

/**
 * A service interface as a transport sees it: its name on the wire, its DI token and every method
 * name. The method lists are checked against the interfaces (`satisfies Record<keyof …, true>`), so
 * a method added to a port and forgotten here fails to compile rather than to be callable.
 */
export interface ServicePort<T> {
  readonly name: string;
  readonly token: symbol;
  readonly methods: readonly (keyof T & string)[];
}

/** A port's method names, from a record the compiler checks against the interface. */
export function methodsOf<T>(methods: Record<keyof T & string, true>): (keyof T & string)[] {
  return Object.keys(methods) as (keyof T & string)[];
}

export const historyApiPort: ServicePort<HistoryApi> = {
  name: 'history',
  token: HISTORY_API,
  methods: methodsOf<HistoryApi>({
    getCustomer: true,
    findCustomers: true,
    updateCustomer: true,
    mergeCustomers: true,
    undoMerge: true,
    listMerges: true,
    listMergeSuggestions: true,
    eraseCustomer: true,
    exportCustomer: true,
    getTimeline: true,
    searchMessages: true,
    search: true,
    listLabels: true,
    createLabel: true,
    updateLabel: true,
    deleteLabel: true,
    setLabels: true,
    getConversation: true,
    openConversation: true,
    listConversations: true,
    countConversations: true,
    listMessages: true,
    listAssignments: true,
    setConversationStatus: true,
    sendMessage: true,
    replayRecords: true,
  }),
};

export const routingApiPort: ServicePort<RoutingApi> = {
  name: 'routing',
  token: ROUTING_API,
  methods: methodsOf<RoutingApi>({
    upsertAgent: true,
    createAgent: true,
    updateAgent: true,
    getAgent: true,
    listAgents: true,
    removeAgent: true,
    setPresence: true,
    upsertQueue: true,
    getQueue: true,
    listQueues: true,
    deleteQueue: true,
    getQueueStats: true,
    getDecision: true,
    listBotConversations: true,
    transfer: true,
    answerOffer: true,
    takeOver: true,
    planStaffing: true,
    getArrivalHistory: true,
  }),
};
