/**
 * Routing-step eligibility expressions over an agent's skills, e.g. `billing >= 4 AND spanish >= 3`.
 *
 *   expr       := or
 *   or         := and ( OR and )*
 *   and        := not ( AND not )*
 *   not        := NOT not | primary
 *   primary    := ( expr ) | TRUE | skill [ op integer ]
 *   op         := >= | > | <= | < | = | != | <>
 *
 * Keywords are case-insensitive; skills are lower-case names (`[a-z][a-z0-9_-]*`). A bare skill
 * means "has it" (proficiency ≥ 1); a skill the agent lacks has proficiency 0, so `NOT french`
 * and `french < 1` read the same. Compiled once into a closure: evaluation allocates nothing.
 */
export type SkillLevels = ReadonlyMap<string, number>;

export interface EligibilityExpression {
  /** The expression as written (trimmed). */
  readonly source: string;
  /** Canonical form: upper-case keywords, explicit parentheses. */
  readonly canonical: string;
  /** Skills the expression names (an agent's eligibility changes only when one of these does). */
  readonly skills: readonly string[];
  matches(skills: SkillLevels): boolean;
}

export class ExpressionSyntaxError extends Error {
  override readonly name = 'ExpressionSyntaxError';
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at position ${position + 1}`);
  }
}

const MAX_EXPRESSION_LENGTH = 1000;
const MAX_DEPTH = 32;

type Token =
  | { kind: 'skill'; value: string; at: number }
  | { kind: 'number'; value: number; at: number }
  | { kind: 'op'; value: Comparison; at: number }
  | { kind: 'and' | 'or' | 'not' | 'true' | 'lparen' | 'rparen' | 'end'; at: number };

type Comparison = '>=' | '>' | '<=' | '<' | '=' | '!=';

interface Node {
  readonly canonical: string;
  readonly evaluate: (skills: SkillLevels) => boolean;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '(') {
      tokens.push({ kind: 'lparen', at: i++ });
      continue;
    }
    if (c === ')') {
      tokens.push({ kind: 'rparen', at: i++ });
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '>=' || two === '<=' || two === '!=' || two === '<>' || two === '==') {
      const value: Comparison = two === '<>' ? '!=' : two === '==' ? '=' : two;
      tokens.push({ kind: 'op', value, at: i });
      i += 2;
      continue;
    }
    if (c === '>' || c === '<' || c === '=') {
      tokens.push({ kind: 'op', value: c, at: i++ });
      continue;
    }
    if (c >= '0' && c <= '9') {
      const start = i;
      while (i < text.length && text[i]! >= '0' && text[i]! <= '9') i++;
      tokens.push({ kind: 'number', value: Number(text.slice(start, i)), at: start });
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const start = i;
      while (i < text.length && /[A-Za-z0-9_-]/.test(text[i]!)) i++;
      const word = text.slice(start, i);
      const upper = word.toUpperCase();
      if (upper === 'AND' || upper === 'OR' || upper === 'NOT' || upper === 'TRUE') {
        tokens.push({ kind: upper.toLowerCase() as 'and' | 'or' | 'not' | 'true', at: start });
      } else if (/^[a-z][a-z0-9_-]*$/.test(word)) {
        tokens.push({ kind: 'skill', value: word, at: start });
      } else {
        throw new ExpressionSyntaxError(
          `skill names are lower-case letters, digits, "_" or "-": "${word}"`,
          start,
        );
      }
      continue;
    }
    throw new ExpressionSyntaxError(`unexpected character "${c}"`, i);
  }
  tokens.push({ kind: 'end', at: text.length });
  return tokens;
}

class Parser {
  private index = 0;
  readonly skills = new Set<string>();

  constructor(private readonly tokens: Token[]) {}

  parse(): Node {
    const node = this.or(0);
    const next = this.peek();
    if (next.kind !== 'end') throw new ExpressionSyntaxError(`unexpected ${describe(next)}`, next.at);
    return node;
  }

  private peek(): Token {
    return this.tokens[this.index]!;
  }

  private take(): Token {
    return this.tokens[this.index++]!;
  }

  private or(depth: number): Node {
    let left = this.and(depth);
    while (this.peek().kind === 'or') {
      this.take();
      const right = this.and(depth);
      const [l, r] = [left, right];
      left = {
        canonical: `(${l.canonical} OR ${r.canonical})`,
        evaluate: (s) => l.evaluate(s) || r.evaluate(s),
      };
    }
    return left;
  }

  private and(depth: number): Node {
    let left = this.not(depth);
    while (this.peek().kind === 'and') {
      this.take();
      const right = this.not(depth);
      const [l, r] = [left, right];
      left = {
        canonical: `(${l.canonical} AND ${r.canonical})`,
        evaluate: (s) => l.evaluate(s) && r.evaluate(s),
      };
    }
    return left;
  }

  private not(depth: number): Node {
    if (depth > MAX_DEPTH) throw new ExpressionSyntaxError('expression nested too deeply', this.peek().at);
    if (this.peek().kind === 'not') {
      this.take();
      const inner = this.not(depth + 1);
      return { canonical: `NOT ${inner.canonical}`, evaluate: (s) => !inner.evaluate(s) };
    }
    return this.primary(depth);
  }

  private primary(depth: number): Node {
    const token = this.take();
    switch (token.kind) {
      case 'lparen': {
        const inner = this.or(depth + 1);
        const close = this.take();
        if (close.kind !== 'rparen')
          throw new ExpressionSyntaxError(`expected ")" but found ${describe(close)}`, close.at);
        return inner;
      }
      case 'true':
        return { canonical: 'TRUE', evaluate: () => true };
      case 'skill': {
        const skill = token.value;
        this.skills.add(skill);
        if (this.peek().kind !== 'op') return compare(skill, '>=', 1);
        const op = this.take() as Extract<Token, { kind: 'op' }>;
        const level = this.take();
        if (level.kind !== 'number') {
          throw new ExpressionSyntaxError(
            `expected a proficiency (0-5) after "${op.value}" but found ${describe(level)}`,
            level.at,
          );
        }
        if (level.value > 5)
          throw new ExpressionSyntaxError(`proficiency is 0 to 5, not ${level.value}`, level.at);
        return compare(skill, op.value, level.value);
      }
      case 'and':
      case 'or':
      case 'not':
      case 'end':
      case 'number':
      case 'op':
      case 'rparen':
        throw new ExpressionSyntaxError(
          `expected a skill, "(", NOT or TRUE but found ${describe(token)}`,
          token.at,
        );
    }
  }
}

function compare(skill: string, op: Comparison, level: number): Node {
  const canonical = `${skill} ${op} ${level}`;
  const get = (s: SkillLevels) => s.get(skill) ?? 0;
  switch (op) {
    case '>=':
      return { canonical, evaluate: (s) => get(s) >= level };
    case '>':
      return { canonical, evaluate: (s) => get(s) > level };
    case '<=':
      return { canonical, evaluate: (s) => get(s) <= level };
    case '<':
      return { canonical, evaluate: (s) => get(s) < level };
    case '=':
      return { canonical, evaluate: (s) => get(s) === level };
    case '!=':
      return { canonical, evaluate: (s) => get(s) !== level };
  }
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'skill':
      return `skill "${token.value}"`;
    case 'number':
      return `number ${token.value}`;
    case 'op':
      return `"${token.value}"`;
    case 'end':
      return 'the end of the expression';
    case 'lparen':
      return '"("';
    case 'rparen':
      return '")"';
    case 'and':
    case 'or':
    case 'not':
    case 'true':
      return token.kind.toUpperCase();
  }
}

/** Parses and compiles; throws ExpressionSyntaxError saying what and where. */
export function parseEligibilityExpression(text: string): EligibilityExpression {
  const source = text.trim();
  if (source.length === 0) throw new ExpressionSyntaxError('the expression is empty', 0);
  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionSyntaxError(
      `the expression is longer than ${MAX_EXPRESSION_LENGTH} characters`,
      MAX_EXPRESSION_LENGTH,
    );
  }
  const parser = new Parser(tokenize(source));
  const root = parser.parse();
  return { source, canonical: root.canonical, skills: [...parser.skills], matches: root.evaluate };
}

/** The implicit last step of every queue: any agent of the queue. */
export const ANY_AGENT: EligibilityExpression = {
  source: 'TRUE',
  canonical: 'TRUE',
  skills: [],
  matches: () => true,
};
