/**
 * Lowering: a validated syntax tree to the IR of `shared/ir/types.ts` —
 * FQNs, defaults applied, durations in milliseconds, sizes in bytes, types as
 * JSON Schema, and content hashes.
 */
import type { Entry } from './ast.js';
import { attr, attrs, lastString, mapOf, scalar, str, strings, type DocumentIndex } from './document.js';
import { TypeCompiler } from './lower-types.js';
import { coerceDefault } from './lower-types.js';
import { parseDuration, parseSize } from './units.js';
import { createHash } from 'node:crypto';
import { canonicalJson, sha256Hex } from '../ir/hash.js';
import {
  IR_VERSION,
  type DeployTarget,
  type IRAgent,
  type IRDeploy,
  type IRDocument,
  type IRResource,
  type IRStep,
  type IRTool,
  type IRVariable,
  type ContainerNetwork,
  type DeployAuth,
  type OnError,
  type ScalarValue,
  type Strategy,
  type InlineLanguage as IRInlineLanguage,
  type IRGuardrail,
  type IRUser,
} from '../ir/types.js';
import type { FileNode } from './ast.js';
import { lowerCases, lowerConfig, lowerFlow, lowerRules, usesV3 } from './lower-agent-blocks.js';
import { V3_AGENT_ATTRIBUTES, V3_SKILL_ATTRIBUTES, V3_STATEMENTS } from './schema.js';
import { parseModel } from '../llm/model-string.js';

/** Language names the language accepts for the ones the IR keeps. */
const LANGUAGE_ALIASES: Readonly<Record<string, IRInlineLanguage>> = { node: 'javascript', python3: 'python', sh: 'bash' };
import { definedOnly } from '../defined.js';

const KINDS: Record<string, IRResource['kind']> = {
  prompt: 'Prompt',
  type: 'Type',
  skill: 'Skill',
  server: 'Server',
  client: 'Client',
  agent: 'Agent',
  pipeline: 'Pipeline',
  deploy: 'Deploy',
  secret: 'Secret',
  environment: 'Environment',
  policy: 'Policy',
  plugin: 'Plugin',
  import: 'Import',
  guardrail: 'Guardrail',
  user: 'User',
};

export const DEFAULTS = {
  agent: { strategy: 'react', max_turns: 10, timeout_ms: 120_000, token_budget: 100_000, stream: true, on_error: 'fail', max_retries: 3 },
  memory: { strategy: 'sliding_window', max_messages: 50 },
  tool_timeout_ms: { http: 30_000, command: 30_000, inline: 10_000 },
  inline_memory_bytes: 256 * 1024 * 1024,
  port: 8080,
  health: { path: '/healthz', interval_ms: 10_000, timeout_ms: 3_000 },
} as const;

const ms = (e: Entry | undefined): number | undefined => {
  const s = str(e);
  return s === undefined ? undefined : parseDuration(s);
};
/** `approval_timeout` in whole seconds (the validator keeps it within 1m..168h). */
const approvalTimeout = (e: Entry | undefined): number | undefined => {
  const value = ms(e);
  return value === undefined ? undefined : Math.ceil(value / 1000);
};
const num = (e: Entry | undefined): number | undefined => {
  const v = e?.args[0];
  return v?.type === 'number' ? v.value : undefined;
};
const bool = (e: Entry | undefined): boolean | undefined => {
  const v = e?.args[0];
  return v?.type === 'bool' ? v.value : undefined;
};

