/**
 * The secret variables a deployed runtime starts with, for every target: the
 * deploy block's `secrets` (variable → package secret) and each declared
 * user's key under its variable (`userKeyEnvironment`), all resolved on the
 * deploying machine. The values go only where a target puts secrets (a
 * process's environment, a container's, a cluster Secret); never in the
 * state, an image or a log. A user whose key does not resolve fails the
 * apply (and the plan) naming the user and the variable.
 */
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import { userKeyEnvironment } from '../../shared/http/user-keys.js';
import { resourcesOf, type IRDeploy, type IRDocument } from '../../shared/ir/types.js';
import type { DeployContext } from './types.js';

/** The variables with their values; throws `config_error` for a secret or user key that does not resolve. */
export async function runtimeSecrets(ctx: Pick<DeployContext, 'ir' | 'deploy' | 'secret'>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [variable, secret] of Object.entries(ctx.deploy.attributes.secrets)) out[variable] = await ctx.secret(secret);
  for (const [variable, key] of Object.entries(await userKeyEnvironment(ctx.ir, { get: ctx.secret }, process.env))) {
    const given = out[variable];
    if (given !== undefined && given !== key) {
      throw new AgentSpecError(
        ErrorCode.ConfigError,
        `deploy "${ctx.deploy.name}" sets ${variable} from secret "${ctx.deploy.attributes.secrets[variable] ?? ''}", but a user's key is read from ${variable} and resolves to another value; rename one of them.`,
        { details: { variable } },
      );
    }
    out[variable] = key;
  }
  return out;
}

/** The variable names `runtimeSecrets` gives, without resolving anything (plans, exported files). */
export function runtimeSecretVariables(ir: IRDocument, deploy: IRDeploy): string[] {
  return [...new Set([...Object.keys(deploy.attributes.secrets), ...resourcesOf(ir, 'User').map((u) => u.attributes.key)])];
}
