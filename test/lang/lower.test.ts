/** Lowering to IR: defaults, FQNs, hashes, environment overlays and JSON Schema of types. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../shared/lang/index.js';
import { canonicalJson, findResource, sha256Hex, validateIR, type IRDocument } from '../../shared/ir/index.js';

const corpus = (name: string) => readFileSync(join(import.meta.dirname, '..', 'fixtures', 'corpus', 'valid', name), 'utf8');
function lowered(source: string, env?: string): IRDocument {
  const result = compile(source, env === undefined ? { file: 't.ias' } : { file: 't.ias', env });
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return result.ir!;
}

describe('lowering', () => {
  it('applies agent defaults and selects anthropic for a bare model id', () => {
    const ir = lowered(corpus('01-minimal.ias'));
    const agent = findResource(ir, 'Agent', 'assistant')!;
    expect(agent.fqn).toBe('hello/Agent/assistant');
    expect(agent.attributes).toEqual({
      prompt: 'system',
      skills: [],
      model: 'claude-sonnet-4-20250514',
      provider: 'anthropic',
      strategy: 'react',
      max_turns: 10,
      timeout_ms: 120_000,
      token_budget: 100_000,
      stream: true,
      on_error: 'fail',
      max_retries: 3,
      memory: { strategy: 'sliding_window', max_messages: 50 },
      delegates: [],
      clients: [],
      metadata: {},
    });
  });

  it('keeps the package header and an FQN per resource', () => {
    const ir = lowered(corpus('02-all-tools.ias'));
    expect(ir.package).toEqual({ name: 'toolbox', version: '1.2.3', lang: '2.0' });
    expect(ir.resources.map((r) => r.fqn)).toContain('toolbox/Skill/weather');
    expect(ir.resources.map((r) => r.fqn)).toContain('toolbox/Secret/weather-token');
  });

  it('lowers every tool kind with durations in ms, sizes in bytes and default timeouts', () => {
    const ir = lowered(corpus('02-all-tools.ias'));
    expect(findResource(ir, 'Skill', 'read-note')!.attributes.tool).toEqual({ type: 'mcp', server: 'notes', tool: 'read_note' });
    expect(findResource(ir, 'Skill', 'weather')!.attributes.tool).toMatchObject({
      type: 'http',
      method: 'GET',
      timeout_ms: 5000,
      headers: { Accept: 'application/json' },
    });
    expect(findResource(ir, 'Skill', 'word-count')!.attributes.tool).toEqual({
      type: 'command',
      binary: 'wc',
      args: ['-w'],
      timeout_ms: 3000,
      env: { LC_ALL: 'C' },
      secrets: {},
    });
    expect(findResource(ir, 'Skill', 'slugify')!.attributes.tool).toMatchObject({ type: 'inline', language: 'python', memory_bytes: 128 * 1024 * 1024 });
    expect(findResource(ir, 'Skill', 'reverse')!.attributes.tool).toMatchObject({
      type: 'inline',
      memory_bytes: 256 * 1024 * 1024,
      secrets: { TOKEN: 'weather-token' },
    });
    const defaults = lowered(corpus('05-types.ias'));
    expect(findResource(defaults, 'Skill', 'get-order')!.attributes.tool).toMatchObject({ type: 'http', timeout_ms: 30_000, headers: {} });
  });

  it('lowers deploy defaults per target', () => {
    const ir = lowered(corpus('08-deploy-targets.ias'));
    expect(findResource(ir, 'Deploy', 'compose')!.attributes).toMatchObject({
      port: 8082,
      default: false,
      health: { path: '/healthz', interval_ms: 10_000, timeout_ms: 3_000 },
    });
    expect(findResource(ir, 'Deploy', 'prod')!.attributes).toMatchObject({
      namespace: 'agents',
      replicas: 3,
      autoscale: { min: 2, max: 10, metric: 'cpu', target: 70 },
    });
    expect(findResource(ir, 'Deploy', 'aws')!.attributes).toMatchObject({
      target: 'lambda',
      memory_bytes: 1024 ** 3,
      timeout_ms: 300_000,
      region: 'eu-west-1',
    });
    const k8s = lowered('package "k" version "1.0.0" lang "2.0"\ndeploy "k" target "kubernetes" {\n}\n');
    expect(findResource(k8s, 'Deploy', 'k')!.attributes).toMatchObject({ port: 8080, namespace: 'default', replicas: 1 });
    expect(findResource(ir, 'Secret', 'db-password')!.attributes).toEqual({ source: 'store', key: 'prod/everywhere/db-password' });
  });

  it('maps the plan-execute alias and keeps runtime settings', () => {
    expect(findResource(lowered(corpus('12-plan-execute-alias.ias')), 'Agent', 'planner')!.attributes.strategy).toBe('plan-and-execute');
    const primary = findResource(lowered(corpus('03-runtime-config.ias')), 'Agent', 'primary')!.attributes;
    expect(primary).toMatchObject({
      timeout_ms: 45_000,
      temperature: 0.2,
      stream: false,
      on_error: 'fallback',
      fallback: 'backup',
      memory: { strategy: 'summary', max_messages: 30 },
      metadata: { owner: 'platform', tier: 'gold' },
    });
  });

  it('lowers prompt variables with defaults coerced to their type', () => {
    const prompt = findResource(lowered(corpus('04-prompt-variables.ias')), 'Prompt', 'persona')!.attributes;
    expect(prompt.content).toContain('\nAnswer in {{language}}');
    expect(prompt.variables).toContainEqual({ name: 'max_attempts', type: 'number', required: false, default: 3 });
    expect(prompt.variables).toContainEqual({ name: 'customer', type: 'string', required: true });
  });

  it('compiles types to JSON Schema 2020-12, inlining references', () => {
    const ir = lowered(corpus('05-types.ias'));
    const order = findResource(ir, 'Type', 'order')!.attributes.schema;
    expect(order).toEqual({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: {
        id: { type: 'string' },
        status: { type: 'string', enum: ['pending', 'paid', 'shipped', 'delivered', 'cancelled'] },
        items: {
          type: 'array',
          items: {
            type: 'object',
            properties: { sku: { type: 'string' }, quantity: { type: 'integer' }, price: { type: 'number' } },
            required: ['sku', 'quantity'],
          },
        },
        placed_at: { type: 'string', format: 'date-time' },
        gift: { type: 'boolean', default: false },
      },
      required: ['id', 'status'],
    });
    const skill = findResource(ir, 'Skill', 'get-order')!.attributes;
    expect(skill.input_schema).toMatchObject({ type: 'object', properties: { id: { type: 'string' } }, required: ['id'] });
    expect((skill.output_schema as { properties: { order: unknown } }).properties.order).toMatchObject({ type: 'object', required: ['id', 'status'] });
  });

  it('hashes each resource over its canonical attributes and the document without its hash', () => {
    const ir = lowered(corpus('06-pipeline.ias'));
    for (const r of ir.resources) expect(r.hash).toBe(sha256Hex(canonicalJson(r.attributes)));
    const { hash, ...rest } = ir;
    expect(hash).toBe(sha256Hex(canonicalJson(rest)));
    expect(lowered(corpus('06-pipeline.ias')).hash).toBe(hash);
    const changed = lowered(corpus('06-pipeline.ias').replace('claude-haiku-4-5', 'claude-sonnet-4-20250514'));
    expect(changed.hash).not.toBe(hash);
    expect(findResource(changed, 'Prompt', 'analyze')!.hash).toBe(findResource(ir, 'Prompt', 'analyze')!.hash);
  });

  it('lowers pipelines with step defaults', () => {
    const steps = findResource(lowered(corpus('06-pipeline.ias')), 'Pipeline', 'code-review')!.attributes.steps;
    expect(steps[0]).toEqual({ name: 'analyze', agent: 'analyzer', input: '{{trigger.diff}}', output: 'findings', parallel: true, depends_on: [] });
    expect(steps[2]).toMatchObject({ name: 'summary', parallel: false, depends_on: ['analyze', 'security'] });
  });

  it('applies an environment overlay with values coerced to the attribute type', () => {
    const source = corpus('09-environments-policy-plugin.ias');
    const base = findResource(lowered(source), 'Agent', 'assistant')!.attributes;
    const ir = lowered(source, 'dev');
    expect(ir.environment).toBe('dev');
    expect(base).toMatchObject({ model: 'claude-sonnet-4-20250514', temperature: 0.5 });
    expect(findResource(ir, 'Agent', 'assistant')!.attributes).toMatchObject({ model: 'claude-haiku-4-5', temperature: 0.9 });
    expect(validateIR(ir).valid).toBe(true);
  });

  it('rejects an unknown environment', () => {
    const result = compile(corpus('09-environments-policy-plugin.ias'), { file: 't.ias', env: 'staging' });
    expect(result.ir).toBeUndefined();
    expect(result.diagnostics[0]!.message).toContain('Unknown environment "staging"');
  });

  it('lowers delegates, clients, policies, plugins and imports', () => {
    const desk = findResource(lowered(corpus('07-delegation.ias')), 'Agent', 'desk')!.attributes;
    expect(desk.delegates).toEqual([
      { agent: 'billing', when: 'the user asks about invoices, payments or refunds' },
      { agent: 'tech', when: 'the user reports an error or an outage' },
    ]);
    const connected = lowered(corpus('10-mcp-client.ias'));
    expect(findResource(connected, 'Client', 'workspace')!.attributes.servers).toEqual(['fs', 'wiki']);
    expect(findResource(connected, 'Agent', 'mapper')!.attributes.clients).toEqual(['workspace']);
    const governed = lowered(`${corpus('09-environments-policy-plugin.ias')}\nimport "github.com/acme/skills" version "1.2.0"\n`);
    expect(findResource(governed, 'Policy', 'guardrails')!.attributes.rules).toContainEqual({
      action: 'deny',
      subject: 'model',
      value: 'claude-3-opus-20240229',
    });
    expect(findResource(governed, 'Plugin', 'monitor')!.attributes).toEqual({ version: '1.0.0' });
    expect(findResource(governed, 'Import', 'github.com/acme/skills')!.attributes).toEqual({ source: 'github.com/acme/skills', version: '1.2.0' });
  });

  it('never puts secret values in the IR, only names', () => {
    process.env.LANG_TEST_SECRET = 'sup3r-s3cret';
    const ir = lowered('package "s" version "1.0.0" lang "2.0"\nsecret "k" { env(LANG_TEST_SECRET) }\n');
    expect(JSON.stringify(ir)).not.toContain('sup3r-s3cret');
    expect(findResource(ir, 'Secret', 'k')!.attributes).toEqual({ source: 'env', key: 'LANG_TEST_SECRET' });
  });
});
