/**
 * An agent's `config` parameters at run time: each resolved from, first
 * match wins, the request's `config` (not for `secret` parameters), the
 * environment variable `AGENTSPEC_<AGENT>_<PARAM>`, then the declared
 * default; typed as declared. Environment values are read once, when the
 * runtime is built, and secret ones registered with the redactor. Errors name
 * parameters and variables, never values.
 */
import { AgentSpecError, ErrorCode } from '../errors.js';
import type { IRAgent, IRConfigParam, ScalarValue } from '../ir/types.js';
import type { Redactor } from '../secrets/redactor.js';
import type { PromptTemplate } from './prompt-template.js';

export type ConfigValues = Readonly<Record<string, ScalarValue>>;

/** One problem with a request's `config`, in the shape of `details.issues` of a 400. */
interface Issue {
  path: string;
  code: 'additionalProperties' | 'type' | 'required' | 'secret';
  message: string;
}

const PROMPT_PREFIX = 'config.';

/** `AGENTSPEC_<AGENT>_<PARAM>`: both names upper-cased, `-` written `_` (as the original names it). */
export function configEnvName(agent: string, param: string): string {
  const part = (name: string) => name.toUpperCase().replaceAll('-', '_');
  return `AGENTSPEC_${part(agent)}_${part(param)}`;
}

/** The declared parameters of one agent, with what the environment and defaults give them. */
export class AgentConfig {
  private readonly byName: ReadonlyMap<string, IRConfigParam>;
  /** environment value, else default; an environment value of the wrong type is kept as the error it raises */
  private readonly base = new Map<string, ScalarValue | AgentSpecError>();
  /** names of non-secret parameters a prompt writes as `{{config.name}}` */
  private readonly inPrompt: readonly string[];

  constructor(
    readonly agent: string,
    params: readonly IRConfigParam[],
    env: Readonly<Record<string, string | undefined>>,
    redactor: Redactor,
    template: PromptTemplate | undefined,
  ) {
    this.byName = new Map(params.map((p) => [p.name, p]));
    for (const param of params) {
      const variable = configEnvName(agent, param.name);
      const raw = env[variable];
      if (raw !== undefined && raw !== '') {
        const value = fromText(param, raw);
        if (value === undefined) {
          const error = `Config parameter "${param.name}" of agent "${agent}": ${variable} is not a valid ${param.type}.`;
          this.base.set(param.name, new AgentSpecError(ErrorCode.ConfigError, error, { details: { agent, param: param.name, variable } }));
        } else {
          this.base.set(param.name, value);
          if (param.secret) redactor.register(`config.${param.name}`, String(value));
        }
      } else if (param.default !== undefined) {
        this.base.set(param.name, param.default);
      }
    }
    this.inPrompt = promptParams(agent, template, this.byName);
  }

  /** The parameters' values for one request; `given` is the request's `config`. Throws `invalid_request` listing every problem. */
  resolve(given: Readonly<Record<string, unknown>> | undefined): ConfigValues {
    const issues: Issue[] = [];
    if (given) {
      for (const [name, value] of Object.entries(given)) {
        const problem = this.checkGiven(name, value);
        if (problem) issues.push(problem);
      }
    }
    const values: Record<string, ScalarValue> = {};
    for (const [name, param] of this.byName) {
      const value = given && Object.hasOwn(given, name) && !param.secret ? (given[name] as ScalarValue) : this.base.get(name);
      if (value instanceof AgentSpecError) throw value;
      if (value !== undefined) values[name] = value;
      else if (param.required) {
        if (param.secret) throw this.missingSecret(param);
        const variable = configEnvName(this.agent, name);
        issues.push({ path: `config.${name}`, code: 'required', message: `"${name}" is required: send it in "config" or set ${variable} on the server.` });
      }
    }
    if (issues.length > 0) {
      const list = issues.map((i) => i.message).join(' ');
      throw new AgentSpecError(ErrorCode.InvalidRequest, `Invalid config for agent "${this.agent}": ${list}`, { details: { agent: this.agent, issues } });
    }
    return values;
  }

