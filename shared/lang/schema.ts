/**
 * What each block accepts: the attributes, their value types and ranges, and
 * their canonical order (the order of the language reference, which the
 * formatter follows). The parser uses it to know how many values an attribute
 * takes; the validator checks against it. The closed value sets are the IR's own.
 */
import {
  CONTAINER_NETWORKS,
  DEPLOY_AUTH,
  LANGUAGES,
  MEMORY_STRATEGIES,
  METHODS,
  ON_ERROR,
  STRATEGIES,
  TARGETS,
  TRANSPORTS,
  VARIABLE_TYPES,
  GUARDRAIL_MODES,
  USER_ROLES,
  APPROVAL_MODES,
} from '../ir/enums.js';

export type ValueType = 'string' | 'int' | 'number' | 'bool' | 'strings' | 'duration' | 'size';

/** A block's context: decides which attributes it knows. */
export type Ctx =
  | 'root'
  | 'prompt'
  | 'variables'
  | 'fields'
  | 'skill'
  | 'http'
  | 'command'
  | 'inline'
  | 'map'
  | 'server'
  | 'client'
  | 'agent'
  | 'memory'
  | 'pipeline'
  | 'step'
  | 'deploy'
  | 'health'
  | 'resources'
  | 'autoscale'
  | 'secret'
  | 'environment'
  | 'overlay'
  | 'policy'
  | 'config'
  | 'validate'
  | 'eval'
  | 'flow'
  | 'with'
  | 'guardrail'
  | 'user'
  | 'state'
  | 'unknown';

/** How an attribute is written when it is not `name value`. */
export type Shape = 'uses' | 'delegate' | 'connects' | 'exposes' | 'tool' | 'step' | 'rule' | 'call' | 'ref' | 'budget' | 'on' | 'key';

export interface AttrSpec {
  name: string;
  value?: ValueType;
  oneOf?: readonly string[];
  aliases?: Readonly<Record<string, string>>;
  min?: number;
  max?: number;
  block?: Ctx;
  shape?: Shape;
  /** Number of positional values for a shaped attribute. */
  arity?: number;
  repeat?: boolean;
  required?: boolean;
}

export { STRATEGIES, TARGETS, TRANSPORTS, METHODS, VARIABLE_TYPES };
export const FIELD_TYPES = ['string', 'int', 'number', 'float', 'bool', 'timestamp', 'object'] as const;

const env: AttrSpec = { name: 'env', block: 'map' };
const secrets: AttrSpec = { name: 'secrets', block: 'map' };
const timeout: AttrSpec = { name: 'timeout', value: 'duration' };
const strategyAliases = { 'plan-execute': 'plan-and-execute' };

