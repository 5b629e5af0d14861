/**
 * The `docker-compose` target: writes `docker-compose.agentspec.yml` beside
 * the package and runs the runtime service through the Docker engine (the
 * docker deployer: same image, labels, health wait, replacement). A stack
 * that needs the Redis service (replicas > 1 or `sessions "redis"`) is
 * written but not started by agentspec: apply says so and names the
 * `docker compose` command to run.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentSpecError, ErrorCode } from '../../errors.js';
import type { DeployContext, Deployer, LogOptions, PlanItem, TargetState, TargetStatus } from '../types.js';
import { fingerprint } from '../fingerprint.js';
import { COMPOSE_FILE_NAME, composeYaml, needsRedis } from './compose-file.js';

/** Deploys as a compose stack; the runtime container is run by `inner` (the docker deployer). */
export class ComposeDeployer implements Deployer {
  constructor(private readonly inner: Deployer) {}

  async plan(ctx: DeployContext): Promise<PlanItem[]> {
    const path = join(ctx.workdir, COMPOSE_FILE_NAME);
    const current = await readFile(path, 'utf8').catch(() => undefined);
    // unchanged when the file is still what the last apply wrote and the package is the same
    const same = current !== undefined && fingerprint(current) === ctx.state?.fingerprints.compose_file && ctx.state.ir_hash === ctx.ir.hash;
    const fileAction: PlanItem = { resource: `file ${COMPOSE_FILE_NAME}`, action: current === undefined ? 'create' : same ? 'unchanged' : 'update' };
    return [fileAction, ...(await this.inner.plan(ctx))];
  }

  async apply(ctx: DeployContext): Promise<TargetState> {
    if (needsRedis(ctx.deploy)) {
      const path = join(ctx.workdir, COMPOSE_FILE_NAME);
      await writeFile(path, this.yaml(ctx, ctx.deploy.attributes.image ?? `agentspec/${ctx.ir.package.name}:latest`));
      throw new AgentSpecError(
        ErrorCode.ConfigError,
        `Wrote ${COMPOSE_FILE_NAME}; a stack with the Redis session service is not started by agentspec. Build the image with a docker target, set image, then run: docker compose -f ${COMPOSE_FILE_NAME} up -d`,
      );
    }
    const state = await this.inner.apply(ctx);
    const text = this.yaml(ctx, String(state.ids.tag ?? ''));
    await writeFile(join(ctx.workdir, COMPOSE_FILE_NAME), text);
    return { ...state, kind: 'docker-compose', fingerprints: { ...state.fingerprints, compose_file: fingerprint(text) } };
  }

  status(ctx: DeployContext): Promise<TargetStatus> {
    return this.inner.status(ctx);
  }

  logs(ctx: DeployContext, options: LogOptions): AsyncIterable<string> {
    return this.inner.logs(ctx, options);
  }

  async destroy(ctx: DeployContext): Promise<void> {
    await this.inner.destroy(ctx);
    await rm(join(ctx.workdir, COMPOSE_FILE_NAME), { force: true });
  }

  private yaml(ctx: DeployContext, image: string): string {
    return composeYaml({ ir: ctx.ir, deploy: ctx.deploy, image });
  }
}