  /** The prompt's variables with `config.<name>` added for each non-secret parameter the prompt uses. */
  promptVariables(variables: Record<string, ScalarValue> | undefined, config: ConfigValues): Record<string, ScalarValue> | undefined {
    if (this.inPrompt.length === 0) return variables;
    const out: Record<string, ScalarValue> = { ...variables };
    for (const name of this.inPrompt) {
      const value = config[name];
      if (value !== undefined) out[PROMPT_PREFIX + name] = value;
    }
    return out;
  }

  private checkGiven(name: string, value: unknown): Issue | undefined {
    const path = `config.${name}`;
    const param = this.byName.get(name);
    if (!param) {
      const known = [...this.byName.keys()];
      const list = known.length > 0 ? `its parameters are ${known.join(', ')}` : 'it declares none';
      return { path, code: 'additionalProperties', message: `Agent "${this.agent}" has no config parameter "${name}" (${list}).` };
    }
    if (param.secret) {
      const variable = configEnvName(this.agent, name);
      return { path, code: 'secret', message: `"${name}" is a secret parameter: it is set on the server (${variable}), never in a request.` };
    }
    if (!hasType(param.type, value)) return { path, code: 'type', message: `"${name}" must be ${article(param.type)}.` };
    return undefined;
  }

  private missingSecret(param: IRConfigParam): AgentSpecError {
    const variable = configEnvName(this.agent, param.name);
    return new AgentSpecError(
      ErrorCode.ConfigError,
      `Config parameter "${param.name}" of agent "${this.agent}" is a required secret and is not set: set ${variable} on the server (a deploy target's secrets { } map can provide it).`,
      { details: { agent: this.agent, param: param.name, variable } },
    );
  }
}

/** Builds the config of an agent (no parameters: every request's `config` must be empty). */
export function agentConfig(
  agent: IRAgent,
  env: Readonly<Record<string, string | undefined>>,
  redactor: Redactor,
  template: PromptTemplate | undefined,
): AgentConfig {
  return new AgentConfig(agent.name, agent.attributes.config ?? [], env, redactor, template);
}

/** The non-secret parameters the prompt writes as `{{config.x}}`; a secret one is refused: its value must never reach the model. */
function promptParams(agent: string, template: PromptTemplate | undefined, params: ReadonlyMap<string, IRConfigParam>): string[] {
  if (!template) return [];
  const names = new Set<string>();
  for (let i = 1; i < template.parts.length; i += 2) {
    const placeholder = template.parts[i]!;
    if (!placeholder.startsWith(PROMPT_PREFIX)) continue;
    const name = placeholder.slice(PROMPT_PREFIX.length);
    const param = params.get(name);
    if (param?.secret) {
      throw new AgentSpecError(
        ErrorCode.ConfigError,
        `The prompt of agent "${agent}" writes {{${placeholder}}}, a secret config parameter: secret values are never sent to the model.`,
        { details: { agent, param: name } },
      );
    }
    if (param) names.add(name);
  }
  return [...names];
}

function hasType(type: IRConfigParam['type'], value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'int':
      return Number.isSafeInteger(value);
    case 'float':
      return typeof value === 'number' && Number.isFinite(value);
    case 'bool':
      return typeof value === 'boolean';
  }
}

/** The typed value of an environment text, or undefined when it is not one. */
function fromText(param: IRConfigParam, raw: string): ScalarValue | undefined {
  const text = raw.trim();
  switch (param.type) {
    case 'string':
      return raw;
    case 'int':
      return /^[+-]?\d+$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : undefined;
    case 'float':
      return /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i.test(text) && Number.isFinite(Number(text)) ? Number(text) : undefined;
    case 'bool': {
      const lower = text.toLowerCase();
      if (lower === 'true' || lower === '1') return true;
      if (lower === 'false' || lower === '0') return false;
      return undefined;
    }
  }
}

function article(type: IRConfigParam['type']): string {
  return type === 'int' ? 'an int (a whole number)' : type === 'float' ? 'a float (a number)' : type === 'bool' ? 'a bool (true or false)' : 'a string';
}
