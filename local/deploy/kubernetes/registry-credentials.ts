/**
 * The credentials apply pushes with (and the cluster pulls with): the
 * `registry_auth` secret (`user:password`), else the Docker config of this
 * machine (`$DOCKER_CONFIG/config.json` or `~/.docker/config.json`: an
 * `auths` entry, or a credential helper from `credHelpers`/`credsStore` run
 * as `docker-credential-<name> get`), else none (anonymous). Values stay in
 * memory: callers never log, record or print them.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AgentSpecError, ErrorCode } from '../../../shared/errors.js';
import type { DeployContext } from '../types.js';

export interface RegistryCredentials {
  username: string;
  password: string;
  /** where they came from, for messages: `registry_auth "name"`, `the Docker config`, `docker-credential-<name>` */
  source: string;
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** The keys a Docker config may use for a registry host (Docker Hub's is its v1 URL). */
function configKeys(registry: string): string[] {
  if (registry === 'docker.io') return ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];
  return [registry, `https://${registry}`, `http://${registry}`, `https://${registry}/v1/`, `https://${registry}/v2/`];
}

/** The Docker config file: `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`. */
export function dockerConfigPath(dir = process.env.DOCKER_CONFIG): string {
  return join(dir ?? join(homedir(), '.docker'), 'config.json');
}

/** Credentials for `registry`, or undefined (anonymous). A `registry_auth` secret that does not resolve or is no `user:password` is a config_error. */
export async function registryCredentials(ctx: DeployContext, registry: string, configDir?: string): Promise<RegistryCredentials | undefined> {
  const named = ctx.deploy.attributes.registry_auth;
  if (named !== undefined) {
    const value = await ctx.secret(named).catch((error: unknown) => {
      throw new AgentSpecError(
        ErrorCode.ConfigError,
        `registry_auth secret "${named}" does not resolve: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
    const colon = value.indexOf(':');
    if (colon <= 0) throw new AgentSpecError(ErrorCode.ConfigError, `registry_auth secret "${named}" must hold "user:password".`);
    return { username: value.slice(0, colon), password: value.slice(colon + 1), source: `registry_auth "${named}"` };
  }
  return fromDockerConfig(registry, configDir);
}

async function fromDockerConfig(registry: string, configDir?: string): Promise<RegistryCredentials | undefined> {
  const file = dockerConfigPath(configDir);
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  let config: DockerConfig;
  try {
    config = JSON.parse(text) as DockerConfig;
  } catch {
    throw new AgentSpecError(ErrorCode.ConfigError, `The Docker config ${file} is not JSON.`);
  }
  const keys = configKeys(registry);
  const helper = keys.map((k) => config.credHelpers?.[k]).find(Boolean) ?? config.credsStore;
  if (helper) {
    const found = await fromHelper(helper, registry);
    if (found) return found;
  }
  for (const key of keys) {
    const entry = config.auths?.[key];
    if (!entry) continue;
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), source: 'the Docker config' };
    }
    if (entry.username && entry.password) return { username: entry.username, password: entry.password, source: 'the Docker config' };
  }
  return undefined;
}

/** `docker-credential-<name> get` with the host on stdin; undefined when it knows none. */
async function fromHelper(name: string, registry: string): Promise<RegistryCredentials | undefined> {
  const program = `docker-credential-${name}`;
  const output = await new Promise<string | undefined>((resolve, reject) => {
    const child = execFile(program, ['get'], { timeout: 10_000 }, (error, stdout) => {
      if (!error) return resolve(stdout);
      // the helper says "credentials not found in native keychain" (exit 1) when it has none
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        return reject(new AgentSpecError(ErrorCode.ConfigError, `The Docker config names the credential helper ${program}, which is not installed.`));
      resolve(undefined);
    });
    child.stdin?.end(registry);
  });
  if (!output) return undefined;
  try {
    const parsed = JSON.parse(output) as { Username?: string; Secret?: string };
    if (parsed.Username && parsed.Secret) return { username: parsed.Username, password: parsed.Secret, source: program };
  } catch {
    // not JSON: treated as no credentials, never echoed (it could hold one)
  }
  return undefined;
}
