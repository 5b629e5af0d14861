/**
 * The JSON Schema (draft 2020-12) of the IR document: the one source of the
 * IR's shape. The TypeScript types in `types.ts` are derived from it
 * (`FromSchema`), so the validator and the type checker cannot disagree.
 * Every literal is kept `as const` for that derivation.
 */
import {
  CONTAINER_NETWORKS,
  DEPLOY_AUTH,
  LANGUAGES,
  MEMORY_STRATEGIES,
  METHODS,
  ON_ERROR,
  POLICY_ACTIONS,
  STRATEGIES,
  TARGETS,
  TRANSPORTS,
  VARIABLE_TYPES,
  CONFIG_TYPES,
  RULE_SEVERITIES,
  SCORING_METHODS,
  GUARDRAIL_MODES,
  USER_ROLES,
} from './enums.js';

const str = { type: 'string' } as const;
const int = { type: 'integer', minimum: 0 } as const;
const bool = { type: 'boolean' } as const;
const strMap = { type: 'object', additionalProperties: { type: 'string' } } as const;
const strList = { type: 'array', items: { type: 'string' } } as const;
/** A nested JSON Schema (tool inputs and outputs, declared types). */
const schemaObject = { type: 'object' } as const;
/** A closed object: the listed properties, `required` of them, nothing else. */
const obj = <const P extends Record<string, unknown>, const R extends readonly (keyof P & string)[]>(properties: P, required: R) =>
  ({ type: 'object', properties, required, additionalProperties: false }) as const;

const tool = {
  type: 'object',
  required: ['type'],
  discriminator: { propertyName: 'type' },
  oneOf: [
    obj({ type: { const: 'mcp' }, server: str, tool: str }, ['type', 'server', 'tool']),
    obj(
      {
        type: { const: 'http' },
        method: { enum: [...METHODS] },
        url: str,
        headers: strMap,
        body_template: str,
        timeout_ms: int,
      },
      ['type', 'method', 'url', 'headers', 'timeout_ms'],
    ),
    obj({ type: { const: 'command' }, binary: str, args: strList, timeout_ms: int, env: strMap, secrets: strMap }, [
      'type',
      'binary',
      'args',
      'timeout_ms',
      'env',
      'secrets',
    ]),
    obj(
      {
        type: { const: 'inline' },
        language: { enum: [...LANGUAGES] },
        code: str,
        timeout_ms: int,
        memory_bytes: int,
        env: strMap,
        secrets: strMap,
      },
      ['type', 'language', 'code', 'timeout_ms', 'memory_bytes', 'env', 'secrets'],
    ),
  ],
} as const;

const scalar = { type: ['string', 'number', 'boolean'] } as const;

/**
 * One statement of an agent's `on input` block. Statements nest (the bodies
 * of `if` and `for each`), so the schema refers to itself through `$defs`;
 * its TypeScript type is written out in `types.ts` (`IRStatement`), as the
 * type derivation cannot follow a recursive reference.
 */
const statementRef = { $ref: '#/$defs/statement' } as const;
const statements = { type: 'array', items: statementRef } as const;
const STATEMENT = {
  type: 'object',
  required: ['kind'],
  discriminator: { propertyName: 'kind' },
  oneOf: [
    obj({ kind: { const: 'use_skill' }, skill: str, params: strMap }, ['kind', 'skill']),
    obj({ kind: { const: 'delegate' }, agent: str }, ['kind', 'agent']),
    obj({ kind: { const: 'respond' }, text: str, expression: str }, ['kind']),
    obj(
      {
        kind: { const: 'if' },
        branches: { type: 'array', minItems: 1, items: obj({ condition: str, body: statements }, ['condition', 'body']) },
        else: statements,
      },
      ['kind', 'branches'],
    ),
    obj({ kind: { const: 'for_each' }, variable: str, collection: str, body: statements }, ['kind', 'variable', 'collection', 'body']),
  ],
} as const;