/** Lowers a validated file (with any environment already applied) to the IR document. */
export function lower(node: FileNode, doc: DocumentIndex, environment?: string): IRDocument {
  const header = node.entries.find((e) => e.key === 'package')!;
  const lang: '2.0' | '3.0' = header.args[4]?.type === 'string' && header.args[4].value === '3.0' ? '3.0' : '2.0';
  const pkg = { name: str(header)!, version: header.args[2]?.type === 'string' ? header.args[2].value : '', lang };
  const types = new TypeCompiler(doc);
  const resources: IRResource[] = [];
  const v3 =
    lang === '3.0' ||
    doc.ordered.some(
      (st) =>
        V3_STATEMENTS.includes(st.kind) ||
        (st.kind === 'agent' && usesV3(st.entry, V3_AGENT_ATTRIBUTES)) ||
        (st.kind === 'skill' && usesV3(st.entry, V3_SKILL_ATTRIBUTES)),
    );
  const body: Omit<IRDocument, 'hash'> = { ir_version: v3 ? IR_VERSION : '1', package: pkg, resources };
  if (environment !== undefined) body.environment = environment;
  // The document hash is computed over canonical JSON that reuses each
  // resource's canonical attributes, so no attribute tree is serialised twice.
  // `resources` sorts last among the document's keys, so the document's head
  // is known before any resource and each resource's piece goes straight into
  // the hash: no canonical text outlives its resource.
  const documentHash = createHash('sha256');
  const head = canonicalJson({ ...body, resources: [] });
  documentHash.update(`${head.slice(0, -3)}[`, 'utf8');
  let separator = '';
  for (const st of doc.ordered) {
    const kind = KINDS[st.kind];
    if (!kind) continue;
    const attributes = lowerAttributes(st.kind, st.entry, types);
    const canonical = canonicalJson(attributes);
    // Joined, not concatenated: a concatenation is a two-part rope that the
    // hashing below flattens into a second copy, and the IR would keep both.
    const fqn = [pkg.name, kind, st.name].join('/');
    const hash = sha256Hex(canonical);
    resources.push({ kind, name: st.name, fqn, hash, attributes } as IRResource);
    documentHash.update(`${separator}{"attributes":`, 'utf8');
    documentHash.update(canonical, 'utf8');
    documentHash.update(`,"fqn":${JSON.stringify(fqn)},"hash":"${hash}","kind":"${kind}","name":${JSON.stringify(st.name)}}`, 'utf8');
    separator = ',';
  }
  documentHash.update(']}', 'utf8');
  return { ...body, hash: documentHash.digest('hex') };
}

function lowerAttributes(kind: string, entry: Entry, types: TypeCompiler): unknown {
  const b = entry.body;
  switch (kind) {
    case 'prompt':
      return {
        content: str(attr(b, 'content')) ?? '',
        variables: (attr(b, 'variables')?.body?.entries ?? []).map(lowerVariable),
      };
    case 'type':
      return { schema: types.typeSchema(str(entry)!) };
    case 'skill': {
      const output = attr(b, 'output');
      return definedOnly({
        description: str(attr(b, 'description')) ?? '',
        input_schema: types.fieldsSchema(attr(b, 'input')?.body),
        output_schema: output ? types.fieldsSchema(output.body) : undefined,
        tool: lowerTool(attr(b, 'tool')!),
        // `never` (or no attribute) lowers to nothing: calls run as they always did
        approval: str(attr(b, 'approval')) === 'required' ? ('required' as const) : undefined,
        approval_timeout_seconds: approvalTimeout(attr(b, 'approval_timeout')),
      });
    }
    case 'server':
      return definedOnly({
        transport: str(attr(b, 'transport')),
        command: str(attr(b, 'command')),
        args: strings(attr(b, 'args')?.args[0]),
        env: mapOf(attr(b, 'env')),
        url: str(attr(b, 'url')),
        auth: str(attr(b, 'auth')),
        exposes: attrs(b, 'exposes').map((e) => lastString(e)!),
      });
    case 'client':
      return { servers: attrs(b, 'connects').map((e) => lastString(e)!) };
    case 'agent':
      return lowerAgent(entry);
    case 'pipeline':
      return { steps: attrs(b, 'step').map(lowerStep) };
    case 'deploy':
      return lowerDeploy(entry);
    case 'secret': {
      const e = attr(b, 'env') ?? attr(b, 'store')!;
      return { source: e.key, key: String(scalar(e.call)) };
    }
    case 'environment':
      return {
        overrides: (b?.entries ?? []).map((t) => ({
          kind: KINDS[t.key] ?? t.key,
          name: str(t)!,
          attributes: Object.fromEntries((t.body?.entries ?? []).map((o) => [o.key, scalar(o.args[0]) as ScalarValue])),
        })),
      };
    case 'policy':
      return {
        rules: (b?.entries ?? []).map((r) => ({ action: r.key, subject: String(scalar(r.args[0])), value: String(scalar(r.args[1])) })),
      };
    case 'plugin':
      return { version: entry.args[2]?.type === 'string' ? entry.args[2].value : '' };
    case 'import': {
      const at = (word: string) => entry.args.findIndex((v) => v.type === 'ident' && v.value === word);
      const version = entry.args[at('version') + 1];
      const alias = entry.args[at('as') + 1];
      return definedOnly({
        source: str(entry)!,
        version: at('version') > 0 && version?.type === 'string' ? version.value : undefined,
        alias: at('as') > 0 && (alias?.type === 'ident' || alias?.type === 'string') ? alias.value : undefined,
      });
    }
    case 'guardrail':
      return definedOnly({
        mode: str(attr(b, 'mode')) as IRGuardrail['attributes']['mode'],
        keywords: strings(attr(b, 'keywords')?.args[0]),
        patterns: strings(attr(b, 'patterns')?.args[0]),
        fallback: str(attr(b, 'fallback')),
      });
    case 'user': {
      const key = attr(b, 'key');
      return {
        key: key?.call?.type === 'string' ? key.call.value : (str(key) ?? ''),
        agents: strings(attr(b, 'agents')?.args[0]),
        role: (str(attr(b, 'role')) ?? 'invoke') as IRUser['attributes']['role'],
      };
    }
  }
  return {};
}

