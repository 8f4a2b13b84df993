import { z } from 'zod';
import { eventEnvelopeSchema } from './envelope.js';
import type { EventDefinition } from './event-definition.js';
import { allEventDefinitions } from './event-registry.js';

/**
 * A definition checks events through zod's compiled fast path (ADR 0156). zod promises the same
 * output and the same errors as its runtime parser; these specs hold it to that for every event
 * type the contracts define, on valid events and on malformed variants of each: what a consumer
 * sees (unknown keys stripped, defaults filled, strings trimmed, in the schema's key order) and
 * what a dead letter says must not move.
 */

/** The parts of a zod schema's definition the samples and variants below are built from. */
interface SchemaDef {
  readonly type: string;
  readonly shape?: Readonly<Record<string, z.ZodType>>;
  readonly innerType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly entries?: Readonly<Record<string, string>>;
  readonly values?: readonly unknown[];
  readonly keyType?: z.ZodType;
  readonly valueType?: z.ZodType;
}

const defOf = (schema: z.ZodType): SchemaDef => schema._zod.def;

/** What each definition's `parse` is measured against: zod's runtime parser, uncompiled. */
function runtimeSchema(definition: EventDefinition): z.ZodType {
  return eventEnvelopeSchema.extend({
    type: z.literal(definition.type),
    version: z.literal(definition.version),
    payload: definition.payloadSchema,
  });
}

const STRING_CANDIDATES = [
  '0b6f4a1e-3c2d-4e5f-8a9b-1c2d3e4f5a6b',
  '2026-12-06T10:00:00.000Z',
  '+15551230003',
  'en_US',
  'reply_template',
  'a',
];

/** A value the schema accepts: every optional field present (`full`) or absent. */
function sample(schema: z.ZodType, full: boolean): unknown {
  const def = defOf(schema);
  switch (def.type) {
    case 'object': {
      const value: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(def.shape!)) {
        const kind = defOf(child).type;
        if (!full && (kind === 'optional' || kind === 'default')) continue;
        value[key] = sample(child, full);
      }
      return value;
    }
    case 'string':
      return STRING_CANDIDATES.find((c) => schema.safeParse(c).success) ?? 'a';
    case 'number':
      return 3;
    case 'boolean':
      return full;
    case 'enum':
      return Object.values(def.entries!)[0];
    case 'literal':
      return def.values![0];
    case 'union':
      return sample(def.options![0]!, full);
    case 'array':
      return full ? [sample(def.element!, full)] : [];
    case 'record':
      return full ? { [String(sample(def.keyType!, full))]: sample(def.valueType!, full) } : {};
    case 'optional':
    case 'nullable':
    case 'default':
      return sample(def.innerType!, full);
    default:
      return {};
  }
}

/** Values to put where `schema` stands in place of `value`: wrong types, bounds, other options. */
function replacements(schema: z.ZodType, value: unknown): unknown[] {
  const def = defOf(schema);
  const wrongTypes = [null, 7, 'x', true, [], {}, -1];
  switch (def.type) {
    case 'string': {
      const text = String(value);
      return [
        ...wrongTypes,
        '',
        ` ${text}`,
        `${text} `,
        text.toUpperCase(),
        text.slice(1),
        `${text}Z`,
        text.replace(/\d/, 'g'),
        'x'.repeat(200),
        'x'.repeat(201),
        'x'.repeat(501),
        'x'.repeat(1025),
        'x'.repeat(4097),
        '2026-12-06T10:00:00',
        '2026-12-06T10:00:00+01:00',
        '2026-02-30T10:00:00Z',
        '0B6F4A1E-3C2D-4E5F-8A9B-1C2D3E4F5A6B',
      ];
    }
    case 'number':
      return [...wrongTypes, '3', 0, 1.5, 2 ** 53, 1e21, Number.NaN];
    case 'enum':
      return [...wrongTypes, ...Object.values(def.entries!), 'nope'];
    case 'literal':
      return [...wrongTypes, 'nope', 2, 0];
    case 'union':
      return [...wrongTypes, ...def.options!.flatMap((o) => [sample(o, true), sample(o, false)])];
    case 'array': {
      const items = Array.isArray(value) ? value : [];
      const one = sample(def.element!, true);
      return [
        ...wrongTypes,
        Array.from({ length: 20 }, () => one),
        Array.from({ length: 21 }, () => one),
        [...items, 7],
      ];
    }
    case 'object':
    case 'record': {
      const record = typeof value === 'object' && value !== null ? value : {};
      return [
        ...wrongTypes,
        // Unknown keys: stripped (or refused, where the object is strict), never passed on.
        { ...record, unknown: 1 },
        { unknown: 'x', ...record },
        withProtoKey(record),
        { ...record, ['x'.repeat(101)]: 'y' },
      ];
    }
    case 'optional':
    case 'nullable':
    case 'default':
      return [undefined, null, ...replacements(def.innerType!, value)];
    default:
      return wrongTypes;
  }
}

