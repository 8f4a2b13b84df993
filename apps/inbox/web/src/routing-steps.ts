import type { RoutingStep } from './api.js';

/**
 * The routing steps editor's model (ADR 0113): a step is skill conditions, all required, and a
 * wait before the next, wider step applies. Routing stores a step as an eligibility expression
 * (`billing >= 4 AND spanish >= 3`, see the routing core); the editor writes only that AND form,
 * and a step written with OR, NOT or parentheses (through the API) is kept as a custom expression
 * rather than rewritten.
 */
export type Comparison = '>=' | '=' | '<=';

export interface Condition {
  skill: string;
  comparison: Comparison;
  /** As typed: validated on save. */
  level: string;
}

export interface StepDraft {
  conditions: Condition[];
  /** Set when the stored expression is not a plain AND of comparisons: edited as text. */
  custom: string | null;
  /** Seconds as typed; empty on the last step means it never expires. */
  wait: string;
}

/** A problem with the steps, keyed like `steps.0.conditions.1.skill` or `steps.2.wait`. */
export type StepErrors = Record<string, string>;

export const MAX_STEPS = 20;
export const MAX_WAIT_SECONDS = 86_400;
const SKILL = /^[a-z][a-z0-9_-]{0,39}$/;
/** Words of routing's expression language: not skills. */
const RESERVED = /^(and|or|not|true)$/;

/** What is wrong with a skill's name (lower-cased already), or null: shared with the agents' skills form. */
export function skillNameProblem(skill: string): string | null {
  if (!skill) return 'Pick a skill.';
  if (!SKILL.test(skill) || RESERVED.test(skill))
    return 'A skill is a lower-case name: letters, digits, - and _, starting with a letter.';
  return null;
}
const CONDITION = /^([a-z][a-z0-9_-]*)\s*(?:(>=|=|<=)\s*(\d+))?$/i;

export function newCondition(): Condition {
  return { skill: '', comparison: '>=', level: '3' };
}

export function newStep(): StepDraft {
  return { conditions: [newCondition()], custom: null, wait: '' };
}

/** A stored step as the editor shows it. */
export function draftOf(step: RoutingStep): StepDraft {
  const wait = step.expiresAfterSeconds === null ? '' : String(step.expiresAfterSeconds);
  const conditions: Condition[] = [];
  for (const part of step.expression.split(/\s+AND\s+/i)) {
    const match = CONDITION.exec(part.trim());
    if (!match || /^(and|or|not|true)$/i.test(match[1]!))
      return { conditions: [], custom: step.expression, wait };
    conditions.push({
      skill: match[1]!.toLowerCase(),
      comparison: (match[2] as Comparison | undefined) ?? '>=',
      level: match[3] ?? '1', // a bare skill means "has it": proficiency ≥ 1
    });
  }
  return { conditions, custom: null, wait };
}

/** The steps as routing takes them, or what is wrong with them (nothing is sent then). */
export function toRoutingSteps(drafts: StepDraft[]): { steps: RoutingStep[]; errors: StepErrors } {
  const errors: StepErrors = {};
  if (drafts.length > MAX_STEPS) errors.steps = `At most ${MAX_STEPS} steps.`;
  const steps = drafts.map((draft, i): RoutingStep => {
    const at = `steps.${i}`;
    let expression: string;
    if (draft.custom !== null) {
      expression = draft.custom.trim();
      if (!expression) errors[`${at}.custom`] = 'Write an expression, or remove the step.';
    } else {
      if (draft.conditions.length === 0) errors[`${at}.conditions`] = 'Add at least one skill.';
      expression = draft.conditions
        .map((c, j) => {
          const skill = c.skill.trim().toLowerCase();
          const problem = skillNameProblem(skill);
          if (problem) errors[`${at}.conditions.${j}.skill`] = problem;
          const level = Number(c.level);
          if (c.level.trim() === '' || !Number.isInteger(level) || level < 1 || level > 5)
            errors[`${at}.conditions.${j}.level`] = 'Level is a whole number from 1 to 5.';
          return `${skill} ${c.comparison} ${c.level.trim()}`;
        })
        .join(' AND ');
    }
    const last = i === drafts.length - 1;
    const wait = draft.wait.trim();
    const seconds = Number(wait);
    if (wait === '' && !last)
      errors[`${at}.wait`] = 'Say how long this step waits before the next one applies.';
    else if (wait !== '' && (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_WAIT_SECONDS))
      errors[`${at}.wait`] = `Wait is a whole number of seconds from 1 to ${MAX_WAIT_SECONDS}.`;
    return { expression, expiresAfterSeconds: wait === '' ? null : seconds };
  });
  return { steps, errors };
}
