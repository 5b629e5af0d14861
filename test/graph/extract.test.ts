/** Extraction: every node kind and edge kind from a hand-built IR, a compiled example, and names declared nowhere. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EDGE_KINDS, NODE_KINDS } from '../../local/graph/graph.js';
import { extractGraph } from '../../local/graph/extract.js';
import { compile } from '../../shared/lang/index.js';
import { agent, irOf } from '../helpers/ir-builder.js';
import { fullIr } from './full-ir.js';

const edgeRows = (ir = fullIr()) => extractGraph(ir).edges.map((e) => [e.from, e.kind, e.to, e.detail ?? null]);

describe('extractGraph', () => {
  it('makes one node per resource and per pipeline step, of every kind', () => {
    const graph = extractGraph(fullIr());
    expect(new Set(graph.nodes.map((n) => n.kind))).toEqual(new Set(NODE_KINDS));
    expect(graph.nodes.map((n) => n.id)).toEqual([
      'secret:api-token',
      'secret:admin-key',
      'secret:registry',
      'secret:keys',
      'prompt:helper',
      'type:ticket',
      'skill:search',
      'skill:shell',
      'server:docs',
      'client:docs-client',
      'guardrail:no-secrets',
      'agent:triage',
      'agent:fixer',
      'agent:backup',
      'pipeline:flow',
      'step:flow/first',
      'step:flow/second',
      'deploy:cluster',
      'user:alice',
      'user:bob',
      'environment:prod',
      'policy:models',
      'plugin:extra',
      'import:shared',
    ]);
    expect(graph.package).toEqual({ name: 'test', version: '0.1.0' });
  });

  it('draws every reference with its kind, from the user of a thing to the thing', () => {
    expect(edgeRows()).toEqual([
      ['skill:search', 'calls_tool', 'server:docs', 'search_docs'],
      ['skill:shell', 'uses_secret', 'secret:api-token', 'TOKEN'],
      ['server:docs', 'exposes', 'skill:search', null],
      ['server:docs', 'uses_secret', 'secret:api-token', 'auth'],
      ['client:docs-client', 'connects_to', 'server:docs', null],
      ['agent:triage', 'uses_prompt', 'prompt:helper', null],
      ['agent:triage', 'uses_skill', 'skill:search', null],
      ['agent:triage', 'uses_guardrail', 'guardrail:no-secrets', null],
      ['agent:triage', 'uses_client', 'client:docs-client', null],
      ['agent:triage', 'delegates_to', 'agent:fixer', 'a fix is needed'],
      ['agent:triage', 'fallback', 'agent:backup', null],
      ['agent:triage', 'on_input_delegate', 'agent:backup', null],
      ['agent:triage', 'on_input_skill', 'skill:shell', null],
      ['agent:fixer', 'uses_skill', 'skill:shell', null],
      ['pipeline:flow', 'contains', 'step:flow/first', null],
      ['step:flow/first', 'runs', 'agent:triage', null],
      ['pipeline:flow', 'contains', 'step:flow/second', null],
      ['step:flow/second', 'runs', 'agent:fixer', null],
      ['step:flow/second', 'depends_on', 'step:flow/first', null],
      ['deploy:cluster', 'uses_secret', 'secret:api-token', 'API_TOKEN'],
      ['deploy:cluster', 'uses_secret', 'secret:keys', 'api_keys'],
      ['deploy:cluster', 'uses_secret', 'secret:registry', 'registry_auth'],
      ['user:alice', 'can_access', 'agent:triage', null],
      ['user:alice', 'can_access', 'agent:fixer', null],
      ['user:alice', 'uses_secret', 'secret:admin-key', 'key'],
      ['user:bob', 'can_access', 'agent:backup', null],
      ['environment:prod', 'overrides', 'agent:triage', null],
    ]);
    expect(new Set(extractGraph(fullIr()).edges.map((e) => e.kind))).toEqual(new Set(EDGE_KINDS));
  });

  it('writes out structured attributes: fields, tools, variables, on_input as text, no empty lists', () => {
    const byId = new Map(extractGraph(fullIr()).nodes.map((n) => [n.id, n.attributes]));
    expect(byId.get('prompt:helper')).toEqual({ content: 'You help with {{topic}}.', variables: ['topic: string (required)'] });
    expect(byId.get('type:ticket')).toEqual({ fields: ['id: string (required)', 'tags: list string'] });
    expect(byId.get('skill:search')).toMatchObject({ tool: 'mcp docs/search_docs', input: ['query: string (required)'] });
    expect(byId.get('skill:shell')).not.toHaveProperty('input');
    const triage = byId.get('agent:triage')!;
    expect(triage).toMatchObject({
      models: ['claude-sonnet-4-20250514', 'claude-haiku-4-5'],
      budget: ['daily 5 USD', 'monthly 100 USD'],
      guardrails: ['no-secrets'],
      config: ['greeting: string = Hello'],
      delegates: ['fixer when a fix is needed'],
      on_input: [
        'if input.urgent',
        '  delegate to backup',
        'else',
        '  for each q in input.queries',
        '    use skill shell with { q: q }',
        'respond config.greeting',
      ].join('\n'),
    });
    expect(triage).not.toHaveProperty('metadata');
    expect(byId.get('step:flow/second')).toEqual({
      pipeline: 'flow',
      agent: 'fixer',
      parallel: false,
      depends_on: ['first'],
      when: 'steps.first.output != ""',
    });
    expect(byId.get('guardrail:no-secrets')).toEqual({ mode: 'block', keywords: ['password'], patterns: ['\\d{16}'], fallback: 'I cannot share that.' });
    expect(byId.get('environment:prod')).toEqual({ overrides: ['Agent triage: max_turns=4'] });
  });

  it('links a user key only to a declared secret (else it names an environment variable)', () => {
    expect(edgeRows().filter(([from]) => from === 'user:bob')).toEqual([['user:bob', 'can_access', 'agent:backup', null]]);
  });

  it('gives a name referenced but declared nowhere a node marked missing, and draws a repeated reference once', () => {
    const ir = irOf(
      agent('a', {
        skills: ['ghost'],
        ...({
          on_input: [
            { kind: 'use_skill', skill: 'ghost' },
            { kind: 'use_skill', skill: 'ghost' },
          ],
        } as object),
      }),
    );
    const graph = extractGraph(ir);
    expect(graph.nodes.find((n) => n.id === 'skill:ghost')).toEqual({ id: 'skill:ghost', kind: 'skill', name: 'ghost', attributes: { missing: true } });
    expect(graph.edges).toEqual([
      { from: 'agent:a', to: 'skill:ghost', kind: 'uses_skill' },
      { from: 'agent:a', to: 'skill:ghost', kind: 'on_input_skill' },
    ]);
  });

  it('reads compiled IntentLang 3.0: guardrails, users and the skills and agents on_input names', () => {
    const compiled = (name: string) => compile(readFileSync(`test/fixtures/corpus/valid/${name}`, 'utf8'), { file: name }).ir!;
    expect(edgeRows(compiled('16-v3-guardrail-user.ias')).filter(([, kind]) => kind !== 'uses_prompt')).toEqual([
      ['agent:assistant', 'uses_guardrail', 'guardrail:no-secrets', null],
      ['agent:assistant', 'uses_guardrail', 'guardrail:tone', null],
      ['agent:assistant', 'uses_guardrail', 'guardrail:card-numbers', null],
      ['user:alice', 'can_access', 'agent:assistant', null],
      ['user:alice', 'can_access', 'agent:reporter', null],
      ['user:alice', 'uses_secret', 'secret:alice-key', 'key'],
      ['user:bob', 'can_access', 'agent:assistant', null],
    ]);
    expect(edgeRows(compiled('15-v3-on-input.ias')).filter(([, kind]) => String(kind).startsWith('on_input'))).toEqual([
      ['agent:router', 'on_input_skill', 'skill:lookup-invoice', null],
      ['agent:router', 'on_input_delegate', 'agent:billing', null],
      ['agent:router', 'on_input_skill', 'skill:search', null],
      ['agent:router', 'on_input_skill', 'skill:fetch_document', null],
    ]);
  });

  it('reads a compiled package: the review example', () => {
    const source = readFileSync('examples/review/pipeline.ias', 'utf8');
    const { ir } = compile(source, { file: 'pipeline.ias' });
    const graph = extractGraph(ir!);
    expect(graph.nodes.filter((n) => n.kind === 'step').map((n) => n.name)).toEqual(['analyze', 'security', 'summary']);
    expect(edgeRows(ir).filter(([, kind]) => kind === 'depends_on' || kind === 'runs')).toEqual([
      ['step:code-review/analyze', 'runs', 'agent:analyzer', null],
      ['step:code-review/security', 'runs', 'agent:scanner', null],
      ['step:code-review/summary', 'runs', 'agent:writer', null],
      ['step:code-review/summary', 'depends_on', 'step:code-review/analyze', null],
      ['step:code-review/summary', 'depends_on', 'step:code-review/security', null],
    ]);
    expect(graph.nodes.some((n) => n.attributes.missing === true)).toBe(false);
  });
});
