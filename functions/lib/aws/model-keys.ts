/**
 * Model providers on Lambda: each model key is a Secrets Manager secret
 * whose ARN the stack gives run and stream in a variable of its own, and
 * the providers' endpoints (`OPENAI_BASE_URL`, `OLLAMA_HOST`, …) come from
 * the lambda deploy block's `env`. Which keys a package needs is read from
 * its IR alone: a bare model id counts as Anthropic.
 */
import { resourcesOf, type IRDocument } from '../../../shared/ir/types.js';
import { modelKeysNeeded } from '../../../shared/llm/model-keys.js';
import { parseModel } from '../../../shared/llm/model-string.js';
import { MODEL_KEY_VARIABLES, PROVIDER_ENV } from '../../../shared/llm/provider-env.js';

/** The key every stack has a secret for, whatever its package (the stack's first model key). */
export const ALWAYS_SECRET_KEY = PROVIDER_ENV.anthropic.key ?? 'ANTHROPIC_API_KEY';

/**
 * The variable naming the secret that holds a model key.
 * @example modelKeySecretEnv('OPENAI_API_KEY') // 'AGENTSPEC_OPENAI_SECRET'
 */
export function modelKeySecretEnv(variable: string): string {
  return `AGENTSPEC_${variable.replace(/_API_KEY$/, '')}_SECRET`;
}

/** The model key variables whose secret ARN `env` names, with that ARN. */
export function modelKeySecretsFromEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const secrets: Record<string, string> = {};
  for (const variable of MODEL_KEY_VARIABLES) {
    const arn = env[modelKeySecretEnv(variable)];
    if (arn) secrets[variable] = arn;
  }
  return secrets;
}

/** The model key variables a package's stack holds a secret for: Anthropic's, and each other one its agents call. */
export function stackModelKeys(ir: IRDocument): string[] {
  const needed = modelKeysNeeded(ir);
  return MODEL_KEY_VARIABLES.filter((variable) => variable === ALWAYS_SECRET_KEY || needed.has(variable));
}

/** The variables naming a provider's endpoint: the only ones of a lambda deploy block's `env` the functions get. */
export const MODEL_ENDPOINT_VARIABLES: readonly string[] = Object.freeze(Object.values(PROVIDER_ENV).map((env) => env.baseURL));

/** The endpoint variables a lambda deploy block's `env` sets. */
export function modelEndpointEnv(block: { attributes: { env: Record<string, string> } } | undefined): Record<string, string> {
  const env = block?.attributes.env ?? {};
  return Object.fromEntries(MODEL_ENDPOINT_VARIABLES.flatMap((variable) => (env[variable] ? [[variable, env[variable]]] : [])));
}

/** The agents whose `model` or `models` chain calls Ollama (on Lambda they need `OLLAMA_HOST`: localhost is the function itself). */
export function ollamaAgents(ir: IRDocument): string[] {
  return resourcesOf(ir, 'Agent')
    .filter((agent) => [agent.attributes.model, ...(agent.attributes.models ?? [])].some((model) => parseModel(model).provider === 'ollama'))
    .map((agent) => agent.name);
}
