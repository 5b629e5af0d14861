/**
 * The IR: what lowering a validated package produces and what every runtime,
 * deployer and Lambda function loads. Plain JSON; durations in milliseconds,
 * sizes in bytes, defaults applied, references by name. Secret values never
 * appear here, only secret names.
 *
 * The JSON Schema of this document lives beside this file (`schema.ts`) and
 * every IR produced by lowering validates against it.
 */

import type { DeployTarget, HttpMethod, InlineLanguage, MemoryStrategy, OnError, PolicyAction, Strategy, Transport, VariableType } from './enums.js';

export type { DeployTarget, HttpMethod, InlineLanguage, MemoryStrategy, OnError, PolicyAction, Strategy, Transport, VariableType } from './enums.js';

/** A JSON Schema (draft 2020-12) object. */
export type JsonSchema = { [key: string]: unknown };

export const IR_VERSION = '1' as const;

export interface IRDocument {
  ir_version: typeof IR_VERSION;
  package: { name: string; version: string; lang: '2.0' };
  /** Name of the environment overlay applied at lowering time, if any. */
  environment?: string;
  /** SHA-256 (hex) over the canonical JSON of the document without this field. */
  hash: string;
  resources: IRResource[];
}

/** Common shape of every resource. `fqn` is `<package>/<Kind>/<name>`; `hash` is SHA-256 over the canonical JSON of `attributes`. */
export interface IRResourceOf<K extends string, A> {
  kind: K;
  name: string;
  fqn: string;
  hash: string;
  attributes: A;
}

export type ScalarValue = string | number | boolean;

export interface IRVariable {
  name: string;
  type: VariableType;
  required: boolean;
  default?: ScalarValue;
}

export type IRPrompt = IRResourceOf<'Prompt', { content: string; variables: IRVariable[] }>;

/** A declared type compiled to JSON Schema; `$defs` of other types are inlined where referenced. */
export type IRType = IRResourceOf<'Type', { schema: JsonSchema }>;

export type IRTool =
  | { type: 'mcp'; server: string; tool: string }
  | {
      type: 'http';
      method: HttpMethod;
      url: string;
      headers: Record<string, string>;
      body_template?: string;
      timeout_ms: number;
    }
  | {
      type: 'command';
      binary: string;
      args: string[];
      timeout_ms: number;
      env: Record<string, string>;
      /** env var name -> secret name */
      secrets: Record<string, string>;
    }
  | {
      type: 'inline';
      language: InlineLanguage;
      code: string;
      timeout_ms: number;
      memory_bytes: number;
      env: Record<string, string>;
      /** env var name -> secret name */
      secrets: Record<string, string>;
    };

export type IRSkill = IRResourceOf<
  'Skill',
  { description: string; input_schema: JsonSchema; output_schema?: JsonSchema; tool: IRTool }
>;

export type IRServer = IRResourceOf<
  'Server',
  {
    transport: Transport;
    command?: string;
    args: string[];
    env: Record<string, string>;
    url?: string;
    /** secret name sent as a Bearer token */
    auth?: string;
    exposes: string[];
  }
>;

export type IRClient = IRResourceOf<'Client', { servers: string[] }>;


export type IRAgent = IRResourceOf<
  'Agent',
  {
    prompt?: string;
    skills: string[];
    /** the model string as written, e.g. `claude-sonnet-4-20250514` or `openai/gpt-4o-mini` */
    model: string;
    /** provider selected from the model string (`anthropic` for a bare Claude id) */
    provider: string;
    strategy: Strategy;
    max_turns: number;
    timeout_ms: number;
    token_budget: number;
    temperature?: number;
    stream: boolean;
    on_error: OnError;
    max_retries: number;
    fallback?: string;
    memory: { strategy: MemoryStrategy; max_messages: number };
    delegates: { agent: string; when: string }[];
    clients: string[];
    metadata: Record<string, string>;
  }
>;

export interface IRStep {
  name: string;
  agent: string;
  input?: string;
  output?: string;
  parallel: boolean;
  depends_on: string[];
  when?: string;
}

export type IRPipeline = IRResourceOf<'Pipeline', { steps: IRStep[] }>;


export type IRDeploy = IRResourceOf<
  'Deploy',
  {
    target: DeployTarget;
    default: boolean;
    port?: number;
    host?: string;
    image?: string;
    base_image?: string;
    env: Record<string, string>;
    /** env var name -> secret name */
    secrets: Record<string, string>;
    health?: { path: string; interval_ms: number; timeout_ms: number };
    resources?: { cpu?: string; memory?: string };
    namespace?: string;
    replicas?: number;
    autoscale?: { min: number; max: number; metric: string; target: number };
    sessions?: string;
    region?: string;
    memory_bytes?: number;
    timeout_ms?: number;
    architecture?: string;
  }
>;

export type IRSecret = IRResourceOf<'Secret', { source: 'env'; key: string } | { source: 'store'; key: string }>;

export type IREnvironment = IRResourceOf<
  'Environment',
  { overrides: { kind: string; name: string; attributes: Record<string, ScalarValue> }[] }
>;

export type IRPolicy = IRResourceOf<
  'Policy',
  { rules: { action: PolicyAction; subject: string; value: string }[] }
>;

export type IRPlugin = IRResourceOf<'Plugin', { version: string }>;

export type IRImport = IRResourceOf<'Import', { source: string; version?: string }>;

export type IRResource =
  | IRPrompt
  | IRType
  | IRSkill
  | IRServer
  | IRClient
  | IRAgent
  | IRPipeline
  | IRDeploy
  | IRSecret
  | IREnvironment
  | IRPolicy
  | IRPlugin
  | IRImport;

export type IRKind = IRResource['kind'];

/** The resource of one kind with the given name, or undefined. */
export function findResource<K extends IRKind>(
  ir: IRDocument,
  kind: K,
  name: string,
): Extract<IRResource, { kind: K }> | undefined {
  return ir.resources.find((r): r is Extract<IRResource, { kind: K }> => r.kind === kind && r.name === name);
}

/** Every resource of one kind, in document order. */
export function resourcesOf<K extends IRKind>(ir: IRDocument, kind: K): Extract<IRResource, { kind: K }>[] {
  return ir.resources.filter((r): r is Extract<IRResource, { kind: K }> => r.kind === kind);
}
