import type { AgentSkill, AgentView, QueueView } from './api.js';
import { draftOf, skillNameProblem } from './routing-steps.js';

/**
 * The agents' skills form's model (Admin → Users): a skill and its level 1–5 per row, and the
 * capacity per channel. Errors are keyed by the API's field paths (`skills.1.skill`,
 * `skills.0.proficiency`, `defaultChannelCapacity`) so that what the form finds and what the API
 * refuses are shown in the same place.
 */
export interface SkillRow {
  skill: string;
  /** As chosen: validated on save. */
  level: string;
}

export type SkillErrors = Record<string, string>;

/** The inbox API's limits (`PUT /admin/agents/:id`). */
export const MAX_SKILLS = 50;
export const MAX_CAPACITY = 100;
export const DEFAULT_CAPACITY = 5;

export function newSkillRow(): SkillRow {
  return { skill: '', level: '3' };
}

/** An agent's stored skills as the form shows them. */
export function skillRowsOf(agent: AgentView | undefined): SkillRow[] {
  return (agent?.skills ?? []).map((s) => ({ skill: s.skill, level: String(s.proficiency) }));
}

/** The skills and capacity as the API takes them, or what is wrong with them (nothing is sent then). */
export function toAgentSkills(
  rows: SkillRow[],
  capacity: string,
): { skills: AgentSkill[]; defaultChannelCapacity: number; errors: SkillErrors } {
  const errors: SkillErrors = {};
  if (rows.length > MAX_SKILLS) errors.skills = `At most ${MAX_SKILLS} skills.`;
  const seen = new Set<string>();
  const skills = rows.map((row, i): AgentSkill => {
    const skill = row.skill.trim().toLowerCase();
    const problem = skillNameProblem(skill);
    if (problem) errors[`skills.${i}.skill`] = problem;
    else if (seen.has(skill)) errors[`skills.${i}.skill`] = `${skill} is listed already: keep one.`;
    seen.add(skill);
    const level = Number(row.level);
    if (row.level.trim() === '' || !Number.isInteger(level) || level < 1 || level > 5)
      errors[`skills.${i}.proficiency`] = 'Level is a whole number from 1 to 5.';
    return { skill, proficiency: level };
  });
  const perChannel = Number(capacity);
  if (capacity.trim() === '' || !Number.isInteger(perChannel) || perChannel < 0 || perChannel > MAX_CAPACITY)
    errors.defaultChannelCapacity = `Capacity is a whole number of conversations from 0 to ${MAX_CAPACITY}.`;
  return { skills, defaultChannelCapacity: perChannel, errors };
}

/**
 * The workspace's known skills, to pick from: every agent's, and every one a queue's routing steps
 * ask for (a queue may need a skill no agent has yet: that is when it is given to one).
 */
export function knownSkills(agents: readonly AgentView[], queues: readonly QueueView[]): string[] {
  const fromSteps = queues.flatMap((q) =>
    q.steps.flatMap((step) => draftOf(step).conditions.map((c) => c.skill)),
  );
  return [...new Set([...agents.flatMap((a) => a.skills.map((s) => s.skill)), ...fromSteps])].sort();
}

/** "billing 4, spanish 3": an agent's skills in a line. */
export function skillsSummary(agent: AgentView | undefined): string {
  const skills = agent?.skills ?? [];
  return skills.length === 0 ? 'no skills' : skills.map((s) => `${s.skill} ${s.proficiency}`).join(', ');
}
