/**
 * What `plan` checks of the things apply would refuse before building or
 * stopping anything, so a plan shows them rather than only the apply: every
 * secret the deploy block names resolves (found or not, never its value),
 * so does every declared user's key (named with its variable), and, for a target served on this machine and not deployed yet, its port is
 * free. The deployers check the rest at apply (a port held by the target
 * itself, images, registry credentials: the kubernetes plan reports its own).
 */
import { isAgentSpecError } from '../../shared/errors.js';
import { unresolvedUserKeys } from '../../shared/http/user-keys.js';
import type { IRDeploy } from '../../shared/ir/types.js';
import { portAvailability } from './port-availability.js';
import type { DeployContext } from './types.js';
import { DEFAULTS } from '../../shared/lang/lower.js';

export interface PlanCheck {
  level: 'error' | 'warning';
  message: string;
}

const LOCAL_TARGETS: ReadonlySet<string> = new Set(['process', 'docker', 'docker-compose']);
/** the port a deploy block without `port` serves on: the language's default */
const DEFAULT_PORT = DEFAULTS.port;

/** The secret names a block needs at apply: its `secrets`, `api_keys` and `registry_auth`. */
function secretNames(deploy: IRDeploy): string[] {
  const a = deploy.attributes;
  return [...new Set([...Object.values(a.secrets), ...(a.api_keys ? [a.api_keys] : []), ...(a.registry_auth ? [a.registry_auth] : [])])];
}

export async function planChecks(ctx: Pick<DeployContext, 'ir' | 'deploy' | 'state' | 'secret'>): Promise<PlanCheck[]> {
  const { deploy, state, secret } = ctx;
  const checks: PlanCheck[] = [];
  for (const name of secretNames(deploy)) {
    try {
      await secret(name);
    } catch (error) {
      const reason = isAgentSpecError(error) ? error.message : 'it could not be read';
      checks.push({ level: 'error', message: `secret "${name}" does not resolve: ${reason}` });
    }
  }
  for (const error of await unresolvedUserKeys(ctx.ir, { get: secret }, process.env)) checks.push({ level: 'error', message: error.message });
  if (LOCAL_TARGETS.has(deploy.attributes.target) && !state) {
    const host = deploy.attributes.host ?? '127.0.0.1';
    const port = deploy.attributes.port ?? DEFAULT_PORT;
    const availability = await portAvailability(host, port);
    if (availability === 'in-use') checks.push({ level: 'error', message: `port ${port} on ${host} is in use by something this target did not start` });
    else if (availability !== 'free') checks.push({ level: 'error', message: `${host}:${port} cannot be listened on (${availability})` });
  }
  return checks;
}
