/**
 * The authentication of a deployed runtime (a process or a container),
 * decided before anything is built or stopped: beyond loopback the runtime
 * refuses to serve without API keys, so one bound to another address always
 * gets them — the package secret `api_keys` names, or a key generated on the
 * first apply, printed once and kept in the runtime's own environment (read
 * back from the running one on the next apply, never written to the state
 * file) — or the
 * explicit `auth "none"` opt-out. On loopback nothing is added unless the
 * block asks for it. Keys the package already passes as `AGENTSPEC_API_KEYS`
 * (env or secrets) are left as they are.
 */
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import { isLoopback } from '../../shared/http/local-only.js';
import type { IRDeploy } from '../../shared/ir/types.js';
import { API_KEYS_VARIABLE, GENERATED_SOURCE, INSECURE_VARIABLE, generateApiKey, keysPlanOf } from './api-keys.js';

/** The container label (the process target: `ids.api_keys`) recording where its keys came from (`generated`, `secret/<name>`, `package`, `none`). */
export const KEYS_SOURCE_LABEL = 'dev.agentspec.api-keys';

export interface RuntimeAuthInput {
  deploy: IRDeploy;
  /** the address the runtime binds */
  host: string;
  /** the environment the runtime gets so far (env and resolved secrets) */
  env: Record<string, string>;
  secret(name: string): Promise<string>;
  /** the keys the target's current runtime was started with, when they were generated */
  previousGenerated(): Promise<string | undefined>;
}

export interface RuntimeAuth {
  env: Record<string, string>;
  /** where the keys come from, for the container label or the state's ids */
  source: string;
  /** a key generated now: to be shown to the user once */
  generated?: string;
  /** said by plan and apply */
  warning?: string;
}

export async function runtimeAuth(input: RuntimeAuthInput): Promise<RuntimeAuth> {
  const plan = keysPlanOf(input.deploy);
  if (plan.mode === 'none') {
    return isLoopback(input.host)
      ? { env: {}, source: 'none' }
      : {
          env: { [INSECURE_VARIABLE]: '1' },
          source: 'none',
          warning: `deploy "${input.deploy.name}" serves ${input.host} without authentication (auth "none"): anyone who reaches the port can call the agents.`,
        };
  }
  if (input.env[API_KEYS_VARIABLE] !== undefined) return { env: {}, source: 'package' };
  if (plan.source !== GENERATED_SOURCE) {
    const name = plan.source.slice('secret/'.length);
    const keys = await input.secret(name);
    if (!keys.split(',').some((key) => key.trim() !== ''))
      throw new AgentSpecError(ErrorCode.ConfigError, `The api_keys secret "${name}" of deploy "${input.deploy.name}" holds no key.`, {
        details: { secret: name },
      });
    return { env: { [API_KEYS_VARIABLE]: keys }, source: plan.source };
  }
  if (isLoopback(input.host)) return { env: {}, source: 'none' };
  const previous = await input.previousGenerated();
  if (previous !== undefined) return { env: { [API_KEYS_VARIABLE]: previous }, source: GENERATED_SOURCE };
  const key = generateApiKey();
  return { env: { [API_KEYS_VARIABLE]: key }, source: GENERATED_SOURCE, generated: key };
}
