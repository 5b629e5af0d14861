/**
 * One placeholder grammar: what the validator reports as a placeholder is
 * exactly what the prompt, pipeline and http-tool renderers fill, and what it
 * does not report stays literal text in all three.
 */
import { describe, expect, it } from 'vitest';
import { placeholders } from '../../shared/lang/templates.js';
import { compilePrompt, renderPrompt } from '../../shared/loop/prompt-template.js';
import { renderTemplate } from '../../shared/pipeline/template.js';
import { render } from '../../shared/tools/template.js';
import { irWith, vaultFor } from '../tools/fixtures.js';

/** Every renderer is given a value for every name it could be asked for. */
const VALUES: Record<string, string> = { name: 'Ada', 'a.b': 'AB', 'order-id': 'A-1', 'trigger.x': 'TX', 'steps.fetch-data.output': 'OUT' };

const CASES: { template: string; names: string[] }[] = [
  { template: 'Hello {{name}}!', names: ['name'] },
  { template: 'Hello {{  name }}!', names: ['name'] },
  { template: 'deep {{a.b}} and {{order-id}}', names: ['a.b', 'order-id'] },
  { template: 'literal {{ foo bar }} stays', names: [] },
  { template: 'literal {{items[0]}} stays', names: [] },
  { template: 'literal {{1st}} and {{a..b}} and {{}} stay', names: [] },
  { template: 'braces {{{name}}}', names: ['name'] },
];

function nested(flat: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(flat)) {
    const keys = path.split('.');
    let at = out;
    for (const key of keys.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
    at[keys.at(-1)!] = value;
  }
  return out;
}

/** What a renderer must produce: each reported placeholder replaced by its value, everything else as written. */
function expected(template: string, names: string[], value = (name: string) => VALUES[name]!): string {
  let out = template;
  for (const name of names) out = out.replace(new RegExp(`\\{\\{\\s*${name.replace(/[.-]/g, '\\$&')}\\s*\\}\\}`, 'g'), value(name));
  return out;
}

describe.each(CASES)('$template', ({ template, names }) => {
  it('the validator reports exactly these placeholders', () => {
    expect(placeholders(template)).toEqual(names);
  });

  it('the prompt renderer fills exactly those', () => {
    const variables = Object.keys(VALUES).map((name) => ({ name, type: 'string' as const, required: false }));
    expect(renderPrompt(compilePrompt(template, variables), VALUES)).toBe(expected(template, names));
  });

  it('the pipeline renderer fills exactly those (names outside trigger and steps render empty)', () => {
    const rendered = renderTemplate(template, { trigger: nested(VALUES), outputs: new Map() });
    expect(rendered).toBe(expected(template, names, () => ''));
  });

  it('the http-tool renderer fills exactly those', async () => {
    const rendered = await render(template, nested(VALUES), 'text', vaultFor(irWith({})));
    expect(rendered).toBe(expected(template, names));
  });
});
