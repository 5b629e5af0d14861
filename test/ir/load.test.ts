/** The IR schema, loadIR and canonical hashing. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compile } from '../../shared/lang/index.js';
import { canonicalJson, loadIR, sha256Hex, validateIR, type IRDocument } from '../../shared/ir/index.js';
import { isAgentSpecError } from '../../shared/errors.js';

const source = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'corpus', 'valid', '02-all-tools.ias'), 'utf8');
const makeIR = (): IRDocument => structuredClone(compile(source, { file: 'x.ias' }).ir!);

describe('canonicalJson / sha256Hex', () => {
  it('sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
  });
  it('matches a reference built on Array.prototype.sort for any JSON value, keys in any script', () => {
    // Reference: the obvious recursive definition.
    const reference = (v: unknown): string => {
      if (v === null || typeof v !== 'object') return v === undefined ? 'null' : JSON.stringify(v);
      if (Array.isArray(v)) return `[${v.map((x) => reference(x === undefined ? null : x)).join(',')}]`;
      const record = v as Record<string, unknown>;
      const keys = Object.keys(record)
        .sort()
        .filter((k) => record[k] !== undefined);
      return `{${keys.map((k) => `${JSON.stringify(k)}:${reference(record[k])}`).join(',')}}`;
    };
    const key = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom('10', '9', 'a', 'B', 'é', '𝒳', '__proto__x'));
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small' },
        fc.constant(undefined),
        fc.constant(null),
        fc.boolean(),
        fc.double({ noNaN: true }),
        fc.string(),
        fc.array(tie('tree'), { maxLength: 4 }),
        fc.dictionary(key, tie('tree'), { maxKeys: 6 }),
      ),
    }));
    fc.assert(
      fc.property(tree, (value) => canonicalJson(value) === reference(value)),
      { numRuns: 500 },
    );
  });
  it('hashes to lower-case hex SHA-256', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('validateIR / loadIR', () => {
  it('accepts lowered IR', () => {
    const ir = makeIR();
    expect(validateIR(ir)).toEqual({ valid: true, errors: [] });
    expect(loadIR(JSON.parse(JSON.stringify(ir)))).toEqual(ir);
  });

  it.each([
    ['a wrong ir_version', (ir: IRDocument) => Object.assign(ir, { ir_version: '9' })],
    ['an unknown resource kind', (ir: IRDocument) => Object.assign(ir.resources[0]!, { kind: 'Gadget' })],
    ['an out-of-range max_turns', (ir: IRDocument) => Object.assign(ir.resources.find((r) => r.kind === 'Agent')!.attributes, { max_turns: 0 })],
    ['an unknown tool type', (ir: IRDocument) => Object.assign(ir.resources.find((r) => r.kind === 'Skill')!.attributes, { tool: { type: 'ftp' } })],
    ['a missing hash', (ir: IRDocument) => Object.assign(ir, { hash: undefined })],
  ])('rejects %s with invalid_request', (_name, spoil) => {
    const ir = makeIR();
    spoil(ir);
    const json = JSON.parse(JSON.stringify(ir)) as unknown;
    expect(validateIR(json).valid).toBe(false);
    try {
      loadIR(json);
      expect.unreachable();
    } catch (error) {
      expect(isAgentSpecError(error, 'invalid_request')).toBe(true);
      expect((error as { details: { errors: string[] } }).details.errors.length).toBeGreaterThan(0);
    }
  });

  it("reports a violation against the resource's own kind and tool type, with its pointer, not every alternative", () => {
    // Prepare
    const ir = makeIR();
    const agent = ir.resources.findIndex((r) => r.kind === 'Agent');
    const skill = ir.resources.findIndex((r) => r.kind === 'Skill');
    Object.assign(ir.resources[agent]!.attributes, { max_turns: 0 });
    Object.assign(ir.resources[skill]!.attributes, { tool: { type: 'ftp' } });

    // Act
    const { errors } = validateIR(JSON.parse(JSON.stringify(ir)));

    // Assess
    expect(errors).toEqual([
      expect.stringMatching(new RegExp(`^/resources/${Math.min(agent, skill)}/`)),
      expect.stringMatching(new RegExp(`^/resources/${Math.max(agent, skill)}/`)),
    ]);
    expect(errors).toContain(`/resources/${agent}/attributes/max_turns: 0 is less than 1`);
    expect(errors.join('\n')).toContain(`/resources/${skill}/attributes/tool/type: Instance does not match any of ["mcp","http","command","inline"]`);
  });

  it('rejects non-objects', () => {
    expect(() => loadIR('nope')).toThrow(/Invalid IR document/);
  });
});