function lowerVariable(v: Entry): IRVariable {
  const type = (v.args[0]?.type === 'ident' ? v.args[0].value : 'string') as IRVariable['type'];
  const d = v.args.findIndex((a) => a.type === 'ident' && a.value === 'default');
  const dv = d >= 0 ? scalar(v.args[d + 1]) : undefined;
  const out: IRVariable = { name: v.key, type, required: v.args.some((a) => a.type === 'ident' && a.value === 'required') };
  if (dv !== undefined) out.default = coerceDefault(dv, type === 'bool' ? 'boolean' : type);
  return out;
}

function lowerTool(tool: Entry): IRTool {
  const kind = tool.args[0]?.type === 'ident' ? tool.args[0].value : '';
  const b = tool.body;
  if (kind === 'mcp') {
    const target = str({ ...tool, args: tool.args.slice(1) }) ?? '';
    const slash = target.indexOf('/');
    return { type: 'mcp', server: target.slice(0, slash), tool: target.slice(slash + 1) };
  }
  if (kind === 'http') {
    return definedOnly({
      type: 'http' as const,
      method: str(attr(b, 'method')) as 'GET',
      url: str(attr(b, 'url')) ?? '',
      headers: mapOf(attr(b, 'headers')),
      body_template: str(attr(b, 'body_template')),
      timeout_ms: ms(attr(b, 'timeout')) ?? DEFAULTS.tool_timeout_ms.http,
    });
  }
  if (kind === 'command') {
    return {
      type: 'command',
      binary: str(attr(b, 'binary')) ?? '',
      args: strings(attr(b, 'args')?.args[0]),
      timeout_ms: ms(attr(b, 'timeout')) ?? DEFAULTS.tool_timeout_ms.command,
      env: mapOf(attr(b, 'env')),
      secrets: mapOf(attr(b, 'secrets')),
    };
  }
  const language = str(attr(b, 'language')) ?? '';
  return {
    type: 'inline',
    language: LANGUAGE_ALIASES[language] ?? (language as IRInlineLanguage),
    code: str(attr(b, 'code')) ?? '',
    timeout_ms: ms(attr(b, 'timeout')) ?? DEFAULTS.tool_timeout_ms.inline,
    memory_bytes: parseSize(str(attr(b, 'memory')) ?? '') ?? DEFAULTS.inline_memory_bytes,
    env: mapOf(attr(b, 'env')),
    secrets: mapOf(attr(b, 'secrets')),
  };
}

function usesOf(uses: Entry[], kind: string): string[] {
  return uses.filter((u) => u.args[0]?.type === 'ident' && u.args[0].value === kind).map((u) => lastString(u)!);
}

function lowerAgent(entry: Entry): IRAgent['attributes'] {
  const b = entry.body;
  const models = attr(b, 'models') ? strings(attr(b, 'models')!.args[0]) : undefined;
  const model = str(attr(b, 'model')) ?? models?.[0] ?? '';
  const strategy = str(attr(b, 'strategy')) ?? str(attr(b, 'loop'));
  const memory = attr(b, 'memory')?.body;
  const uses = attrs(b, 'uses');
  const budget = attrs(b, 'budget');
  const budgetOf = (period: string) =>
    num({
      ...budget.find((e) => e.args[0]?.type === 'ident' && e.args[0].value === period)!,
      args: budget.find((e) => e.args[0]?.type === 'ident' && e.args[0].value === period)?.args.slice(1) ?? [],
    });
  const shorthand = attr(b, 'prompt')?.args[0];
  const config = attr(b, 'config')?.body;
  const rules = attr(b, 'validate')?.body;
  const cases = attr(b, 'eval')?.body;
  const flow = attr(b, 'on')?.body;
  return definedOnly({
    prompt: usesOf(uses, 'prompt')[0] ?? (shorthand?.type === 'string' || shorthand?.type === 'ident' ? shorthand.value : undefined),
    skills: usesOf(uses, 'skill'),
    model,
    provider: parseModel(model).provider,
    strategy: (strategy === 'plan-execute' ? 'plan-and-execute' : (strategy ?? DEFAULTS.agent.strategy)) as Strategy,
    max_turns: num(attr(b, 'max_turns')) ?? DEFAULTS.agent.max_turns,
    timeout_ms: ms(attr(b, 'timeout')) ?? DEFAULTS.agent.timeout_ms,
    token_budget: num(attr(b, 'token_budget')) ?? DEFAULTS.agent.token_budget,
    temperature: num(attr(b, 'temperature')),
    stream: bool(attr(b, 'stream')) ?? DEFAULTS.agent.stream,
    on_error: (str(attr(b, 'on_error')) ?? DEFAULTS.agent.on_error) as OnError,
    max_retries: num(attr(b, 'max_retries')) ?? DEFAULTS.agent.max_retries,
    fallback: str(attr(b, 'fallback')),
    memory: {
      strategy: (str(attr(memory, 'strategy')) ?? DEFAULTS.memory.strategy) as 'summary',
      max_messages: num(attr(memory, 'max_messages')) ?? DEFAULTS.memory.max_messages,
    },
    delegates: attrs(b, 'delegate').map((d) => ({ agent: str({ ...d, args: d.args.slice(2) }) ?? '', when: lastString(d) ?? '' })),
    clients: attrs(b, 'connects').map((c) => lastString(c)!),
    metadata: mapOf(attr(b, 'metadata')),
    models,
    budget: budget.length > 0 ? definedOnly({ daily: budgetOf('daily'), monthly: budgetOf('monthly') }) : undefined,
    guardrails: usesOf(uses, 'guardrail').length > 0 ? usesOf(uses, 'guardrail') : undefined,
    config: config ? lowerConfig(config) : undefined,
    validate: rules ? lowerRules(rules) : undefined,
    eval: cases ? lowerCases(cases) : undefined,
    on_input: flow ? (lowerFlow(flow) as unknown as []) : undefined,
  });
}

