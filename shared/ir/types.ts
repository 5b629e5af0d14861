/**
 * The IR: what lowering a validated package produces and what every runtime,
 * deployer and Lambda function loads. Plain JSON; durations in milliseconds,
 * sizes in bytes, defaults applied, references by name. Secret values never
 * appear here, only secret names.
 *
 * The JSON Schema of this document lives beside this file (`schema.ts`) and
 * every IR produced by lowering validates against it.
 */

import type { FromSchema } from 'json-schema-to-ts';
import type { IR_SCHEMA } from './schema.js';

export type {
  DeployTarget,
  HttpMethod,
  InlineLanguage,
  DeployAuth,
  ContainerNetwork,
  LambdaAuth,
  MemoryStrategy,
  OnError,
  PolicyAction,
  Strategy,
  Transport,
  VariableType,
} from './enums.js';

/** A JSON Schema (draft 2020-12) object. */
export type JsonSchema = { [key: string]: unknown };

/**
 * The newest IR version. Lowering writes `2` for a package that uses what
 * IntentLang 3.0 added (lang "3.0", agent blocks, guardrails, users, file
 * imports) and `1` for a 2.0 package, whose IR is unchanged; both load.
 */
export const IR_VERSION = '2' as const;

/**
 * The IR document, as its JSON Schema (`schema.ts`) describes it. Durations
 * are in milliseconds (`*_ms`), sizes in bytes (`*_bytes`); `hash` is SHA-256
 * (hex) over the canonical JSON of the document without it; `environment`
 * names the overlay applied at lowering time. In a resource, `fqn` is
 * `<package>/<Kind>/<name>` and `hash` covers its `attributes`. In tools and
 * deploy blocks `secrets` maps an env var name to a secret name; a server's
 * `auth` names the secret sent as a Bearer token; an agent's `model` is the
 * string as written and `provider` the one selected from it.
 */
export type IRDocument = FromSchema<Omit<typeof IR_SCHEMA, '$defs'>>;

export type IRResource = IRDocument['resources'][number];

/** The resource of kind `K`. */
export type IRResourceOf<K extends IRResource['kind']> = Extract<IRResource, { kind: K }>;

export type ScalarValue = string | number | boolean;

export type IRPrompt = IRResourceOf<'Prompt'>;
export type IRVariable = IRPrompt['attributes']['variables'][number];
/** A declared type compiled to JSON Schema; `$defs` of other types are inlined where referenced. */
export type IRType = IRResourceOf<'Type'>;
export type IRSkill = IRResourceOf<'Skill'>;
export type IRTool = IRSkill['attributes']['tool'];
export type IRServer = IRResourceOf<'Server'>;
export type IRClient = IRResourceOf<'Client'>;
export type IRAgent = IRResourceOf<'Agent'>;
/** A statement of an agent's `on input` block (see `$defs.statement` in `schema.ts`, which this mirrors). */
export type IRStatement =
  | { kind: 'use_skill'; skill: string; params?: Record<string, string> }
  | { kind: 'delegate'; agent: string }
  | { kind: 'respond'; text?: string; expression?: string }
  | { kind: 'if'; branches: { condition: string; body: IRStatement[] }[]; else?: IRStatement[] }
  | { kind: 'for_each'; variable: string; collection: string; body: IRStatement[] };
/** The `on input` statements of an agent, typed (the derived type of `on_input` cannot follow the schema's recursion). */
export function onInputOf(agent: IRAgent): IRStatement[] | undefined {
  return agent.attributes.on_input;
}
export type IRConfigParam = NonNullable<IRAgent['attributes']['config']>[number];
export type IRRule = NonNullable<IRAgent['attributes']['validate']>[number];
export type IREvalCase = NonNullable<IRAgent['attributes']['eval']>[number];
export type IRGuardrail = IRResourceOf<'Guardrail'>;
export type IRUser = IRResourceOf<'User'>;
export type IRPipeline = IRResourceOf<'Pipeline'>;
export type IRStep = IRPipeline['attributes']['steps'][number];
export type IRDeploy = IRResourceOf<'Deploy'>;
export type IRSecret = IRResourceOf<'Secret'>;
export type IREnvironment = IRResourceOf<'Environment'>;
export type IRPolicy = IRResourceOf<'Policy'>;
export type IRPlugin = IRResourceOf<'Plugin'>;
export type IRImport = IRResourceOf<'Import'>;

export type IRKind = IRResource['kind'];

/** The resource of one kind with the given name, or undefined. */
export function findResource<K extends IRKind>(ir: IRDocument, kind: K, name: string): Extract<IRResource, { kind: K }> | undefined {
  return ir.resources.find((r): r is Extract<IRResource, { kind: K }> => r.kind === kind && r.name === name);
}

/** Every resource of one kind, in document order. */
export function resourcesOf<K extends IRKind>(ir: IRDocument, kind: K): Extract<IRResource, { kind: K }>[] {
  return ir.resources.filter((r): r is Extract<IRResource, { kind: K }> => r.kind === kind);
}
