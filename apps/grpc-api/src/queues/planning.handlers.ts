import type { grpcV1, RoutingApi, StaffingFiguresView, StaffingPlanView } from '@switchboard/contracts';
import { timestamp } from '../mapping/proto-views.util.js';
import type { RpcHandlerFactory } from '../server/rpc-handler.factory.js';
import { Violations } from '../server/request-validation.util.js';

const METHODS: Record<StaffingPlanView['method'], grpcV1.PlanningMethod> = {
  'erlang-c': 'PLANNING_METHOD_ERLANG_C',
  'erlang-a': 'PLANNING_METHOD_ERLANG_A',
  simulation: 'PLANNING_METHOD_SIMULATION',
};

/**
 * QueueService's planning methods: the shape checked here, the numbers by routing's validation
 * (which names the field), the planning done by routing (RoutingApi.planStaffing).
 */
export function planningHandlers(
  rpc: RpcHandlerFactory,
  routing: RoutingApi,
): Pick<grpcV1.QueueServiceHandlers, 'PlanStaffing' | 'GetArrivalHistory'> {
  return {
    PlanStaffing: rpc.unary('PlanStaffing', 'read', async (req: grpcV1.PlanStaffingRequest__Output, ctx) => {
      const v = new Violations();
      if (req.arrivalsByHour.length < 1 || req.arrivalsByHour.length > 168)
        v.add('arrivals_by_hour', 'one to 168 hourly intervals');
      if (req.scheduled.length > 0 && req.scheduled.length !== req.arrivalsByHour.length)
        v.add('scheduled', 'one entry per interval of arrivals_by_hour, or none');
      if (req.maxChats !== 0) v.integer('max_chats', req.maxChats, 1, 10);
      if (req.concurrency.length > 10) v.add('concurrency', 'at most 10 points');
      if (req.queueId) v.text('queue_id', req.queueId, 1, 200);
      if (req.steps.length > 20) v.add('steps', 'at most 20 steps');
      req.steps.forEach((step, i) => {
        v.text(`steps[${i}].expression`, step.expression, 1, 1000);
        if (step._expiresAfterSeconds)
          v.integer(`steps[${i}].expires_after_seconds`, step.expiresAfterSeconds ?? 0, 1, 86_400);
        else if (i < req.steps.length - 1)
          v.add(`steps[${i}].expires_after_seconds`, 'is required on every step but the last');
      });
      if (req.team.length > 1000) v.add('team', 'at most 1,000 profiles');
      v.throwIfAny();
      const plan = await routing.planStaffing(ctx.principal.workspaceId, {
        arrivalsByHour: [...req.arrivalsByHour],
        handleSeconds: req.handleSeconds,
        targetSeconds: req.targetSeconds,
        serviceLevelPercent: req.serviceLevelPercent,
        patienceSeconds: req._patienceSeconds ? req.patienceSeconds! : null,
        maxChats: req.maxChats || 1,
        ...(req.concurrency.length > 0 ? { concurrency: [...req.concurrency] } : {}),
        ...(req.scheduled.length > 0 ? { scheduled: [...req.scheduled] } : {}),
        ...(req.timeZone ? { timeZone: req.timeZone } : {}),
        ...(req.queueId ? { queueId: req.queueId } : {}),
        ...(req.steps.length > 0
          ? {
              steps: req.steps.map((step) => ({
                expression: step.expression,
                expiresAfterSeconds: step._expiresAfterSeconds ? step.expiresAfterSeconds! : null,
              })),
            }
          : {}),
        ...(req.team.length > 0
          ? {
              team: req.team.map((p) => ({
                skills: p.skills.map((s) => ({ skill: s.skill, proficiency: s.proficiency })),
                share: p.share,
              })),
            }
          : {}),
      });
      return {
        method: METHODS[plan.method],
        basis: plan.basis,
        timeZone: plan.timeZone,
        intervals: plan.intervals.map((i) => ({
          hour: i.hour,
          arrivals: i.arrivals,
          agentsNeeded: i.agentsNeeded,
          expected: figures(i.expected),
          scheduled: i.scheduled,
          expectedScheduled: figures(i.expectedScheduled),
          method: METHODS[i.method],
          answeredByStepPercent: i.answeredByStepPercent ?? [],
        })),
      };
    }),
    GetArrivalHistory: rpc.unary(
      'GetArrivalHistory',
      'read',
      async (req: grpcV1.GetArrivalHistoryRequest__Output, ctx) => {
        const v = new Violations().text('queue_id', req.queueId, 1, 200);
        if (req.timeZone) v.text('time_zone', req.timeZone, 1, 64);
        if (req.weeks !== 0) v.integer('weeks', req.weeks, 1, 12);
        v.throwIfAny();
        const history = await routing.getArrivalHistory(
          ctx.principal.workspaceId,
          req.queueId,
          req.weeks || 4,
          req.timeZone || 'UTC',
        );
        return {
          queueId: history.queueId,
          weeks: history.weeks,
          from: timestamp(history.from),
          to: timestamp(history.to),
          arrivalsByHour: history.arrivalsByHour,
          ...(history.meanHandleSeconds === null ? {} : { meanHandleSeconds: history.meanHandleSeconds }),
          conversations: String(history.conversations),
          timeZone: history.timeZone,
          ...(history.concurrency === null
            ? {}
            : {
                concurrency: {
                  factors: history.concurrency.factors,
                  chats: String(history.concurrency.chats),
                  aloneHandleSeconds: history.concurrency.aloneHandleSeconds,
                },
              }),
        };
      },
    ),
  };
}

function figures(f: StaffingFiguresView): grpcV1.StaffingFigures {
  return {
    serviceLevelPercent: f.serviceLevelPercent,
    ...(f.averageWaitSeconds === null ? {} : { averageWaitSeconds: f.averageWaitSeconds }),
    occupancyPercent: f.occupancyPercent,
    abandonPercent: f.abandonPercent,
  };
}
