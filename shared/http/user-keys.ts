/**
 * Per-user API keys (`user "name" { key secret("X") agents [...] role ... }`).
 * A user's key is the package secret named X when the package declares one,
 * else the environment variable X; a user whose key does not resolve stops
 * the server from starting (fail closed), naming the user and the variable,
 * never a value. A deployer passes each user's key to the runtime it starts
 * as the variable X (`userKeyEnvironment`), which the runtime reads when the
 * declared secret's own source is not there. User keys work beside the deploy block's `api_keys`, which
 * keep full access.
 *
 * What a user key may do:
 * - role `admin`: every agent, every pipeline and the admin routes (metrics);
 * - role `invoke` (the default): the agents listed in `agents` (all agents
 *   when the list is empty, as in the original), a pipeline only when every
 *   agent it runs is allowed, no admin route.
 * Anything else answers 403 `forbidden`. Logs and traces carry the user's
 * name, never the key.
 */
import { timingSafeEqual } from 'node:crypto';
import { AgentSpecError, ErrorCode } from '../errors.js';
import { findResource, resourcesOf, type IRDocument, type IRUser } from '../ir/types.js';
import { keyDigest as digest } from './key-digest.js';

export interface UserIdentity {
  name: string;
  /** allowed agents; empty: all */
  agents: readonly string[];
  role: 'invoke' | 'admin';
}

/** How a declared secret is read (the package's secret vault). */
export interface SecretSource {
  get(name: string): Promise<string>;
}

/** Resolves every user's key; throws `config_error` naming the first user whose key is missing. */
export async function resolveUserKeys(
  ir: IRDocument,
  secrets: SecretSource,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<UserKeys> {
  const entries: { identity: UserIdentity; key: string }[] = [];
  for (const user of resourcesOf(ir, 'User')) {
    const { agents, role } = user.attributes;
    entries.push({ identity: { name: user.name, agents: [...agents], role: role === 'admin' ? 'admin' : 'invoke' }, key: await keyOf(ir, user, secrets, env) });
  }
  return new UserKeys(entries);
}

/**
 * What a deployer sets in the environment of the runtime it starts so that
 * every user's key resolves there: variable X → the key, resolved on the
 * deploying machine (the declared secret X, else this process's X).
 * Throws `config_error` naming the first user whose key is missing.
 */
export async function userKeyEnvironment(
  ir: IRDocument,
  secrets: SecretSource,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const user of resourcesOf(ir, 'User')) out[user.attributes.key] = await keyOf(ir, user, secrets, env);
  return out;
}

/** Every user whose key does not resolve, as the `config_error` `resolveUserKeys` would throw for it (plans list them all). */
export async function unresolvedUserKeys(
  ir: IRDocument,
  secrets: SecretSource,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<AgentSpecError[]> {
  const out: AgentSpecError[] = [];
  for (const user of resourcesOf(ir, 'User')) await keyOf(ir, user, secrets, env).catch((error: AgentSpecError) => out.push(error));
  return out;
}

async function keyOf(ir: IRDocument, user: IRUser, secrets: SecretSource, env: Readonly<Record<string, string | undefined>>): Promise<string> {
  const variable = user.attributes.key;
  const declared = findResource(ir, 'Secret', variable) !== undefined;
  let key: string | undefined;
  try {
    key = declared ? await secrets.get(variable) : env[variable];
  } catch (error) {
    // a deployed runtime gets the value its deployer resolved under the secret's name
    key = env[variable];
    if (key === undefined || key.trim() === '') throw missing(user.name, variable, declared, error);
  }
  if (key === undefined || key.trim() === '') throw missing(user.name, variable, declared);
  return key.trim();
}

/** The users' keys, compared in constant time as SHA-256 digests. */
export class UserKeys {
  private entries: { identity: UserIdentity; digest: Buffer }[];

  constructor(entries: { identity: UserIdentity; key: string }[]) {
    this.entries = entries.map((e) => ({ identity: e.identity, digest: digest(e.key) }));
  }

  get size(): number {
    return this.entries.length;
  }

  /** Takes `next`'s users in place of these (a dev reload of a package whose users changed; the app keeps this object). */
  replaceWith(next: UserKeys): void {
    this.entries = next.entries;
  }

  /** The user whose key `presented` is; every key is compared, without an early exit. */
  match(presented: string): UserIdentity | undefined {
    const candidate = digest(presented);
    let found: UserIdentity | undefined;
    for (const e of this.entries) if (timingSafeEqual(e.digest, candidate) && !found) found = e.identity;
    return found;
  }
}

/** Throws 403 unless `user` (undefined: a deploy `api_keys` key or no authentication) may run `agent`. */
export function authorizeAgent(user: UserIdentity | undefined, agent: string): void {
  if (!user || user.role === 'admin' || user.agents.length === 0 || user.agents.includes(agent)) return;
  throw new AgentSpecError(ErrorCode.Forbidden, `User "${user.name}" may not invoke agent "${agent}".`, { details: { user: user.name, agent } });
}

/** Throws 403 unless `user` may run every agent of `pipeline`. */
export function authorizePipeline(user: UserIdentity | undefined, ir: IRDocument, pipeline: string): void {
  const steps = findResource(ir, 'Pipeline', pipeline)?.attributes.steps ?? [];
  for (const step of steps) {
    try {
      authorizeAgent(user, step.agent);
    } catch {
      throw new AgentSpecError(
        ErrorCode.Forbidden,
        `User "${user!.name}" may not run pipeline "${pipeline}": its step "${step.name}" runs agent "${step.agent}".`,
        {
          details: { user: user!.name, pipeline, agent: step.agent },
        },
      );
    }
  }
}

/** Throws 403 for a user key that is not an admin's (deploy `api_keys` keys keep access). */
export function authorizeAdmin(user: UserIdentity | undefined, route: string): void {
  if (!user || user.role === 'admin') return;
  throw new AgentSpecError(ErrorCode.Forbidden, `User "${user.name}" may not use ${route}: it needs role "admin".`, { details: { user: user.name, route } });
}

function missing(user: string, variable: string, declared: boolean, cause?: unknown): AgentSpecError {
  const where = declared ? `secret "${variable}"` : `environment variable ${variable}`;
  return new AgentSpecError(ErrorCode.ConfigError, `User "${user}" has no API key: ${where} is not set. Set it, or remove the user.`, {
    ...(cause === undefined ? {} : { cause }),
    details: { user, key: variable },
  });
}