/** The record with an own `__proto__` key, as JSON.parse makes one. */
function withProtoKey(record: object): unknown {
  const rest = JSON.stringify(record).slice(1);
  return JSON.parse(`{"__proto__": {"polluted": true}${rest === '}' ? '' : ','}${rest}`) as unknown;
}

/** Every variant of `value`: each node replaced in turn, each key of each object taken away. */
function* variants(schema: z.ZodType, value: unknown): Generator<unknown> {
  const def = defOf(schema);
  if (def.type === 'optional' || def.type === 'nullable' || def.type === 'default') {
    yield* variants(def.innerType!, value);
    return;
  }
  yield* replacements(schema, value);
  if (def.type === 'object' && typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    // Another key order: the output's is the schema's either way.
    yield Object.fromEntries(Object.entries(record).reverse());
    for (const [key, child] of Object.entries(def.shape!)) {
      const { [key]: taken, ...rest } = record;
      yield rest;
      for (const changed of variants(child, taken)) yield { ...record, [key]: changed };
    }
  } else if (def.type === 'array' && Array.isArray(value)) {
    const items = value as unknown[];
    for (const [index, item] of items.entries()) {
      for (const changed of variants(def.element!, item))
        yield items.map((v, i) => (i === index ? changed : v));
    }
  } else if (def.type === 'record' && typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      for (const changed of variants(def.valueType!, item)) yield { ...value, [key]: changed };
    }
  }
}

type Outcome =
  | { readonly ok: true; readonly value: unknown; readonly json: string }
  | { readonly ok: false; readonly issues: unknown };

function outcomeOf(run: () => unknown): Outcome {
  try {
    const value = run();
    // JSON keeps the key order, which toStrictEqual does not compare.
    return { ok: true, value, json: JSON.stringify(value) };
  } catch (error) {
    if (!(error instanceof z.ZodError)) throw error;
    return { ok: false, issues: error.issues };
  }
}

describe('event definitions checked by the compiled fast path (ADR 0156)', () => {
  it.each(allEventDefinitions.map((d) => [`${d.type}@${d.version}`, d] as const))(
    '%s: parses and refuses exactly as zod does, valid events and malformed ones',
    (_key, definition) => {
      const reference = runtimeSchema(definition);
      const valid = [sample(reference, true), sample(reference, false)].filter(
        (s) => reference.safeParse(s).success,
      );
      // Not a spec that passes on rejections alone: each type has a valid event to vary.
      expect(valid.length).toBeGreaterThan(0);
      let accepted = 0;
      let refused = 0;
      for (const base of valid) {
        for (const input of [base, ...variants(reference, base)]) {
          const expected = outcomeOf(() => reference.parse(structuredClone(input)));
          const actual = outcomeOf(() => definition.parse(structuredClone(input)));
          if (expected.ok) accepted += 1;
          else refused += 1;
          expect({ input, outcome: actual }).toStrictEqual({ input, outcome: expected });
        }
      }
      expect(accepted).toBeGreaterThan(valid.length);
      expect(refused).toBeGreaterThan(0);
    },
  );

  it('creates events as zod does: defaults filled, strings trimmed, the rest refused', () => {
    for (const definition of allEventDefinitions) {
      const reference = runtimeSchema(definition);
      for (const full of [true, false]) {
        const event = sample(reference, full) as { workspaceId: string; payload: unknown; id: string };
        const input = {
          workspaceId: event.workspaceId,
          payload: event.payload,
          id: event.id,
          occurredAt: '2026-12-06T10:00:00.000Z',
        };
        const expected = outcomeOf(() =>
          reference.parse({
            ...input,
            type: definition.type,
            version: definition.version,
            correlationId: event.id,
          }),
        );
        expect(outcomeOf(() => definition.create(structuredClone(input)))).toStrictEqual(expected);
      }
    }
  });

  it("checks a valid event without zod's runtime parser walking its payload", () => {
    for (const definition of allEventDefinitions) {
      const reference = runtimeSchema(definition);
      const event = [sample(reference, true), sample(reference, false)].find(
        (s) => reference.safeParse(s).success,
      );
      const internals = definition.payloadSchema._zod;
      const run = internals.run;
      let walked = 0;
      internals.run = (...args) => {
        walked += 1;
        return run.apply(internals, args);
      };
      try {
        definition.parse(event);
      } finally {
        internals.run = run;
      }
      expect({ type: definition.type, walked }).toEqual({ type: definition.type, walked: 0 });
    }
  });
});
