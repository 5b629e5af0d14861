/**
 * The deploy target → Deployer map. Each entry builds its deployer lazily,
 * so `apply --target local` never loads dockerode or the Kubernetes client.
 * To add a target, add one line: `name: async (options) => new X(...)`.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import type { IRDeploy } from '../../shared/ir/types.js';
import type { Deployer } from './types.js';
import { SERVE_ENTRY } from './serve-entry-path.js';

export type DeployTargetKind = IRDeploy['attributes']['target'];

export interface DeployerOptions {
  /** extra environment for runtimes started locally (tests: ANTHROPIC_BASE_URL) */
  env?: NodeJS.ProcessEnv;
  /** remove images too on destroy (docker) */
  removeImages?: boolean;
  /** kubeconfig file (kubernetes); KUBECONFIG or ~/.kube/config otherwise */
  kubeconfig?: string;
  /** how long a started runtime may take to answer /healthz before apply gives up (process, docker, docker-compose) */
  healthTimeoutMs?: number;
  /** rollout wait (kubernetes) */
  rolloutTimeoutMs?: number;
  pollIntervalMs?: number;
  /** the session Redis image of a docker-compose stack or a scaled Kubernetes deployment (`redis:7-alpine` by default), and compose's host port (6379) */
  redisImage?: string;
  redisPort?: number;
}

export type DeployerFactory = (options: DeployerOptions) => Promise<Deployer>;

/** argv starting the serve entry with this Node and tsx's loader. */
export function serveCommand(): string[] {
  // resolved here: the runtime starts in the package directory, where `tsx` is not installed
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return [process.execPath, '--import', tsx, SERVE_ENTRY];
}

export const deployers: Partial<Record<DeployTargetKind, DeployerFactory>> = {
  process: async (options) => {
    const { ProcessDeployer } = await import('./process/index.js');
    return new ProcessDeployer({
      command: serveCommand(),
      ...(options.env ? { env: options.env } : {}),
      ...(options.healthTimeoutMs ? { healthTimeoutMs: options.healthTimeoutMs } : {}),
    });
  },
  docker: async (options) => {
    const [{ DockerDeployer }, { bundleRuntime }] = await Promise.all([import('./docker/index.js'), import('./bundle-runtime.js')]);
    return new DockerDeployer({ bundle: () => bundleRuntime(), ...dockerOptions(options) });
  },
  lambda: async () => new (await import('./lambda/lambda-deployer.js')).LambdaDeployer(),
  'docker-compose': async (options) => {
    const [{ DockerDeployer }, { ComposeDeployer }, { bundleRuntime }] = await Promise.all([
      import('./docker/index.js'),
      import('./compose/index.js'),
      import('./bundle-runtime.js'),
    ]);
    return new ComposeDeployer(new DockerDeployer({ bundle: () => bundleRuntime(), ...dockerOptions(options) }), {
      ...(options.redisImage ? { redisImage: options.redisImage } : {}),
      ...(options.redisPort ? { redisPort: options.redisPort } : {}),
    });
  },
  kubernetes: async (options) => {
    const { KubernetesDeployer } = await import('./kubernetes/index.js');
    return new KubernetesDeployer({
      ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
      ...(options.rolloutTimeoutMs ? { rolloutTimeoutMs: options.rolloutTimeoutMs } : {}),
      ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
      ...(options.redisImage ? { redisImage: options.redisImage } : {}),
    });
  },
};

function dockerOptions(options: DeployerOptions): { env?: Record<string, string>; removeImages?: boolean; healthTimeoutMs?: number } {
  const env = options.env ? Object.fromEntries(Object.entries(options.env).filter((e): e is [string, string] => e[1] !== undefined)) : undefined;
  return {
    ...(env ? { env } : {}),
    ...(options.removeImages ? { removeImages: true } : {}),
    ...(options.healthTimeoutMs ? { healthTimeoutMs: options.healthTimeoutMs } : {}),
  };
}

/** The deployer for a target kind; `config_error` naming the supported kinds when there is none. */
export async function deployerFor(kind: DeployTargetKind, options: DeployerOptions = {}): Promise<Deployer> {
  const factory = deployers[kind];
  if (!factory) {
    throw new AgentSpecError(ErrorCode.ConfigError, `Deploy target "${kind}" is not supported here; supported: ${Object.keys(deployers).join(', ')}.`);
  }
  return factory(options);
}
