/**
 * The compose file written for the user (`docker-compose.agentspec.yml`):
 * the runtime service with its healthcheck, port, env and secrets (and each declared user's key) as
 * references to the user's environment (`${NAME}`, never values), and a
 * Redis service for sessions when there is more than one replica or
 * `sessions "redis"`. Networking is the one the apply chose: `host` (the
 * runtime binds the block's host and port directly, Redis on 127.0.0.1) or
 * `bridge` (a private network for the stack, the runtime's port published on
 * the block's host only, the runtime listening on 0.0.0.0 inside and told the
 * published address, Redis reachable on that network alone).
 *
 * The file is in the Compose Specification format that both docker-compose
 * 1.27+ (Python, e.g. Debian 12's 1.29) and Compose v2 read: no `version`
 * and no top-level `name` (1.29's schema rejects it), YAML 1.1 scalars
 * (PyYAML reads `no` / `on` / `0755` unquoted as booleans and numbers), and
 * every `$` of a literal value doubled, so compose interpolates only the
 * secret references.
 */
import { stringify } from 'yaml';
import { resourcesOf, type IRDeploy, type IRDocument } from '../../../shared/ir/types.js';
import { DEFAULT_REDIS_IMAGE, RUNTIME_USER, imageLabels } from '../docker/build-context.js';
import { PUBLISHED_HOST_VARIABLE } from '../docker/container-config.js';
import type { ContainerNetwork } from '../docker/network.js';
import { DEFAULTS } from '../../../shared/lang/lower.js';

export const COMPOSE_FILE_NAME = 'docker-compose.agentspec.yml';
export const REDIS_PORT = 6379;
/** The stack's network under bridge networking. */
export const COMPOSE_NETWORK = 'agentspec';
/** the port a deploy block without `port` serves on: the language's default */
const DEFAULT_PORT = DEFAULTS.port;

export interface ComposeInput {
  ir: IRDocument;
  deploy: IRDeploy;
  /** the runtime image (built by the docker target) */
  image: string;
  redisImage?: string;
  /** Redis's port on the host; 6379 by default */
  redisPort?: number;
  /** the network the apply chose (the docker target's `ids.network`: `host` or a bridge); the block's `network`, else host, when absent */
  network?: ContainerNetwork;
}

/** True when the deployment needs a shared session store. */
export function needsRedis(deploy: IRDeploy): boolean {
  return (deploy.attributes.replicas ?? 1) > 1 || deploy.attributes.sessions === 'redis';
}

/** The runtime's `REDIS_URL` for Redis on the host's loopback. */
export function redisUrl(port: number = REDIS_PORT): string {
  return `redis://127.0.0.1:${port}`;
}

/** The compose document as an object. */
export function composeDocument(input: ComposeInput): Record<string, unknown> {
  const { ir, deploy } = input;
  const attrs = deploy.attributes;
  const port = attrs.port ?? DEFAULT_PORT;
  const redis = needsRedis(deploy);
  const redisPort = input.redisPort ?? REDIS_PORT;
  const bridge = (input.network ?? attrs.network ?? 'host') === 'bridge';
  const host = attrs.host ?? '127.0.0.1';
  const probe = `fetch('http://127.0.0.1:${port}${attrs.health?.path ?? '/healthz'}').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))`;
  const environment: Record<string, string> = {
    ...literals(attrs.env),
    ...(bridge ? { HOST: '0.0.0.0', [PUBLISHED_HOST_VARIABLE]: literal(host) } : { HOST: literal(host) }),
    PORT: String(port),
    // references resolved by compose from the user's environment: the file holds names, never values
    ...Object.fromEntries(
      Object.keys(attrs.secrets).map((variable) => [variable, `\${${variable}:?set ${variable} (secret "${attrs.secrets[variable] ?? ''}")}`]),
    ),
    // each declared user's key, read from the variable its runtime looks for
    ...Object.fromEntries(
      resourcesOf(ir, 'User').map((user) => [user.attributes.key, `\${${user.attributes.key}:?set ${user.attributes.key} (key of user "${user.name}")}`]),
    ),
    ...(redis ? { REDIS_URL: bridge ? `redis://redis:${redisPort}` : redisUrl(redisPort), AGENTSPEC_SESSIONS: 'redis' } : {}),
  };
  const runtime: Record<string, unknown> = {
    image: input.image,
    user: RUNTIME_USER,
    ...(bridge ? { ports: [`${host}:${port}:${port}`], networks: [COMPOSE_NETWORK] } : { network_mode: 'host' }),
    restart: 'unless-stopped',
    environment,
    labels: literals(imageLabels(ir)),
    healthcheck: { test: ['CMD', 'node', '-e', literal(probe)], interval: '5s', timeout: '3s', retries: 3, start_period: '5s' },
    stop_grace_period: '30s',
    ...(attrs.resources
      ? {
          deploy: {
            resources: {
              limits: {
                ...(attrs.resources.cpu ? { cpus: cpus(attrs.resources.cpu) } : {}),
                ...(attrs.resources.memory ? { memory: attrs.resources.memory.replace(/i$/, '') } : {}),
              },
            },
          },
        }
      : {}),
    ...(redis ? { depends_on: { redis: { condition: 'service_healthy' } } } : {}),
  };
  const services: Record<string, unknown> = { runtime };
  if (redis) {
    services.redis = {
      image: input.redisImage ?? DEFAULT_REDIS_IMAGE,
      // bridge: no published port, reachable from the stack's network only (hence no bind to loopback, no protected mode)
      ...(bridge ? { networks: [COMPOSE_NETWORK] } : { network_mode: 'host' }),
      restart: 'unless-stopped',
      command: [
        'redis-server',
        '--port',
        String(redisPort),
        ...(bridge ? ['--bind', '0.0.0.0', '--protected-mode', 'no'] : ['--bind', '127.0.0.1']),
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      healthcheck: { test: ['CMD', 'redis-cli', '-p', String(redisPort), 'ping'], interval: '5s', timeout: '3s', retries: 5 },
    };
  }
  return { services, ...(bridge ? { networks: { [COMPOSE_NETWORK]: { driver: 'bridge', labels: literals(imageLabels(ir)) } } } : {}) };
}

/** The compose file text. */
export function composeYaml(input: ComposeInput): string {
  const header = [
    `# Generated by agentspec from ${ir(input)}; secrets are read from your environment (or --env-file).`,
    `# By hand (docker-compose 1.27+ or docker compose v2): docker-compose -f ${COMPOSE_FILE_NAME} up -d`,
  ].join('\n');
  return `${header}\n${stringify(composeDocument(input), { version: '1.1' })}`;
}

/** A value compose must not interpolate: `$` doubled (a replacer function, since `'$$'` in a replacement string is one `$`). */
function literal(value: string): string {
  return value.replace(/\$/g, () => '$$');
}

function literals(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, literal(value)]));
}

function ir(input: ComposeInput): string {
  return `${input.ir.package.name} ${input.ir.package.version} (${input.ir.hash.slice(0, 12)})`;
}

function cpus(cpu: string): string {
  return cpu.endsWith('m') ? String(Number(cpu.slice(0, -1)) / 1000) : cpu;
}
