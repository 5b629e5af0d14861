/** IR factories for tool tests: skills of each tool kind, servers, clients, secrets. */
import type { IRDocument, IRResource, IRSecret, IRServer, IRSkill, IRTool, JsonSchema } from '../../shared/ir/types.js';
import { SecretVault } from '../../shared/secrets/vault.js';
import { EnvSecretResolver } from '../../shared/secrets/env-resolver.js';
import { agent, irOf } from '../helpers/ir-builder.js';

const HASH = '0'.repeat(64);

export const OBJECT_SCHEMA: JsonSchema = { type: 'object' };

/** A skill resource around a tool. */
export function skill(name: string, tool: IRTool, schemas: { input?: JsonSchema; output?: JsonSchema; description?: string } = {}): IRSkill {
  return {
    kind: 'Skill',
    name,
    fqn: `test/Skill/${name}`,
    hash: HASH,
    attributes: {
      description: schemas.description ?? `the ${name} skill`,
      input_schema: schemas.input ?? OBJECT_SCHEMA,
      ...(schemas.output ? { output_schema: schemas.output } : {}),
      tool,
    },
  };
}

/** A server resource with the language's defaults. */
export function server(name: string, attrs: Partial<IRServer['attributes']> & Pick<IRServer['attributes'], 'transport'>): IRServer {
  return { kind: 'Server', name, fqn: `test/Server/${name}`, hash: HASH, attributes: { args: [], env: {}, exposes: [], ...attrs } };
}

/** A client resource connecting to servers. */
export function client(name: string, servers: string[]): IRResource {
  return { kind: 'Client', name, fqn: `test/Client/${name}`, hash: HASH, attributes: { servers } };
}

/** An `env(KEY)` secret resource. */
export function envSecret(name: string, key: string): IRSecret {
  return { kind: 'Secret', name, fqn: `test/Secret/${name}`, hash: HASH, attributes: { source: 'env', key } };
}

/** An IR whose agent "bot" uses the given skills and clients. */
export function irWith(options: { skills?: IRSkill[]; servers?: IRServer[]; clients?: string[]; extra?: IRResource[] }): IRDocument {
  const skills = options.skills ?? [];
  return irOf(
    ...skills,
    ...(options.servers ?? []),
    ...(options.extra ?? []),
    agent('bot', { skills: skills.map((s) => s.name), clients: options.clients ?? [] }),
  );
}

/** A vault whose env(...) secrets come from the given variables only. */
export function vaultFor(ir: IRDocument, env: Record<string, string> = {}): SecretVault {
  return new SecretVault(ir, { env: new EnvSecretResolver(env) });
}

/** A tool context with a fresh signal. */
export function ctxFor(signal: AbortSignal = new AbortController().signal) {
  return { signal, agent: 'bot', callId: 'toolu_test' };
}

/** True while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls until `check` holds or the deadline passes. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
}