/** Attributes of each block that has a fixed set, in canonical order. */
export const BLOCK_SPECS: Partial<Record<Ctx, readonly AttrSpec[]>> = {
  prompt: [
    { name: 'content', value: 'string', required: true },
    { name: 'variables', block: 'variables' },
  ],
  skill: [
    { name: 'description', value: 'string', required: true },
    { name: 'input', block: 'fields' },
    { name: 'output', block: 'fields' },
    { name: 'tool', shape: 'tool', required: true },
    { name: 'approval', value: 'string', oneOf: APPROVAL_MODES },
    // a duration's min and max are milliseconds: 1m..7d
    { name: 'approval_timeout', value: 'duration', min: 60_000, max: 604_800_000 },
  ],
  http: [
    { name: 'method', value: 'string', oneOf: METHODS, required: true },
    { name: 'url', value: 'string', required: true },
    { name: 'headers', block: 'map' },
    { name: 'body_template', value: 'string' },
    timeout,
  ],
  command: [{ name: 'binary', value: 'string', required: true }, { name: 'args', value: 'strings' }, timeout, env, secrets],
  inline: [
    { name: 'language', value: 'string', oneOf: LANGUAGES, aliases: { node: 'javascript', python3: 'python', sh: 'bash' }, required: true },
    { name: 'code', value: 'string', required: true },
    timeout,
    { name: 'memory', value: 'size' },
    env,
    secrets,
  ],
  server: [
    { name: 'transport', value: 'string', oneOf: TRANSPORTS, required: true },
    { name: 'command', value: 'string' },
    { name: 'args', value: 'strings' },
    env,
    { name: 'url', value: 'string' },
    { name: 'auth', value: 'string' },
    { name: 'exposes', shape: 'exposes', arity: 2, repeat: true },
  ],
  client: [{ name: 'connects', shape: 'connects', arity: 3, repeat: true }],
  agent: [
    { name: 'uses', shape: 'uses', arity: 2, repeat: true },
    { name: 'prompt', shape: 'ref', arity: 1 },
    { name: 'model', value: 'string' },
    { name: 'models', value: 'strings' },
    { name: 'strategy', value: 'string', oneOf: STRATEGIES, aliases: strategyAliases },
    { name: 'loop', value: 'string', oneOf: STRATEGIES, aliases: strategyAliases },
    { name: 'max_turns', value: 'int', min: 1, max: 100 },
    timeout,
    { name: 'token_budget', value: 'int', min: 1 },
    { name: 'temperature', value: 'number', min: 0, max: 1 },
    { name: 'stream', value: 'bool' },
    { name: 'on_error', value: 'string', oneOf: ON_ERROR },
    { name: 'max_retries', value: 'int', min: 0, max: 10 },
    { name: 'fallback', value: 'string' },
    { name: 'memory', block: 'memory' },
    { name: 'delegate', shape: 'delegate', arity: 5, repeat: true },
    { name: 'connects', shape: 'connects', arity: 3, repeat: true },
    { name: 'budget', shape: 'budget', arity: 2, repeat: true },
    { name: 'metadata', block: 'map' },
    { name: 'config', block: 'config' },
    { name: 'validate', block: 'validate' },
    { name: 'eval', block: 'eval' },
    { name: 'on', shape: 'on', arity: 1, block: 'flow' },
  ],
  memory: [
    { name: 'strategy', value: 'string', oneOf: MEMORY_STRATEGIES },
    { name: 'max_messages', value: 'int', min: 1 },
  ],
  pipeline: [{ name: 'step', shape: 'step', arity: 1, repeat: true, block: 'step' }],
  step: [
    { name: 'agent', value: 'string', required: true },
    { name: 'depends_on', value: 'strings' },
    { name: 'input', value: 'string' },
    { name: 'output', value: 'string' },
    { name: 'parallel', value: 'bool' },
    { name: 'when', value: 'string' },
  ],
  deploy: [
    { name: 'port', value: 'int', min: 1, max: 65535 },
    { name: 'host', value: 'string' },
    { name: 'default', value: 'bool' },
    { name: 'image', value: 'string' },
    { name: 'base_image', value: 'string' },
    env,
    secrets,
    { name: 'health', block: 'health' },
    { name: 'resources', block: 'resources' },
    { name: 'namespace', value: 'string' },
    { name: 'replicas', value: 'int', min: 0, max: 1000 },
    { name: 'autoscale', block: 'autoscale' },
    { name: 'sessions', value: 'string' },
    { name: 'region', value: 'string' },
    { name: 'memory', value: 'size' },
    timeout,
    { name: 'architecture', value: 'string', oneOf: ['x86_64', 'arm64'] },
    { name: 'auth', value: 'string', oneOf: DEPLOY_AUTH },
    { name: 'api_keys', value: 'string' },
    { name: 'network', value: 'string', oneOf: CONTAINER_NETWORKS },
    { name: 'registry_auth', value: 'string' },
    { name: 'reserved_concurrency', value: 'int', min: 1, max: 10000 },
    { name: 'alarm_topic', value: 'string' },
  ],
  health: [{ name: 'path', value: 'string' }, { name: 'interval', value: 'duration' }, timeout],
  resources: [
    { name: 'cpu', value: 'string' },
    { name: 'memory', value: 'string' },
  ],
  autoscale: [
    { name: 'min', value: 'int', min: 0, required: true },
    { name: 'max', value: 'int', min: 1, required: true },
    { name: 'metric', value: 'string' },
    { name: 'target', value: 'int', min: 1 },
  ],
  secret: [
    { name: 'env', shape: 'call' },
    { name: 'store', shape: 'call' },
  ],
  guardrail: [
    { name: 'mode', value: 'string', oneOf: GUARDRAIL_MODES },
    { name: 'keywords', value: 'strings' },
    { name: 'patterns', value: 'strings' },
    { name: 'fallback', value: 'string' },
  ],
  user: [
    { name: 'key', shape: 'key', arity: 1 },
    { name: 'agents', value: 'strings' },
    { name: 'role', value: 'string', oneOf: USER_ROLES },
  ],
  policy: [
    { name: 'deny', shape: 'rule', arity: 2, repeat: true },
    { name: 'require', shape: 'rule', arity: 2, repeat: true },
    { name: 'allow', shape: 'rule', arity: 2, repeat: true },
  ],
};

