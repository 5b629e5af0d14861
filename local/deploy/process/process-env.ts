/**
 * The environment a version of the process target starts with, decided
 * before anything is stopped: the deployer's own environment (without the
 * variables that decide authentication: the deploy block decides those),
 * the deployer options' and the block's env, the resolved secrets and user keys, the
 * address, and the API keys a runtime served beyond loopback must have — the
 * `api_keys` secret, the explicit `auth "none"`, or a generated key, read
 * back from the running version's environment so a re-apply keeps it. It
 * lives only in the process's environment: never on its command line, in a
 * file or in the state.
 */
import type { DeployContext } from '../types.js';
import { API_KEYS_VARIABLE, INSECURE_VARIABLE } from '../api-keys.js';
import { runtimeAuth } from '../runtime-auth.js';
import { runtimeSecrets } from '../runtime-secrets.js';

export interface ProcessEnvInput {
  ctx: DeployContext;
  /** the deployer options' extra environment (tests point ANTHROPIC_BASE_URL at a fake) */
  extra: NodeJS.ProcessEnv | undefined;
  host: string;
  port: number;
  /** the IR file the version serves */
  irFile: string;
  /** the key generated for the running version, when its environment could be read */
  previousGenerated: string | undefined;
}

export interface ProcessEnv {
  env: NodeJS.ProcessEnv;
  /** where the keys come from: `generated`, `secret/<name>`, `package` or `none` (recorded in the state's ids) */
  keys: string;
  /** a key generated now, to be shown once */
  generated?: string;
  warning?: string;
}

/** Resolves everything the version's environment needs; throws before anything changes when a secret or key is missing. */
export async function processEnv(input: ProcessEnvInput): Promise<ProcessEnv> {
  const { ctx, host, port } = input;
  const { [API_KEYS_VARIABLE]: _keys, [INSECURE_VARIABLE]: _insecure, ...inherited } = process.env;
  const own: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...input.extra, ...ctx.deploy.attributes.env })) if (value !== undefined) own[name] = value;
  Object.assign(own, await runtimeSecrets(ctx));
  const auth = await runtimeAuth({
    deploy: ctx.deploy,
    host,
    env: own,
    secret: (name) => ctx.secret(name),
    previousGenerated: () => Promise.resolve(input.previousGenerated),
  });
  return {
    env: { ...inherited, ...own, ...auth.env, AGENTSPEC_IR: input.irFile, HOST: host, PORT: String(port) },
    keys: auth.source,
    ...(auth.generated === undefined ? {} : { generated: auth.generated }),
    ...(auth.warning === undefined ? {} : { warning: auth.warning }),
  };
}