function lowerStep(step: Entry): IRStep {
  const b = step.body;
  return definedOnly({
    name: str(step)!,
    agent: str(attr(b, 'agent')) ?? '',
    input: str(attr(b, 'input')),
    output: str(attr(b, 'output')),
    parallel: bool(attr(b, 'parallel')) ?? false,
    depends_on: strings(attr(b, 'depends_on')?.args[0]),
    when: str(attr(b, 'when')),
  });
}

function lowerDeploy(entry: Entry): IRDeploy['attributes'] {
  const b = entry.body;
  const target = (entry.args[2]?.type === 'string' ? entry.args[2].value : 'process') as DeployTarget;
  const container = target !== 'lambda';
  const health = attr(b, 'health')?.body;
  const resources = attr(b, 'resources')?.body;
  const autoscale = attr(b, 'autoscale')?.body;
  return definedOnly({
    target,
    default: bool(attr(b, 'default')) ?? false,
    port: num(attr(b, 'port')) ?? (container ? DEFAULTS.port : undefined),
    host: str(attr(b, 'host')),
    image: str(attr(b, 'image')),
    base_image: str(attr(b, 'base_image')),
    env: mapOf(attr(b, 'env')),
    secrets: mapOf(attr(b, 'secrets')),
    health:
      container || health
        ? {
            path: str(attr(health, 'path')) ?? DEFAULTS.health.path,
            interval_ms: ms(attr(health, 'interval')) ?? DEFAULTS.health.interval_ms,
            timeout_ms: ms(attr(health, 'timeout')) ?? DEFAULTS.health.timeout_ms,
          }
        : undefined,
    resources: resources ? definedOnly({ cpu: str(attr(resources, 'cpu')), memory: str(attr(resources, 'memory')) }) : undefined,
    namespace: str(attr(b, 'namespace')) ?? (target === 'kubernetes' ? 'default' : undefined),
    replicas: num(attr(b, 'replicas')) ?? (target === 'kubernetes' ? 1 : undefined),
    autoscale: autoscale
      ? {
          min: num(attr(autoscale, 'min')) ?? 1,
          max: num(attr(autoscale, 'max')) ?? 1,
          metric: str(attr(autoscale, 'metric')) ?? 'cpu',
          target: num(attr(autoscale, 'target')) ?? 80,
        }
      : undefined,
    sessions: str(attr(b, 'sessions')),
    region: str(attr(b, 'region')),
    memory_bytes: parseSize(str(attr(b, 'memory')) ?? ''),
    timeout_ms: ms(attr(b, 'timeout')),
    architecture: str(attr(b, 'architecture')),
    auth: str(attr(b, 'auth')) as DeployAuth | undefined,
    api_keys: str(attr(b, 'api_keys')),
    network: str(attr(b, 'network')) as ContainerNetwork | undefined,
    registry_auth: str(attr(b, 'registry_auth')),
    reserved_concurrency: num(attr(b, 'reserved_concurrency')),
    alarm_topic: str(attr(b, 'alarm_topic')),
  });
}