/** Top-level statements, in the order the formatter keeps them (document order). */
export const STATEMENTS = [
  'package',
  'import',
  'plugin',
  'secret',
  'type',
  'server',
  'client',
  'prompt',
  'skill',
  'agent',
  'pipeline',
  'deploy',
  'environment',
  'policy',
  'guardrail',
  'user',
  'state',
] as const;

/** Context of the body of a top-level statement. */
export const STATEMENT_BODY: Readonly<Record<string, Ctx>> = {
  prompt: 'prompt',
  type: 'fields',
  skill: 'skill',
  server: 'server',
  client: 'client',
  agent: 'agent',
  pipeline: 'pipeline',
  deploy: 'deploy',
  secret: 'secret',
  environment: 'environment',
  policy: 'policy',
  guardrail: 'guardrail',
  user: 'user',
  state: 'state',
};

/** Statements and attributes that IntentLang 3.0 added (a 2.0 file using one gets a warning). */
export const V3_STATEMENTS: readonly string[] = ['guardrail', 'user', 'state'];
export const V3_AGENT_ATTRIBUTES: readonly string[] = ['prompt', 'models', 'loop', 'budget', 'config', 'validate', 'eval', 'on'];
/** `approval` is this project's extension, counted with 3.0 like the other additions. */
export const V3_SKILL_ATTRIBUTES: readonly string[] = ['approval', 'approval_timeout'];

/** Resource kinds an environment may overlay, with their block context. */
export const OVERLAY_KINDS: Readonly<Record<string, Ctx>> = {
  agent: 'agent',
  prompt: 'prompt',
  skill: 'skill',
  server: 'server',
  deploy: 'deploy',
};

const index = new Map<Ctx, Map<string, AttrSpec>>();
for (const [ctx, specs] of Object.entries(BLOCK_SPECS)) {
  index.set(ctx as Ctx, new Map(specs.map((s) => [s.name, s])));
}

/** The spec of `name` in `ctx`, if the block knows it. */
export function specOf(ctx: Ctx, name: string): AttrSpec | undefined {
  return index.get(ctx)?.get(name);
}

/** Canonical position of `name` in `ctx` (unknown names sort last, stable). */
export function orderOf(ctx: Ctx, name: string): number {
  const specs = BLOCK_SPECS[ctx];
  if (!specs) return 0;
  const i = specs.findIndex((s) => s.name === name);
  return i < 0 ? specs.length : i;
}

/** Context of the block that follows the entry `key` (with values `args`) inside a `ctx` block. */
export function childContext(ctx: Ctx, key: string, args: readonly { type: string; value?: unknown }[]): Ctx {
  if (ctx === 'root') return STATEMENT_BODY[key] ?? 'unknown';
  if (ctx === 'environment') return 'overlay';
  const spec = specOf(ctx, key);
  if (ctx === 'flow') return key === 'use' ? 'with' : 'flow';
  if (spec?.shape === 'tool') {
    const kind = args[0]?.type === 'ident' ? args[0].value : '';
    return kind === 'http' || kind === 'command' || kind === 'inline' ? kind : 'unknown';
  }
  return spec?.block ?? 'unknown';
}
