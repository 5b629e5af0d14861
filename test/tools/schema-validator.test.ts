/** Tool input/output validation: the JSON Schema 2020-12 features the lowering emits, and readable violations. */
import { describe, expect, it } from 'vitest';
import { compile } from '../../shared/lang/index.js';
import { resourcesOf } from '../../shared/ir/index.js';
import { SchemaValidator } from '../../shared/tools/schema-validator.js';

const PACKAGE = `package "v" version "1.0.0" lang "2.0"
type "order" {
  id string required
  total number
  created timestamp
  tags list string
}
skill "s" {
  description "d"
  input {
    order "order" required
    note string
  }
  tool http {
    method "GET"
    url "http://127.0.0.1:9/x"
  }
}
`;

function inputSchema() {
  const { ir, diagnostics } = compile(PACKAGE, { file: 'v.ias' });
  if (!ir) throw new Error(diagnostics[0]?.message);
  return resourcesOf(ir, 'Skill')[0]!.attributes.input_schema;
}

describe('SchemaValidator', () => {
  it('accepts input that matches a lowered schema with a named type', () => {
    // Prepare
    const validator = new SchemaValidator();

    // Act
    const check = validator.validate(inputSchema(), { order: { id: 'A1', total: 3, created: '2026-11-23T10:00:00Z', tags: ['x'] } });

    // Assess
    expect(check).toEqual({ ok: true });
  });

  it('names every violation with its pointer: nested types, formats, required properties', () => {
    // Prepare
    const validator = new SchemaValidator();

    // Act
    const check = validator.validate(inputSchema(), { order: { total: 'many', created: 'yesterday', tags: [1] } });

    // Assess
    expect(check.ok).toBe(false);
    const message = (check as { message: string }).message;
    expect(message).toContain('/order: Instance does not have required property "id"');
    expect(message).toContain('/order/total: Instance type "string" is invalid. Expected "number"');
    expect(message).toContain('/order/created: String does not match format "date-time"');
    expect(message).toContain('/order/tags/0: Instance type "number" is invalid. Expected "string"');
    expect(message).not.toContain('does not match schema');
    expect(message.endsWith('.')).toBe(false);
  });

  it('says plainly which extra property a closed object refuses', () => {
    // Prepare
    const validator = new SchemaValidator();
    const closed = { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false };

    // Act
    const check = validator.validate(closed, { a: 'x', surprise: true });

    // Assess
    expect(check).toEqual({ ok: false, message: '(root): property "surprise" is not allowed' });
  });

  it("reports a map's bad value once, at the value, not as a refused property", () => {
    // Prepare
    const validator = new SchemaValidator();
    const map = { type: 'object', additionalProperties: { type: 'string' } };

    // Act
    const check = validator.validate(map, { ok: 'x', bad: 3 });

    // Assess
    expect(check).toEqual({ ok: false, message: '/bad: Instance type "number" is invalid. Expected "string"' });
  });

  it('builds one validator per schema object and rejects a schema that is not an object', () => {
    // Prepare
    const validator = new SchemaValidator();
    const schema = { type: 'object' };

    // Act / Assess
    expect(validator.compile(schema)).toBe(validator.compile(schema));
    expect(() => validator.compile(42 as unknown as Record<string, unknown>)).toThrow(/must be an object/);
  });
});