const ATTRIBUTES = {
  Prompt: obj(
    {
      content: str,
      variables: {
        type: 'array',
        items: obj({ name: str, type: { enum: [...VARIABLE_TYPES] }, required: bool, default: scalar }, ['name', 'type', 'required']),
      },
    },
    ['content', 'variables'],
  ),
  Type: obj({ schema: schemaObject }, ['schema']),
  Skill: obj(
    {
      description: str,
      input_schema: schemaObject,
      output_schema: schemaObject,
      tool,
      // `approval "required"`: each call waits for a person's decision (absent: never)
      approval: { enum: ['required'] },
      approval_timeout_seconds: { type: 'integer', minimum: 60, maximum: 604_800 },
    },
    ['description', 'input_schema', 'tool'],
  ),
  Server: obj({ transport: { enum: [...TRANSPORTS] }, command: str, args: strList, env: strMap, url: str, auth: str, exposes: strList }, [
    'transport',
    'args',
    'env',
    'exposes',
  ]),
  Client: obj({ servers: strList }, ['servers']),
  Agent: obj(
    {
      prompt: str,
      skills: strList,
      model: { type: 'string', minLength: 1 },
      provider: str,
      strategy: { enum: [...STRATEGIES] },
      max_turns: { type: 'integer', minimum: 1, maximum: 100 },
      timeout_ms: int,
      token_budget: { type: 'integer', minimum: 1 },
      temperature: { type: 'number', minimum: 0, maximum: 1 },
      stream: bool,
      on_error: { enum: [...ON_ERROR] },
      max_retries: { type: 'integer', minimum: 0, maximum: 10 },
      fallback: str,
      memory: obj({ strategy: { enum: [...MEMORY_STRATEGIES] }, max_messages: { type: 'integer', minimum: 1 } }, ['strategy', 'max_messages']),
      delegates: { type: 'array', items: obj({ agent: str, when: str }, ['agent', 'when']) },
      clients: strList,
      metadata: strMap,
      models: strList,
      budget: obj({ daily: { type: 'number', exclusiveMinimum: 0 }, monthly: { type: 'number', exclusiveMinimum: 0 } }, []),
      guardrails: strList,
      config: {
        type: 'array',
        items: obj({ name: str, type: { enum: [...CONFIG_TYPES] }, required: bool, secret: bool, default: scalar, description: str }, [
          'name',
          'type',
          'required',
          'secret',
        ]),
      },
      validate: {
        type: 'array',
        items: obj(
          { name: str, severity: { enum: [...RULE_SEVERITIES] }, message: str, expression: str, max_retries: { type: 'integer', minimum: 0, maximum: 10 } },
          ['name', 'severity', 'message'],
        ),
      },
      eval: {
        type: 'array',
        items: obj(
          { name: str, input: str, expect: str, scoring: { enum: [...SCORING_METHODS] }, threshold: { type: 'number', minimum: 0, maximum: 1 }, tags: strList },
          ['name', 'input', 'scoring', 'threshold', 'tags'],
        ),
      },
      on_input: statements,
    },
    [
      'skills',
      'model',
      'provider',
      'strategy',
      'max_turns',
      'timeout_ms',
      'token_budget',
      'stream',
      'on_error',
      'max_retries',
      'memory',
      'delegates',
      'clients',
      'metadata',
    ],
  ),
  Pipeline: obj(
    {
      steps: {
        type: 'array',
        items: obj({ name: str, agent: str, input: str, output: str, parallel: bool, depends_on: strList, when: str }, [
          'name',
          'agent',
          'parallel',
          'depends_on',
        ]),
      },
    },
    ['steps'],
  ),
  Deploy: obj(
    {
      target: { enum: [...TARGETS] },
      default: bool,
      port: { type: 'integer', minimum: 1, maximum: 65535 },
      host: str,
      image: str,
      base_image: str,
      env: strMap,
      secrets: strMap,
      health: obj({ path: str, interval_ms: int, timeout_ms: int }, ['path', 'interval_ms', 'timeout_ms']),
      resources: obj({ cpu: str, memory: str }, []),
      namespace: str,
      replicas: int,
      autoscale: obj({ min: int, max: int, metric: str, target: int }, ['min', 'max', 'metric', 'target']),
      sessions: str,
      region: str,
      memory_bytes: int,
      timeout_ms: int,
      architecture: str,
      auth: { enum: [...DEPLOY_AUTH] },
      api_keys: str,
      network: { enum: [...CONTAINER_NETWORKS] },
      registry_auth: str,
      reserved_concurrency: int,
      alarm_topic: str,
    },
    ['target', 'default', 'env', 'secrets'],
  ),
  Secret: obj({ source: { enum: ['env', 'store'] }, key: { type: 'string', minLength: 1 } }, ['source', 'key']),
  Environment: obj(
    {
      overrides: {
        type: 'array',
        items: obj({ kind: str, name: str, attributes: { type: 'object', additionalProperties: scalar } }, ['kind', 'name', 'attributes']),
      },
    },
    ['overrides'],
  ),
  Policy: obj({ rules: { type: 'array', items: obj({ action: { enum: [...POLICY_ACTIONS] }, subject: str, value: str }, ['action', 'subject', 'value']) } }, [
    'rules',
  ]),
  Plugin: obj({ version: str }, ['version']),
  Import: obj({ source: str, version: str, alias: str }, ['source']),
  Guardrail: obj({ mode: { enum: [...GUARDRAIL_MODES] }, keywords: strList, patterns: strList, fallback: str }, ['mode', 'keywords', 'patterns']),
  User: obj({ key: str, agents: strList, role: { enum: [...USER_ROLES] } }, ['key', 'agents', 'role']),
} as const;

const sha = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;

/** A resource of one kind: its name, fully qualified name, attribute hash and attributes. */
const resource = <const K extends keyof typeof ATTRIBUTES>(kind: K) =>
  obj({ kind: { const: kind }, name: { type: 'string', minLength: 1 }, fqn: str, hash: sha, attributes: ATTRIBUTES[kind] }, [
    'kind',
    'name',
    'fqn',
    'hash',
    'attributes',
  ]);

/** JSON Schema of an `IRDocument`. */
export const IR_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://agentspec.dev/schemas/ir-2.json',
  title: 'AgentSpec IR document',
  type: 'object',
  additionalProperties: false,
  required: ['ir_version', 'package', 'hash', 'resources'],
  $defs: { statement: STATEMENT },
  properties: {
    ir_version: { enum: ['1', '2'] },
    package: obj({ name: { type: 'string', minLength: 1 }, version: str, lang: { enum: ['2.0', '3.0'] } }, ['name', 'version', 'lang']),
    environment: str,
    hash: sha,
    resources: {
      type: 'array',
      items: {
        type: 'object',
        required: ['kind'],
        discriminator: { propertyName: 'kind' },
        oneOf: [
          resource('Prompt'),
          resource('Type'),
          resource('Skill'),
          resource('Server'),
          resource('Client'),
          resource('Agent'),
          resource('Pipeline'),
          resource('Deploy'),
          resource('Secret'),
          resource('Environment'),
          resource('Policy'),
          resource('Plugin'),
          resource('Import'),
          resource('Guardrail'),
          resource('User'),
        ],
      },
    },
  },
} as const;
