import type { AgentView, QueueView } from './api.js';
import { knownSkills, skillRowsOf, skillsSummary, toAgentSkills } from './agent-skills.js';

const agent = (skills: { skill: string; proficiency: number }[]) =>
  ({ agentId: 'a', skills, defaultChannelCapacity: 3 }) as unknown as AgentView;
const queue = (...expressions: string[]) =>
  ({
    steps: expressions.map((expression) => ({ expression, expiresAfterSeconds: null })),
  }) as unknown as QueueView;

describe("agents' skills form model", () => {
  it('reads an agent’s skills as rows and writes them back the same, lower-cased and trimmed', () => {
    const rows = skillRowsOf(
      agent([
        { skill: 'billing', proficiency: 4 },
        { skill: 'spanish', proficiency: 2 },
      ]),
    );
    expect(rows).toEqual([
      { skill: 'billing', level: '4' },
      { skill: 'spanish', level: '2' },
    ]);
    expect(toAgentSkills([...rows, { skill: '  VIP ', level: '5' }], '7')).toEqual({
      errors: {},
      defaultChannelCapacity: 7,
      skills: [
        { skill: 'billing', proficiency: 4 },
        { skill: 'spanish', proficiency: 2 },
        { skill: 'vip', proficiency: 5 },
      ],
    });
    expect(skillRowsOf(undefined)).toEqual([]);
    expect(toAgentSkills([], '0')).toEqual({ errors: {}, defaultChannelCapacity: 0, skills: [] });
  });

  it('names each problem by the API’s field path: empty, badly named, listed twice, level, capacity', () => {
    const { errors } = toAgentSkills(
      [
        { skill: '', level: '3' },
        { skill: 'Bad skill!', level: '3' },
        { skill: 'billing', level: '9' },
        { skill: 'Billing', level: '2' },
        { skill: 'or', level: '1' },
      ],
      '101',
    );
    expect(errors).toEqual({
      'skills.0.skill': 'Pick a skill.',
      'skills.1.skill': expect.stringContaining('lower-case name') as string,
      'skills.2.proficiency': 'Level is a whole number from 1 to 5.',
      'skills.3.skill': 'billing is listed already: keep one.',
      'skills.4.skill': expect.stringContaining('lower-case name') as string,
      defaultChannelCapacity: 'Capacity is a whole number of conversations from 0 to 100.',
    });
    expect(toAgentSkills([], '').errors).toHaveProperty('defaultChannelCapacity');
    expect(toAgentSkills([], '2.5').errors).toHaveProperty('defaultChannelCapacity');
    const many = Array.from({ length: 51 }, (_, i) => ({ skill: `s${i}`, level: '1' }));
    expect(toAgentSkills(many, '5').errors).toEqual({ skills: 'At most 50 skills.' });
  });

  it('knows the skills of every agent and every one a queue’s plain steps ask for, once each, sorted', () => {
    expect(
      knownSkills(
        [agent([{ skill: 'spanish', proficiency: 1 }]), agent([{ skill: 'billing', proficiency: 3 }])],
        [queue('billing >= 4 AND french = 2', 'vip'), queue('tech >= 1 OR sales >= 1')],
      ),
    ).toEqual(['billing', 'french', 'spanish', 'vip']);
  });

  it('sums an agent’s skills up in a line', () => {
    expect(skillsSummary(agent([{ skill: 'billing', proficiency: 4 }]))).toBe('billing 4');
    expect(skillsSummary(undefined)).toBe('no skills');
  });
});
