/**
 * Builds the dependency graph of a compiled package from its IR: a node per
 * resource and per pipeline step, an edge per reference by name. Pure (no
 * I/O), for the CLI and the playground alike. Reads resources by kind name,
 * so IR version 1 and the 3.0 additions (guardrails, users, an agent's
 * guardrails and on_input) go through the same code; a name referenced but
 * declared nowhere gets a node marked `missing`.
 */
import type { IRDocument } from '../../shared/ir/types.js';
import { type AttributeValue, type EdgeKind, type Graph, type GraphEdge, type GraphNode, type NodeKind, nodeId } from './graph.js';
import { referencesOf, statementLines, type Statement } from './statements.js';

type Attributes = Record<string, unknown>;
interface Resource {
  kind: string;
  name: string;
  attributes: Attributes;
}

/** IR resource kind → node kind. */
const KIND_OF: Record<string, NodeKind> = {
  Agent: 'agent',
  Prompt: 'prompt',
  Skill: 'skill',
  Server: 'server',
  Client: 'client',
  Pipeline: 'pipeline',
  Deploy: 'deploy',
  Secret: 'secret',
  Type: 'type',
  Guardrail: 'guardrail',
  User: 'user',
  Environment: 'environment',
  Policy: 'policy',
  Plugin: 'plugin',
  Import: 'import',
};

const isRecord = (v: unknown): v is Attributes => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const texts = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const records = (v: unknown): Attributes[] => (Array.isArray(v) ? v.filter(isRecord) : []);
const scalar = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** A value of the IR as shown: scalars as they are, lists of texts as lists, maps as `key=value` lines, anything else as JSON. */
function shown(value: unknown): AttributeValue | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(scalar);
  if (isRecord(value)) {
    const entries = Object.entries(value);
    return entries.length ? entries.map(([k, v]) => `${k}=${scalar(v)}`) : undefined;
  }
  return undefined;
}

/** The fields of an object schema as `name: type` lines (`required` marked). */
function fieldsOf(schema: unknown): string[] {
  if (!isRecord(schema)) return [];
  const required = new Set(texts(schema.required));
  const properties = isRecord(schema.properties) ? schema.properties : {};
  return Object.entries(properties).map(([name, s]) => `${name}: ${typeOf(s)}${required.has(name) ? ' (required)' : ''}`);
}

function typeOf(schema: unknown): string {
  if (!isRecord(schema)) return 'any';
  if (Array.isArray(schema.enum)) return `enum ${schema.enum.map(scalar).join(' | ')}`;
  if (schema.type === 'array') return `list ${typeOf(schema.items)}`;
  return text(schema.format) ?? scalar(schema.type ?? 'any');
}

function toolSummary(tool: unknown): string | undefined {
  if (!isRecord(tool)) return undefined;
  switch (tool.type) {
    case 'mcp':
      return `mcp ${scalar(tool.server)}/${scalar(tool.tool)}`;
    case 'http':
      return `http ${scalar(tool.method)} ${scalar(tool.url)}`;
    case 'command':
      return `command ${[tool.binary, ...texts(tool.args)].map(scalar).join(' ')}`;
    case 'inline':
      return `inline ${scalar(tool.language)}`;
    default:
      return scalar(tool.type);
  }
}

/** Attributes of a resource as shown, with the lists of structured entries written out per kind. */
function attributesOf(r: Resource): Record<string, AttributeValue> {
  const a = r.attributes;
  const out: Record<string, AttributeValue> = {};
  for (const [key, value] of Object.entries(a)) {
    const v = shown(value);
    if (v !== undefined && !(Array.isArray(v) && v.length === 0)) out[key] = v;
  }
  const set = (key: string, value: AttributeValue | undefined) => {
    if (value === undefined || (Array.isArray(value) && value.length === 0)) delete out[key];
    else out[key] = value;
  };
  switch (r.kind) {
    case 'Prompt':
      set(
        'variables',
        records(a.variables).map(
          (v) => `${scalar(v.name)}: ${scalar(v.type)}${v.required ? ' (required)' : ''}${v.default !== undefined ? ` = ${scalar(v.default)}` : ''}`,
        ),
      );
      break;
    case 'Type':
      delete out.schema;
      if (isRecord(a.schema) && a.schema.type === 'object') set('fields', fieldsOf(a.schema));
      else set('type', typeOf(a.schema));
      break;
    case 'Skill':
      delete out.input_schema;
      delete out.output_schema;
      set('input', fieldsOf(a.input_schema));
      set('output', fieldsOf(a.output_schema));
      set('tool', toolSummary(a.tool));
      break;
    case 'Agent':
      set('memory', isRecord(a.memory) ? `${scalar(a.memory.strategy)}, ${scalar(a.memory.max_messages)} messages` : undefined);
      set(
        'delegates',
        records(a.delegates).map((d) => `${scalar(d.agent)} when ${scalar(d.when)}`),
      );
      set(
        'config',
        records(a.config).map(
          (c) =>
            `${scalar(c.name)}: ${scalar(c.type)}${c.required ? ' (required)' : ''}${c.secret ? ' (secret)' : ''}${c.default !== undefined && !c.secret ? ` = ${scalar(c.default)}` : ''}`,
        ),
      );
      set(
        'validate',
        records(a.validate).map((v) => `${scalar(v.name)} (${scalar(v.severity)}): ${scalar(v.message)}`),
      );
      set(
        'eval',
        records(a.eval).map((e) => `${scalar(e.name)}: ${scalar(e.scoring)} ≥ ${scalar(e.threshold)}`),
      );
      set('on_input', Array.isArray(a.on_input) ? statementLines(a.on_input as Statement[]).join('\n') : undefined);
      set('budget', isRecord(a.budget) ? Object.entries(a.budget).map(([k, v]) => `${k} ${scalar(v)} USD`) : undefined);
      break;
    case 'Pipeline':
      set(
        'steps',
        records(a.steps).map((s) => scalar(s.name)),
      );
      break;
    case 'Deploy':
      set('health', isRecord(a.health) ? scalar(a.health.path) : undefined);
      break;
    case 'Environment':
      set(
        'overrides',
        records(a.overrides).map((o) => `${scalar(o.kind)} ${scalar(o.name)}: ${(shown(o.attributes) as string[] | undefined)?.join(', ') ?? ''}`),
      );
      break;
    case 'Policy':
      set(
        'rules',
        records(a.rules).map((rule) => `${scalar(rule.action)} ${scalar(rule.subject)} ${scalar(rule.value)}`),
      );
      break;
  }
  return out;
}

/** The dependency graph of `ir`. */
export function extractGraph(ir: IRDocument): Graph {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const seenEdges = new Set<string>();
  const resources = ir.resources as unknown as Resource[];
  const declared = new Set(resources.map((r) => `${r.kind}:${r.name}`));

  const edge = (from: string, to: string, kind: EdgeKind, detail?: string) => {
    const key = JSON.stringify([from, to, kind, detail]);
    if (seenEdges.has(key)) return;
    seenEdges.add(key);
    edges.push(detail === undefined ? { from, to, kind } : { from, to, kind, detail });
  };

  for (const r of resources) {
    const kind = KIND_OF[r.kind];
    if (!kind) continue;
    const id = nodeId(kind, r.name);
    nodes.push({ id, kind, name: r.name, attributes: attributesOf(r) });
    const a = r.attributes;
    const secretRef = (name: unknown, detail: string) => {
      if (typeof name === 'string') edge(id, nodeId('secret', name), 'uses_secret', detail);
    };
    switch (r.kind) {
      case 'Agent': {
        const prompt = text(a.prompt);
        if (prompt !== undefined) edge(id, nodeId('prompt', prompt), 'uses_prompt');
        for (const s of texts(a.skills)) edge(id, nodeId('skill', s), 'uses_skill');
        for (const g of texts(a.guardrails)) edge(id, nodeId('guardrail', g), 'uses_guardrail');
        for (const c of texts(a.clients)) edge(id, nodeId('client', c), 'uses_client');
        for (const d of records(a.delegates)) edge(id, nodeId('agent', scalar(d.agent)), 'delegates_to', text(d.when));
        const fallback = text(a.fallback);
        if (fallback !== undefined) edge(id, nodeId('agent', fallback), 'fallback');
        if (Array.isArray(a.on_input)) {
          for (const s of referencesOf(a.on_input as Statement[])) {
            if (s.kind === 'use_skill') edge(id, nodeId('skill', s.skill), 'on_input_skill');
            else edge(id, nodeId('agent', s.agent), 'on_input_delegate');
          }
        }
        break;
      }
      case 'Skill': {
        const tool = isRecord(a.tool) ? a.tool : {};
        if (tool.type === 'mcp') edge(id, nodeId('server', scalar(tool.server)), 'calls_tool', text(tool.tool));
        if (isRecord(tool.secrets)) for (const [env, secret] of Object.entries(tool.secrets)) secretRef(secret, env);
        break;
      }
      case 'Server':
        for (const s of texts(a.exposes)) edge(id, nodeId('skill', s), 'exposes');
        secretRef(a.auth, 'auth');
        break;
      case 'Client':
        for (const s of texts(a.servers)) edge(id, nodeId('server', s), 'connects_to');
        break;
      case 'Pipeline':
        for (const s of records(a.steps)) {
          const name = scalar(s.name);
          const stepId = nodeId('step', `${r.name}/${name}`);
          const attributes: Record<string, AttributeValue> = { pipeline: r.name };
          for (const [key, value] of Object.entries(s)) {
            const v = shown(value);
            if (key !== 'name' && v !== undefined && !(Array.isArray(v) && v.length === 0)) attributes[key] = v;
          }
          nodes.push({ id: stepId, kind: 'step', name, attributes });
          edge(id, stepId, 'contains');
          const agent = text(s.agent);
          if (agent !== undefined) edge(stepId, nodeId('agent', agent), 'runs');
          for (const dep of texts(s.depends_on)) edge(stepId, nodeId('step', `${r.name}/${dep}`), 'depends_on');
        }
        break;
      case 'Deploy':
        if (isRecord(a.secrets)) for (const [env, secret] of Object.entries(a.secrets)) secretRef(secret, env);
        secretRef(a.api_keys, 'api_keys');
        secretRef(a.registry_auth, 'registry_auth');
        break;
      case 'User':
        for (const agent of texts(a.agents)) edge(id, nodeId('agent', agent), 'can_access');
        // `key` names a secret or an environment variable; only a declared secret is a reference.
        if (typeof a.key === 'string' && declared.has(`Secret:${a.key}`)) secretRef(a.key, 'key');
        break;
      case 'Environment':
        for (const o of records(a.overrides)) {
          const target = KIND_OF[scalar(o.kind)];
          if (target) edge(id, nodeId(target, scalar(o.name)), 'overrides');
        }
        break;
    }
  }

  const known = new Set(nodes.map((n) => n.id));
  for (const e of edges) {
    if (known.has(e.to)) continue;
    known.add(e.to);
    const at = e.to.indexOf(':');
    const kind = e.to.slice(0, at) as NodeKind;
    const name = e.to.slice(at + 1);
    nodes.push({ id: e.to, kind, name: kind === 'step' ? name.slice(name.indexOf('/') + 1) : name, attributes: { missing: true } });
  }

  return { package: { name: ir.package.name, version: ir.package.version }, nodes, edges };
}
